// The durable-step endpoints against `next start` and a real database, with the demo's
// onboarding sequence (lib/job-types/onboarding.ts): POST /api/jobs/events resumes waits (for
// webhooks), GET /api/jobs/{id} says what a pending job waits on, and ?waitMs= long-polls.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startApp, type App } from "../helpers/app.ts";
import { testDatabase, type TestDatabase } from "../helpers/db.ts";
import { call } from "./helpers.ts";

let t: TestDatabase;
let app: App;

beforeAll(async () => {
  t = await testDatabase();
  // The sequence sleeps a minute, then waits three for the activation: time passes by backdating.
  app = await startApp({ DATABASE_URL: t.url, DEMO_JOB_DELAY_MS: "20", DEMO_ONBOARDING_PAUSE_MS: "60000" });
});
afterAll(async () => {
  await app?.stop();
  await t?.close();
});
beforeEach(async () => {
  await t.sql("TRUNCATE jobs, steps, events, outbox");
});

const tick = async () => {
  // The onboarding job's timeout is 30 s: a tick claims it only with that much left.
  const res = await call(app, "POST", "/api/jobs/tick", { json: { budgetMs: 60_000 } });
  expect(res.status).toBe(200);
  return res.body;
};
const onboard = async (email: string) => {
  const res = await call(app, "POST", "/api/jobs", { json: { type: "onboarding", payload: { email, name: "Ada" } } });
  expect(res.status).toBe(201);
  return res.body.id as string;
};
/** The passage of time: every wait of the job is due now. */
const elapse = async (id: string) => {
  await t.sql("UPDATE steps SET wake_at = now() - interval '1 ms' WHERE job_id = $1 AND status = 'waiting'", [id]);
  await t.sql("UPDATE jobs SET run_at = now() - interval '1 ms' WHERE id = $1 AND status = 'pending'", [id]);
};
const outbox = async () => (await t.sql<{ to: string; subject: string }>(`SELECT "to", subject FROM outbox ORDER BY id`)).map((r) => `${r.to}: ${r.subject}`);

describe("the onboarding sequence over HTTP", () => {
  it("welcome (a child job), a sleep shown as the job's wait, an activation sent during the sleep received by the wait, no follow-up", async () => {
    const id = await onboard("ada@example.com");
    // The sequence invokes send-email and waits; the child runs; the woken parent begins its sleep.
    const report = await tick();
    expect(report).toMatchObject({ completed: 1, failed: 0 });
    expect(report.waiting).toBeGreaterThanOrEqual(2);
    expect(await outbox()).toEqual(["ada@example.com: Welcome, Ada"]);

    const sleeping = await call(app, "GET", `/api/jobs/${id}`);
    expect(sleeping.status).toBe(200);
    expect(sleeping.body).toMatchObject({ status: "pending", lockedBy: null, parentId: null });
    expect(sleeping.body.waiting).toEqual([{ step: "pause", kind: "sleep", until: expect.any(String) }]);
    expect(sleeping.body.waiting[0].until).toBe(sleeping.body.runAt);

    // The user activates while the sequence sleeps: nothing waits on the event yet.
    const sent = await call(app, "POST", "/api/jobs/events", { json: { event: "user.activated", data: { email: "ada@example.com" } } });
    expect(sent.status).toBe(200);
    expect(sent.body).toEqual({ id: expect.stringMatching(/^\d+$/), resumed: 0 });

    await elapse(id);
    await tick();
    const done = await call(app, "GET", `/api/jobs/${id}`);
    expect(done.body).toMatchObject({ status: "completed", attempts: 1, result: { activated: true, followUp: null }, waiting: [] });
    expect(await outbox()).toEqual(["ada@example.com: Welcome, Ada"]);
    // The child names its parent.
    const [child] = await t.sql<{ id: string }>("SELECT id::text FROM jobs WHERE parent_id = $1", [id]);
    expect((await call(app, "GET", `/api/jobs/${child.id}`)).body).toMatchObject({ type: "send-email", status: "completed", parentId: id });
  });

  it("a sequence waiting for the event is resumed by POST /api/jobs/events; another address's activation does not", async () => {
    const id = await onboard("bob@example.com");
    await tick();
    await elapse(id);
    await tick();
    const waiting = await call(app, "GET", `/api/jobs/${id}`);
    expect(waiting.body.waiting).toEqual([
      { step: "activation", kind: "event", until: waiting.body.runAt, event: "user.activated", match: { email: "bob@example.com" } },
    ]);
    const other = await call(app, "POST", "/api/jobs/events", { json: { event: "user.activated", data: { email: "eve@example.com" } } });
    expect(other.body.resumed).toBe(0);
    const mine = await call(app, "POST", "/api/jobs/events", { json: { event: "user.activated", data: { email: "bob@example.com", plan: "pro" } } });
    expect(mine.body.resumed).toBe(1);
    await tick();
    expect((await call(app, "GET", `/api/jobs/${id}`)).body).toMatchObject({ status: "completed", result: { activated: true } });
  });

  it("without an activation, the wait times out and the follow-up is sent once", async () => {
    const id = await onboard("cy@example.com");
    await tick();
    await elapse(id);
    await tick();
    await elapse(id);
    await tick();
    const done = await call(app, "GET", `/api/jobs/${id}`);
    expect(done.body).toMatchObject({ status: "completed", result: { activated: false, followUp: expect.any(String) } });
    expect(await outbox()).toEqual(["cy@example.com: Welcome, Ada", "cy@example.com: Need a hand getting started?"]);
  });
});

describe("GET /api/jobs/{id}?waitMs=", () => {
  it("answers as soon as the job finishes, within the wait", async () => {
    const res = await call(app, "POST", "/api/jobs", { json: { type: "send-email", payload: { to: "a@example.com", subject: "hi" } } });
    const started = Date.now();
    const waiting = call(app, "GET", `/api/jobs/${res.body.id}?waitMs=20000`);
    await new Promise((r) => setTimeout(r, 300));
    await tick();
    const answer = await waiting;
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ id: res.body.id, status: "completed", result: { outboxId: expect.any(String) } });
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it("answers with the job as it is when the wait ends first", async () => {
    const res = await call(app, "POST", "/api/jobs", { json: { type: "send-email", payload: { to: "a@example.com", subject: "hi" }, delayMs: 3_600_000 } });
    const started = Date.now();
    const answer = await call(app, "GET", `/api/jobs/${res.body.id}?waitMs=400`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
    expect(answer.body).toMatchObject({ status: "pending", waiting: [] });
  });

  it("refuses a waitMs that is not a whole number up to 30 s, and a missing job is still 404", async () => {
    for (const bad of ["abc", "-1", "1.5", "30001", "1e3", ""]) {
      const res = await call(app, "GET", `/api/jobs/1?waitMs=${bad}`);
      expect(res.status, bad).toBe(400);
      expect(res.body).toMatchObject({ code: "invalid_request", error: "waitMs must be a whole number of milliseconds from 0 to 30000" });
    }
    expect((await call(app, "GET", "/api/jobs/999999?waitMs=100")).status).toBe(404);
  });
});
