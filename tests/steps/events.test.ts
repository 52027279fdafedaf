// ctx.waitForEvent and sendEvent: a matching event resumes a waiting job with its data, a
// non-matching one does not, the timeout resumes it with null; an event sent shortly before
// the wait began is received (the event window); concurrent events resume each wait once.
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { claimJobs, engineOf, enqueue, runTick, sendEvent, suspendAttempt, type Engine } from "cronbound/engine";
import { EventError } from "cronbound";
import { useTestDatabase } from "../helpers/db.ts";
import { STEP_EFFECTS_SQL, stepRegistry } from "../helpers/steps-registry.ts";

const t = useTestDatabase();
let e: Engine;
beforeAll(async () => {
  e = engineOf(t.queue(stepRegistry));
  await t.sql(STEP_EFFECTS_SQL);
});
beforeEach(async () => {
  await t.sql("TRUNCATE jobs, steps, events, step_effects");
});

const tick = (extra: Record<string, unknown> = {}) => runTick(e, { budgetMs: 10_000, skipMaintenance: true, ...extra });
const got = async (id: string) => (await t.sql<{ kind: string }>("SELECT kind FROM step_effects WHERE job_id = $1 ORDER BY id", [id])).map((r) => r.kind);
const job = async (id: string) =>
  (await t.sql<{ status: string; attempts: number; due: boolean; result: unknown }>("SELECT status::text, attempts, run_at <= now() AS due, result FROM jobs WHERE id = $1", [id]))[0];
const hour = 3_600_000;

describe("waitForEvent", () => {
  it("a matching event resumes the job with its data; a non-matching one leaves it waiting", async () => {
    const { job: j } = await enqueue(e, "waiter", { event: "order.paid", match: { order: 7 }, timeoutMs: hour });
    expect(await tick()).toMatchObject({ claimed: 1, waiting: 1 });
    expect(await job(j.id)).toMatchObject({ status: "pending", attempts: 0, due: false });
    const [wait] = await t.sql("SELECT kind, status, event, match FROM steps WHERE job_id = $1", [j.id]);
    expect(wait).toEqual({ kind: "event", status: "waiting", event: "order.paid", match: { order: 7 } });

    expect(await sendEvent(e, "order.paid", { order: 8, amount: 1 })).toMatchObject({ resumed: 0 });
    expect(await sendEvent(e, "order.shipped", { order: 7 })).toMatchObject({ resumed: 0 });
    expect(await job(j.id)).toMatchObject({ status: "pending", due: false });
    expect(await tick()).toMatchObject({ claimed: 0 });

    const sent = await sendEvent(e, "order.paid", { order: 7, amount: 42 });
    expect(sent.resumed).toBe(1);
    expect(await job(j.id)).toMatchObject({ status: "pending", due: true });
    expect(await tick()).toMatchObject({ claimed: 1, completed: 1 });
    expect(await job(j.id)).toMatchObject({ status: "completed", attempts: 1, result: { got: { order: 7, amount: 42 } } });
    expect(await got(j.id)).toEqual(['got:{"order":7,"amount":42}']);
    const [step] = await t.sql<{ event_id: string }>("SELECT event_id::text FROM steps WHERE job_id = $1 AND step_id = 'wait'", [j.id]);
    expect(step.event_id).toBe(sent.id);
    // A second matching event finds nothing waiting.
    expect(await sendEvent(e, "order.paid", { order: 7 })).toMatchObject({ resumed: 0 });
  });

  it("the timeout resumes the job with null", async () => {
    const { job: j } = await enqueue(e, "waiter", { event: "never", timeoutMs: 60_000 });
    await tick();
    const [row] = await t.sql<{ wake_in_s: number }>("SELECT extract(epoch FROM run_at - now())::float8 AS wake_in_s FROM jobs WHERE id = $1", [j.id]);
    expect(row.wake_in_s).toBeGreaterThan(50);
    await t.sql("UPDATE jobs SET run_at = run_at - interval '1 minute' WHERE id = $1", [j.id]);
    await t.sql("UPDATE steps SET wake_at = wake_at - interval '1 minute' WHERE job_id = $1", [j.id]);
    expect(await tick()).toMatchObject({ claimed: 1, completed: 1 });
    expect(await job(j.id)).toMatchObject({ status: "completed", result: { got: null } });
    expect(await got(j.id)).toEqual(["got:null"]);
    // Resumed by its timeout: no event on the step, and a late event does not touch it.
    expect(await sendEvent(e, "never", {})).toMatchObject({ resumed: 0 });
    expect((await t.sql("SELECT status, event_id, result FROM steps WHERE job_id = $1", [j.id]))[0]).toEqual({ status: "completed", event_id: null, result: null });
  });

  it("an event sent within the window before the wait began is received at once; one older than the window is not", async () => {
    // Window: 5 minutes (config.eventWindowMs). One event 10 minutes old, one 1 minute old.
    await sendEvent(e, "user.activated", { user: 1, when: "old" }, { now: new Date(Date.now() - 10 * 60_000) });
    await sendEvent(e, "user.activated", { user: 2, when: "old" }, { now: new Date(Date.now() - 10 * 60_000) });
    await sendEvent(e, "user.activated", { user: 1, when: "recent" }, { now: new Date(Date.now() - 60_000) });
    const { job: early } = await enqueue(e, "waiter", { event: "user.activated", match: { user: 1 }, timeoutMs: hour });
    const { job: late } = await enqueue(e, "waiter", { event: "user.activated", match: { user: 2 }, timeoutMs: hour });
    expect(await tick()).toMatchObject({ claimed: 2, completed: 1, waiting: 1 });
    expect(await job(early.id)).toMatchObject({ status: "completed", result: { got: { user: 1, when: "recent" } } });
    expect(await job(late.id)).toMatchObject({ status: "pending", due: false });
  });

  it("an event sent after the handler looked but before its wait was written is not lost (the wait looks again under the event's lock)", async () => {
    const { job: j } = await enqueue(e, "waiter", { event: "race", timeoutMs: hour });
    const [claimed] = await claimJobs(e, { workerId: "w", limit: 1, maxTimeoutMs: 60_000, graceMs: 1_000 });
    // The handler found no event and is about to wait; the event arrives now, before the wait is written.
    expect(await sendEvent(e, "race", { n: 1 })).toMatchObject({ resumed: 0 });
    const landed = await suspendAttempt(
      e,
      { workerId: "w", job: claimed },
      { continued: false, waits: [{ kind: "event", stepId: "wait", event: "race", match: null, timeoutMs: hour }], existing: [] },
      e.config.eventWindowMs,
    );
    expect(landed).toBe(true);
    expect(await job(j.id)).toMatchObject({ status: "pending", attempts: 0, due: true });
    expect((await t.sql("SELECT status, result FROM steps WHERE job_id = $1", [j.id]))[0]).toEqual({ status: "completed", result: { n: 1 } });
    expect(await tick()).toMatchObject({ claimed: 1, completed: 1 });
    expect(await job(j.id)).toMatchObject({ result: { got: { n: 1 } } });
  });

  it("a wait beginning while an event on its name is being sent waits for that send to commit, and receives it", async () => {
    const { job: j } = await enqueue(e, "waiter", { event: "locked", timeoutMs: hour });
    const [claimed] = await claimJobs(e, { workerId: "w", limit: 1, maxTimeoutMs: 60_000, graceMs: 1_000 });
    // A sendEvent in flight: it holds the name's lock and has written its event, not yet committed.
    const sending = await t.pool.connect();
    try {
      await sending.query("BEGIN");
      await sending.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", ["cronbound.event:cronbound:locked"]);
      await sending.query(`INSERT INTO cronbound.events (name, data) VALUES ('locked', '{"n": 2}')`);
      let settled = false;
      const suspending = suspendAttempt(
        e,
        { workerId: "w", job: claimed },
        { continued: false, waits: [{ kind: "event", stepId: "wait", event: "locked", match: null, timeoutMs: hour }], existing: [] },
        e.config.eventWindowMs,
      ).finally(() => (settled = true));
      await new Promise((r) => setTimeout(r, 200));
      expect(settled, "the wait began before the send committed").toBe(false);
      await sending.query("COMMIT");
      expect(await suspending).toBe(true);
    } finally {
      sending.release();
    }
    expect((await t.sql("SELECT status, result FROM steps WHERE job_id = $1", [j.id]))[0]).toEqual({ status: "completed", result: { n: 2 } });
    expect(await job(j.id)).toMatchObject({ status: "pending", due: true });
  });

  it("concurrent sendEvents resume each waiting job exactly once", async () => {
    const ids = [];
    for (let i = 0; i < 10; i++) ids.push((await enqueue(e, "waiter", { event: "blast", timeoutMs: hour })).job.id);
    expect(await tick()).toMatchObject({ claimed: 10, waiting: 10 });
    // 20 events at once, on 10 connections.
    const sender = engineOf(t.queue(stepRegistry, {}, { pool: t.newPool(10) }));
    const sent = await Promise.all(Array.from({ length: 20 }, (_, i) => sendEvent(sender, "blast", { i })));
    expect(sent.reduce((n, s) => n + s.resumed, 0)).toBe(10);
    const steps = await t.sql<{ job_id: string; event_id: string | null; result: { i: number } }>(
      "SELECT job_id::text, event_id::text, result FROM steps WHERE step_id = 'wait' ORDER BY steps.job_id",
    );
    expect(steps.map((s) => s.job_id)).toEqual(ids);
    const byId = new Map(sent.map((s) => [s.id, s]));
    for (const s of steps) expect(byId.get(s.event_id as string)).toBeDefined();
    expect(await tick()).toMatchObject({ claimed: 10, completed: 10 });
    for (const [i, id] of ids.entries()) {
      const effects = await got(id);
      expect(effects, `job ${i}`).toHaveLength(1);
      expect(effects[0]).toBe(`got:${JSON.stringify(steps[i].result)}`);
    }
  });

  it("events sent while waits begin: every wait receives one, whichever came first", async () => {
    const ids = [];
    for (let i = 0; i < 10; i++) ids.push((await enqueue(e, "waiter", { event: "meanwhile", timeoutMs: hour })).job.id);
    const sender = engineOf(t.queue(stepRegistry, {}, { pool: t.newPool(5) }));
    const [report] = await Promise.all([
      tick({ concurrency: 10 }),
      (async () => {
        for (let i = 0; i < 10; i++) {
          await sendEvent(sender, "meanwhile", { i });
          await new Promise((r) => setTimeout(r, 2));
        }
      })(),
    ]);
    // Jobs resumed while the tick still ran are claimed again by it.
    expect(report.claimed).toBeGreaterThanOrEqual(10);
    // Each job either found an event in the window or was resumed by one: none still waits.
    expect(await t.sql("SELECT job_id FROM steps WHERE status = 'waiting'")).toEqual([]);
    await tick();
    const rows = await t.sql<{ status: string }>("SELECT status::text FROM jobs");
    expect(rows.every((r) => r.status === "completed")).toBe(true);
    for (const id of ids) expect(await got(id)).toHaveLength(1);
  });

  it("a cancelled waiting job is not resumed", async () => {
    const { job: j } = await enqueue(e, "waiter", { event: "gone", timeoutMs: hour });
    await tick();
    await t.queue(stepRegistry).cancelJob(j.id);
    expect(await sendEvent(e, "gone", {})).toMatchObject({ resumed: 0 });
    expect(await job(j.id)).toMatchObject({ status: "cancelled" });
  });

  it("sendEvent refuses a bad name or data with an EventError and writes nothing", async () => {
    const bad: [string, unknown, string][] = [
      ["", {}, "invalid_event"],
      ["e".repeat(201), {}, "invalid_event"],
      ["tab\there", {}, "invalid_event"],
      ["ok", { n: 1n }, "invalid_event"],
      ["ok", { s: "x".repeat(70_000) }, "too_large"],
      ["ok", { s: "nul\u0000" }, "invalid_event"],
    ];
    for (const [name, data, code] of bad) {
      const err = await sendEvent(e, name as string, data).catch((x: unknown) => x);
      expect(err, JSON.stringify(name).slice(0, 30)).toBeInstanceOf(EventError);
      expect((err as EventError).code).toBe(code);
    }
    expect(await t.sql("SELECT id FROM events")).toEqual([]);
    const err = (await sendEvent(e, "e".repeat(201), {}).catch((x: unknown) => x)) as Error;
    expect(err.message).toMatch(/201 characters; the limit is 200/);
  });
});
