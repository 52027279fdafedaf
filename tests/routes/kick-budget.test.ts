// lib/kick.ts called directly, in this process, on a real database: a kick that would not fit
// its budget does nothing, and a kick whose database is gone returns instead of throwing (it
// runs in after(), where a throw would only be an unhandled rejection).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { enqueue } from "../../lib/jobs/enqueue.ts";
import { registry } from "../../lib/job-types/index.ts";
import { testDatabase, type TestDatabase } from "../helpers/db.ts";
import { dbProxy } from "./helpers.ts";

let t: TestDatabase;
let proxy: Awaited<ReturnType<typeof dbProxy>>;
let kick: typeof import("../../lib/kick.ts").kick;
let closeAppDb: () => Promise<void>;

beforeAll(async () => {
  t = await testDatabase();
  proxy = await dbProxy(t.url);
  // lib/env.ts reads the environment once, on first use: set it before the kick's modules load.
  process.env.DATABASE_URL = proxy.url;
  process.env.TICK_BUDGET_MS = "5000";
  process.env.DEMO_JOB_DELAY_MS = "20";
  ({ kick } = await import("../../lib/kick.ts"));
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
    const { job } = await enqueue(t.prisma, registry, "send-email", { to: "a@example.com", subject: "s" });
    expect(await kick(job)).toBeNull();
    expect(await t.sql("SELECT status::text, attempts FROM jobs WHERE id = $1", [job.id])).toEqual([{ status: "pending", attempts: 0 }]);
  });

  it("runs one job of the type when it fits", async () => {
    await t.sql("TRUNCATE jobs, outbox");
    const { job } = await enqueue(t.prisma, registry, "send-email", { to: "a@example.com", subject: "s" }, { timeoutMs: 2_000 });
    const report = await kick(job);
    expect(report).toMatchObject({ claimed: 1, completed: 1, rescued: 0 });
    expect(report?.workerId).toMatch(/^kick:/);
    expect(await t.sql("SELECT status::text FROM jobs WHERE id = $1", [job.id])).toEqual([{ status: "completed" }]);
  });

  it("returns null instead of throwing when the database is gone, and the job waits for a tick", async () => {
    await t.sql("TRUNCATE jobs, outbox");
    const { job } = await enqueue(t.prisma, registry, "send-email", { to: "a@example.com", subject: "s" }, { timeoutMs: 2_000 });
    proxy.down();
    try {
      expect(await kick(job)).toBeNull();
    } finally {
      proxy.up();
    }
    expect(await t.sql("SELECT status::text, attempts FROM jobs WHERE id = $1", [job.id])).toEqual([{ status: "pending", attempts: 0 }]);
  });
});
