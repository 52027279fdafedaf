// The demo page's server actions are public POST endpoints. Against `next start` in production:
// off unless DEMO_ENABLED=1 (nothing written, whatever the input); when on, each enqueue is
// rate-limited per client and in total in PostgreSQL (concurrent calls included), the status
// lookup needs the per-job token the enqueue returned and shows only what the page needs, and
// the outbox keeps a day of rows.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type App } from "../helpers/app.ts";
import { actionValue, callAction, form } from "../helpers/actions.ts";
import { testDatabase, type TestDatabase } from "../helpers/db.ts";

const FILE = "app/actions.ts";
const idle = { kind: "idle" };
const email = (to = "ada@example.com") => form({ to, subject: "Hello", body: "x".repeat(500) });

let t: TestDatabase;
let off: App;
let on: App;

beforeAll(async () => {
  t = await testDatabase();
  [off, on] = await Promise.all([
    startApp({ DATABASE_URL: t.url }),
    startApp({ DATABASE_URL: t.url, DEMO_ENABLED: "1", DEMO_RATE_PER_CLIENT: "3", DEMO_RATE_TOTAL: "8", DEMO_RATE_WINDOW_MS: "600000" }),
  ]);
});
afterAll(async () => {
  await Promise.all([off?.stop(), on?.stop()]);
  await t?.close();
});

const count = async (table: string) => Number((await t.sql<{ n: string }>(`SELECT count(*)::text AS n FROM ${table}`))[0].n);

describe("production without DEMO_ENABLED: the demo's actions are off", () => {
  it.each([
    ["enqueueSendEmail", [idle, email()]],
    ["enqueueProcessUpload", [idle, form({ fileId: "file_1" })]],
    ["enqueueOnboarding", [idle, form({ email: "ada@example.com" })]],
    ["sendActivation", [idle, form({ email: "ada@example.com" })]],
  ] as const)("%s answers that the demo is off and writes nothing", async (name, args) => {
    const before = [await count("jobs"), await count("events"), await count("rate_limits")];
    const r = await callAction(off, "/", FILE, name, [...args]);
    expect(r.status).toBe(200);
    expect(actionValue(r.text)).toMatchObject({ kind: "error", message: expect.stringMatching(/demo is off.*DEMO_ENABLED=1/) });
    expect([await count("jobs"), await count("events"), await count("rate_limits")]).toEqual(before);
  });

  it("getJobStatus answers null for any job, with or without a token", async () => {
    const [{ id }] = await t.sql<{ id: string }>(`INSERT INTO jobs (type, payload, timeout_ms) VALUES ('send-email', '{"to":"a@example.com","subject":"s"}', 10000) RETURNING id::text`);
    for (const token of [undefined, "", "A".repeat(43)]) {
      expect(actionValue((await callAction(off, "/", FILE, "getJobStatus", [id, token])).text)).toBeNull();
    }
    await t.sql("DELETE FROM jobs WHERE id = $1", [id]);
  });
});

// Every attempt counts, refused ones too: a client that keeps trying stays refused.
describe("DEMO_ENABLED=1: rate limits (3 per client, 8 in total per window), status tokens, outbox retention", () => {
  const enqueued: { id: string; token: string }[] = [];

  it("six concurrent enqueues from one client: exactly three are written, three refused", async () => {
    // Outbox rows written two days and one hour ago: the first send deletes the old one only.
    await t.sql(`INSERT INTO outbox (job_id, "to", subject, created_at) VALUES (1, 'old@example.com', 'old', now() - interval '2 days'), (2, 'recent@example.com', 'recent', now() - interval '1 hour')`);
    const jobsBefore = await count("jobs");
    const results = await Promise.all(
      Array.from({ length: 6 }, () => callAction(on, "/", FILE, "enqueueSendEmail", [idle, email()], { "x-forwarded-for": "198.51.100.1" })),
    );
    const values = results.map((r) => actionValue(r.text) as { kind: string; message?: string; job?: { id: string; token: string } });
    expect(values.filter((v) => v.kind === "enqueued")).toHaveLength(3);
    const refused = values.filter((v) => v.kind === "error");
    expect(refused).toHaveLength(3);
    for (const v of refused) expect(v.message).toMatch(/Too many demo jobs/);
    expect(await count("jobs")).toBe(jobsBefore + 3);
    for (const v of values) if (v.job) enqueued.push(v.job);
  });

  it("another client gets two more (the six attempts so far and these two make the total of eight), then every client is refused", async () => {
    const b = async (client: string) => actionValue((await callAction(on, "/", FILE, "enqueueProcessUpload", [idle, form({ fileId: "f1" })], { "x-forwarded-for": client })).text) as { kind: string };
    expect((await b("198.51.100.2")).kind).toBe("enqueued");
    expect((await b("198.51.100.2")).kind).toBe("enqueued");
    const jobs = await count("jobs");
    expect(await b("198.51.100.2")).toMatchObject({ kind: "error", message: expect.stringMatching(/Too many demo jobs/) });
    expect(await b("198.51.100.3")).toMatchObject({ kind: "error" });
    expect(await count("jobs")).toBe(jobs);
    await expect.poll(() => on.output(), { timeout: 15_000 }).toMatch(/demo enqueue refused: rate limit demo-enqueue:all/);
  });

  it("getJobStatus shows a job only with its own token, and then only status, attempts, progress and waits", async () => {
    const [a, b] = enqueued;
    const seen = actionValue((await callAction(on, "/", FILE, "getJobStatus", [a.id, a.token])).text) as Record<string, unknown>;
    expect(Object.keys(seen).sort()).toEqual(["attempts", "id", "progress", "status", "waitingOn"]);
    expect(seen.id).toBe(a.id);
    for (const [id, token] of [
      [a.id, b.token], // another job's token
      [a.id, undefined],
      [a.id, ""],
      [a.id, a.token.slice(0, -1) + (a.token.endsWith("A") ? "B" : "A")],
      [String(Number(a.id) + 100), a.token], // a sequential guess
      ["9999999999999999999", a.token],
    ] as [string, string | undefined][]) {
      expect(actionValue((await callAction(on, "/", FILE, "getJobStatus", [id, token])).text), `${id} ${token}`).toBeNull();
    }
  });

  it("sending deletes outbox rows older than DEMO_OUTBOX_RETENTION_MS (one day) and keeps newer ones", async () => {
    // The kick after each enqueue runs the send-email jobs; wait for one to have completed.
    await expect.poll(async () => count("jobs WHERE type = 'send-email' AND status = 'completed'"), { timeout: 30_000, interval: 200 }).toBeGreaterThan(0);
    const rows = await t.sql<{ subject: string }>(`SELECT subject FROM outbox WHERE subject IN ('old', 'recent') ORDER BY subject`);
    expect(rows.map((r) => r.subject)).toEqual(["recent"]);
  });
});
