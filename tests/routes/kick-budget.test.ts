// cronbound/next's kick called directly, in this process, with the app's queue on a real
// database: a kick that would not fit its budget does nothing, and a kick whose database is
// gone returns instead of throwing (it runs in after(), where a throw would only be an
// unhandled rejection).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kick } from "cronbound/next";
import type { queue as appQueue } from "../../lib/cronbound.ts";
import { testDatabase, type TestDatabase } from "../helpers/db.ts";
import { dbProxy } from "./helpers.ts";

let t: TestDatabase;
let proxy: Awaited<ReturnType<typeof dbProxy>>;
let queue: typeof appQueue;
let closeAppDb: () => Promise<void>;

// The maxDuration app/actions.ts passes to kick (app/page.tsx's; units.test.ts keeps them equal).
const maxDuration = 90;

beforeAll(async () => {
  t = await testDatabase();
  proxy = await dbProxy(t.url);
  // The app's queue reads the environment once, on first use (lib/env.ts for DATABASE_URL,
  // cronbound's configFromEnv for TICK_BUDGET_MS): set it before the queue is first used.
  process.env.DATABASE_URL = proxy.url;
  process.env.TICK_BUDGET_MS = "5000";
  process.env.DEMO_JOB_DELAY_MS = "20";
  ({ queue } = await import("../../lib/cronbound.ts"));
  const { database } = await import("../../lib/db.ts");
  closeAppDb = () => database().close();
});
afterAll(async () => {
  await closeAppDb?.();
  await proxy?.close();
  await t?.close();
});

describe("kick", () => {
  it("does nothing when the job's timeout does not fit its budget (TICK_BUDGET_MS=5000, timeout 10 s)", async () => {
    const { job } = await queue.enqueue("send-email", { to: "a@example.com", subject: "s" });
    expect(await kick(queue, job, { maxDuration })).toBeNull();
    expect(await t.sql("SELECT status::text, attempts FROM jobs WHERE id = $1", [job.id])).toEqual([{ status: "pending", attempts: 0 }]);
  });

  it("runs one job of the type when it fits", async () => {
    await t.sql("TRUNCATE jobs, outbox");
    const { job } = await queue.enqueue("send-email", { to: "a@example.com", subject: "s" }, { timeoutMs: 2_000 });
    const report = await kick(queue, job, { maxDuration });
    expect(report).toMatchObject({ claimed: 1, completed: 1, rescued: 0 });
    expect(report?.workerId).toMatch(/^kick:/);
    expect(await t.sql("SELECT status::text FROM jobs WHERE id = $1", [job.id])).toEqual([{ status: "completed" }]);
  });

  it("returns null instead of throwing when the database is gone, and the job waits for a tick", async () => {
    await t.sql("TRUNCATE jobs, outbox");
    const { job } = await queue.enqueue("send-email", { to: "a@example.com", subject: "s" }, { timeoutMs: 2_000 });
    proxy.down();
    try {
      expect(await kick(queue, job, { maxDuration })).toBeNull();
    } finally {
      proxy.up();
    }
    expect(await t.sql("SELECT status::text, attempts FROM jobs WHERE id = $1", [job.id])).toEqual([{ status: "pending", attempts: 0 }]);
  });
});
