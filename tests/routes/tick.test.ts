// /api/jobs/tick against `next start` (production mode) and a real database: the cron GET,
// the manual POST, the secret, two ticks at once, and the whole path from an HTTP enqueue to
// the job's effect in the outbox.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { registry } from "../../lib/job-types/index.ts";
import { startApp, type App } from "../helpers/app.ts";
import { testDatabase, type TestDatabase } from "../helpers/db.ts";
import { call, jobCount, jobRow, logRecords, outboxCounts } from "./helpers.ts";

let t: TestDatabase;
let app: App;

beforeAll(async () => {
  t = await testDatabase();
  app = await startApp({ DATABASE_URL: t.url });
});
afterAll(async () => {
  await app?.stop();
  await t?.close();
});
beforeEach(async () => {
  await t.sql("TRUNCATE jobs, outbox RESTART IDENTITY");
});

const email = (n: number | string) => ({ type: "send-email", payload: { to: `user${n}@example.com`, subject: `Hello ${n}` } });

async function pendingEmail(): Promise<string> {
  const res = await call(app, "POST", "/api/jobs", { json: email("x") });
  expect(res.status).toBe(201);
  return res.body.id;
}

describe("GET /api/jobs/tick (Vercel Cron)", () => {
  it("runs the whole path: enqueue over HTTP, tick with the secret, job completed, outbox row written", async () => {
    const id = await pendingEmail();
    const tick = await call(app, "GET", "/api/jobs/tick");
    expect(tick.status).toBe(200);
    expect(tick.body).toMatchObject({ claimed: 1, completed: 1, retried: 0, failed: 0, lost: 0, skippedForBudget: 0 });
    expect(tick.body.workerId).toMatch(/^cron:/);
    const job = await call(app, "GET", `/api/jobs/${id}`);
    expect(job.body).toMatchObject({ status: "completed", attempts: 1, lastError: null, result: { outboxId: expect.any(String) } });
    const outbox = await t.sql<{ job_id: string; to: string; subject: string }>('SELECT job_id::text, "to", subject FROM outbox');
    expect(outbox).toEqual([{ job_id: id, to: "userx@example.com", subject: "Hello x" }]);
    // One log line per tick, the report's fields at the top level (what Vercel's log view shows).
    const line = logRecords(app.output()).find((r) => r.msg === "cronbound tick" && r.workerId === tick.body.workerId);
    expect(line).toMatchObject({ level: "info", event: "tick", trigger: "cron", claimed: 1, completed: 1, budgetMs: expect.any(Number) });
  });

  it("answers an idle tick with an empty report", async () => {
    const tick = await call(app, "GET", "/api/jobs/tick");
    expect(tick.status).toBe(200);
    expect(tick.body).toMatchObject({ claimed: 0, completed: 0, rescued: 0 });
  });

  it.each([
    ["missing", null],
    ["wrong", "Bearer test-cron-secret-0123456780"],
    ["empty", "Bearer "],
  ])("refuses a %s secret with 401 and runs nothing", async (_label, auth) => {
    const id = await pendingEmail();
    for (const method of ["GET", "POST"]) {
      const res = await call(app, method, "/api/jobs/tick", { auth });
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ error: "unauthorized", code: "unauthorized" });
    }
    expect(await jobRow(t, id)).toEqual({ status: "pending", attempts: 0 });
    expect(await jobCount(t)).toBe(1);
  });
});

describe("POST /api/jobs/tick (manual trigger)", () => {
  it("runs a tick with no body", async () => {
    const id = await pendingEmail();
    const res = await call(app, "POST", "/api/jobs/tick");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ claimed: 1, completed: 1 });
    expect(res.body.workerId).toMatch(/^manual:/);
    expect(await jobRow(t, id)).toEqual({ status: "completed", attempts: 1 });
  });

  it("narrows the run to the job types in the body", async () => {
    const mail = await pendingEmail();
    const upload = await call(app, "POST", "/api/jobs", { json: { type: "process-upload", payload: { fileId: "f-9" } } });
    const res = await call(app, "POST", "/api/jobs/tick", { json: { types: ["process-upload"] } });
    expect(res.body).toMatchObject({ claimed: 1, completed: 1 });
    expect(await jobRow(t, upload.body.id)).toEqual({ status: "completed", attempts: 1 });
    expect(await jobRow(t, mail)).toEqual({ status: "pending", attempts: 0 });
    const done = await call(app, "GET", `/api/jobs/${upload.body.id}`);
    expect(done.body.progress).toBe(1);
  });

  it("narrows the budget: a job whose timeout does not fit is left pending and counted", async () => {
    const id = await pendingEmail(); // send-email's timeout is 10 s
    const res = await call(app, "POST", "/api/jobs/tick", { json: { budgetMs: 5_000 } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ claimed: 0, skippedForBudget: 1 });
    expect(await jobRow(t, id)).toEqual({ status: "pending", attempts: 0 });
  });

  it.each([
    ["malformed JSON", { raw: '{"types": [', headers: { "content-type": "application/json" } }, "malformed_json"],
    ["a field of the wrong type", { json: { budgetMs: "soon" } }, "invalid_request"],
    ["an unknown field", { json: { everything: true } }, "invalid_request"],
    ["an unknown job type", { json: { types: ["send-fax"] } }, "invalid_request"],
    ["a body that is not an object", { json: [1, 2] }, "invalid_request"],
  ])("answers 400 to %s and runs nothing", async (_label, o, code) => {
    const id = await pendingEmail();
    const res = await call(app, "POST", "/api/jobs/tick", o);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe(code);
    expect(await jobRow(t, id)).toEqual({ status: "pending", attempts: 0 });
    expect(await jobCount(t)).toBe(1);
  });

  it("answers 413 to an oversized body and runs nothing", async () => {
    const id = await pendingEmail();
    const res = await call(app, "POST", "/api/jobs/tick", { json: { types: ["send-email"], pad: "x".repeat(64 * 1024) } });
    expect(res.status).toBe(413);
    expect(await jobRow(t, id)).toEqual({ status: "pending", attempts: 0 });
  });
});

describe("two ticks at once", () => {
  it("run each of 300 jobs once: no job attempted twice, no outbox row doubled", async () => {
    const ids = await t.queue(registry).enqueueMany(Array.from({ length: 300 }, (_, n) => email(n)));
    const [a, b] = await Promise.all([call(app, "GET", "/api/jobs/tick"), call(app, "GET", "/api/jobs/tick")]);
    expect([a.status, b.status]).toEqual([200, 200]);
    // Both did real work, so the ticks really overlapped rather than one finding nothing.
    expect(a.body.claimed).toBeGreaterThan(0);
    expect(b.body.claimed).toBeGreaterThan(0);
    expect(a.body.claimed + b.body.claimed).toBe(300);
    expect(a.body.completed + b.body.completed).toBe(300);
    expect(a.body.lost + b.body.lost).toBe(0);
    const rows = await t.sql<{ status: string; attempts: number; n: number }>(
      "SELECT status::text AS status, attempts, count(*)::int AS n FROM jobs GROUP BY 1, 2",
    );
    expect(rows).toEqual([{ status: "completed", attempts: 1, n: 300 }]);
    const outbox = await outboxCounts(t);
    expect(outbox.size).toBe(300);
    expect([...outbox.values()].every((n) => n === 1)).toBe(true);
    expect(new Set(outbox.keys())).toEqual(new Set(ids));
  });
});
