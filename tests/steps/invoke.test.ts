// ctx.invoke: a parent enqueues a child (once per parent and step) and waits for it without a
// lease; the child finishing wakes the parent (whatever finished it); the child's result is the
// invoke's value, its final failure is thrown in the parent; Promise.all fans out.
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { claimJobs, engineOf, enqueue, enqueueChild, rescueExpiredLeases, runTick, suspendAttempt, type Engine } from "cronbound/engine";
import { useTestDatabase } from "../helpers/db.ts";
import { STEP_EFFECTS_SQL, stepRegistry } from "../helpers/steps-registry.ts";

const t = useTestDatabase();
let e: Engine;
beforeAll(async () => {
  e = engineOf(t.queue(stepRegistry));
  await t.sql(STEP_EFFECTS_SQL);
});
beforeEach(async () => {
  await t.sql("TRUNCATE jobs, steps, step_effects");
});

const tick = (extra: Record<string, unknown> = {}) => runTick(e, { budgetMs: 20_000, skipMaintenance: true, ...extra });
const job = async (id: string) =>
  (await t.sql<{ status: string; attempts: number; due: boolean; result: unknown; last_error: string | null }>(
    "SELECT status::text, attempts, run_at <= now() AS due, result, last_error FROM jobs WHERE id = $1",
    [id],
  ))[0];
const children = async (parentId: string) =>
  t.sql<{ id: string; status: string; payload: { n: number } }>("SELECT id::text, status::text, payload FROM jobs WHERE parent_id = $1 ORDER BY (payload->>'n')::int", [parentId]);
const effects = async (kind: string) => (await t.sql<{ n: number }>("SELECT count(*)::int AS n FROM step_effects WHERE kind = $1", [kind]))[0].n;

describe("ctx.invoke", () => {
  it("the parent waits (pending, no lease) while its children run, and is woken when they finish", async () => {
    const { job: p } = await enqueue(e, "parent", { children: 3 });
    expect(await tick({ types: ["parent"] })).toMatchObject({ claimed: 1, waiting: 1 });
    expect(await job(p.id)).toMatchObject({ status: "pending", attempts: 0, due: false });
    const kids = await children(p.id);
    expect(kids.map((k) => [k.status, k.payload.n])).toEqual([["pending", 0], ["pending", 1], ["pending", 2]]);
    const waits = await t.sql("SELECT step_id, kind, status, child_id::text AS child FROM steps WHERE job_id = $1 ORDER BY step_id", [p.id]);
    expect(waits).toEqual(kids.map((k, i) => ({ step_id: `child-${i}`, kind: "invoke", status: "waiting", child: k.id })));

    // The children run (and only they): their completion makes the parent due.
    expect(await tick({ types: ["child"] })).toMatchObject({ claimed: 3, completed: 3 });
    expect(await job(p.id)).toMatchObject({ status: "pending", due: true });
    expect(await tick()).toMatchObject({ claimed: 1, completed: 1 });
    expect(await job(p.id)).toMatchObject({ status: "completed", attempts: 1, result: { sum: 6 } });
    expect(await effects("sum:6")).toBe(1);
  });

  it("parent and children run in one tick: the parent is claimed again as soon as they finish", async () => {
    const { job: p } = await enqueue(e, "parent", { children: 2 });
    const r = await tick();
    expect(r).toMatchObject({ completed: 3, failed: 0, retried: 0 });
    // Woken by the first child to finish, the parent may wait once more for the second.
    expect(r.waiting).toBeGreaterThanOrEqual(1);
    expect(r.claimed).toBe(3 + r.waiting);
    expect(await job(p.id)).toMatchObject({ status: "completed", result: { sum: 2 } });
  });

  it("a child's final failure is thrown in the parent (ChildJobFailed, not retried) or caught by it", async () => {
    const { job: failing } = await enqueue(e, "parent", { children: 2, failAt: 1 });
    const { job: catching } = await enqueue(e, "parent", { children: 2, failAt: 1, catch: true });
    for (let i = 0; i < 10; i++) {
      await tick();
      if ((await job(failing.id)).status === "failed" && (await job(catching.id)).status === "completed") break;
      await t.sql("UPDATE jobs SET run_at = now() WHERE status = 'pending' AND type = 'child'"); // the child's retry backoff
    }
    const f = await job(failing.id);
    expect(f.status).toBe("failed");
    expect(f.attempts).toBe(1); // the child's retries were spent; the parent does not retry them
    const [bad] = (await children(failing.id)).filter((k) => k.payload.n === 1);
    expect(f.last_error).toBe(`ChildJobFailed: child job ${bad.id} (child) failed: Error: child 1 cannot do it`);
    expect((await job(bad.id)).attempts).toBe(2);

    const c = await job(catching.id);
    expect(c.status).toBe("completed");
    expect(c.result).toMatchObject({ caught: expect.stringMatching(/child 1 cannot do it/) });
    expect(await effects("sum:2")).toBe(0);
  });

  it("a fan-out of 20 children completes the parent once, each child once", async () => {
    const { job: p } = await enqueue(e, "parent", { children: 20 });
    // The first attempt enqueues every child (Promise.all), then waits for all of them.
    expect(await tick({ types: ["parent"] })).toMatchObject({ claimed: 1, waiting: 1 });
    expect(await children(p.id)).toHaveLength(20);
    const [waits] = await t.sql<{ n: number }>("SELECT count(*)::int AS n FROM steps WHERE job_id = $1 AND kind = 'invoke' AND status = 'waiting'", [p.id]);
    expect(waits.n).toBe(20);
    for (let i = 0; i < 20 && (await job(p.id)).status !== "completed"; i++) await tick();
    expect(await job(p.id)).toMatchObject({ status: "completed", attempts: 1, result: { sum: 380 } });
    expect(await effects("sum:380")).toBe(1);
    expect(await effects("child-ran")).toBe(20);
    const kids = await children(p.id);
    expect(kids).toHaveLength(20);
    expect(kids.every((k) => k.status === "completed")).toBe(true);
    const [done] = await t.sql<{ n: number }>("SELECT count(*)::int AS n FROM steps WHERE job_id = $1 AND kind = 'invoke' AND status = 'completed'", [p.id]);
    expect(done.n).toBe(20);
  });

  it("a parent whose hourly look-again comes while its child still runs looks once and waits another hour (no busy loop)", async () => {
    const { job: p } = await enqueue(e, "parent", { children: 1 });
    await tick({ types: ["parent"] });
    const [before] = await t.sql<{ wake_in_s: number }>("SELECT extract(epoch FROM run_at - now())::float8 AS wake_in_s FROM jobs WHERE id = $1", [p.id]);
    expect(before.wake_in_s).toBeGreaterThan(3_500); // the child has not run: an hour's safety net
    await t.sql("UPDATE jobs SET run_at = run_at - interval '2 hours' WHERE id = $1", [p.id]);
    await t.sql("UPDATE steps SET wake_at = wake_at - interval '2 hours' WHERE job_id = $1", [p.id]);
    expect(await tick({ types: ["parent"] })).toMatchObject({ claimed: 1, waiting: 1 });
    const [after] = await t.sql<{ wake_in_s: number; step_wake_in_s: number }>(
      `SELECT extract(epoch FROM j.run_at - now())::float8 AS wake_in_s, extract(epoch FROM s.wake_at - now())::float8 AS step_wake_in_s
       FROM jobs j JOIN steps s ON s.job_id = j.id WHERE j.id = $1`,
      [p.id],
    );
    expect(after.wake_in_s).toBeGreaterThan(3_500);
    expect(after.step_wake_in_s).toBeGreaterThan(3_500);
    expect(await children(p.id)).toHaveLength(1);
  });

  it("enqueueing the child is idempotent per parent and step: a replay after a crash finds the same child", async () => {
    const { job: p } = await enqueue(e, "parent", { children: 1 });
    const [claimed] = await claimJobs(e, { workerId: "w", limit: 1, maxTimeoutMs: 60_000, graceMs: 1_000 });
    const prepared = { type: "child", payload: JSON.stringify({ n: 5, fail: false }), priority: 0, runAt: null, delayMs: 0, maxAttempts: 2, timeoutMs: 5_000, idempotencyKey: null, dependsOn: [] };
    const a = await enqueueChild(e, { workerId: "w", job: claimed }, prepared, "child-0");
    const b = await enqueueChild(e, { workerId: "w", job: claimed }, prepared, "child-0");
    expect(a?.id).toBeDefined();
    expect(b?.id).toBe(a?.id);
    expect(await children(p.id)).toHaveLength(1);
    // Another step id is another child; a stale lease enqueues nothing.
    expect((await enqueueChild(e, { workerId: "w", job: claimed }, prepared, "child-1"))?.id).not.toBe(a?.id);
    expect(await enqueueChild(e, { workerId: "other", job: claimed }, prepared, "child-2")).toBeNull();
    expect(await children(p.id)).toHaveLength(2);
  });

  it("a child finishing while its parent begins to wait is seen by the parent's wait (the child's row is locked FOR SHARE)", async () => {
    const { job: p } = await enqueue(e, "parent", { children: 1 });
    const [claimed] = await claimJobs(e, { workerId: "w", limit: 1, maxTimeoutMs: 60_000, graceMs: 1_000, types: ["parent"] });
    const prepared = { type: "child", payload: JSON.stringify({ n: 0, fail: false }), priority: 0, runAt: null, delayMs: 0, maxAttempts: 2, timeoutMs: 5_000, idempotencyKey: null, dependsOn: [] };
    const kid = await enqueueChild(e, { workerId: "w", job: claimed }, prepared, "child-0");
    // The child's completion is in flight (row written, not committed) when the parent suspends.
    const finishing = await t.pool.connect();
    try {
      await finishing.query("BEGIN");
      await finishing.query(`UPDATE cronbound.jobs SET status = 'completed', finished_at = now(), result = '{"doubled": 0}' WHERE id = $1`, [kid!.id]);
      let settled = false;
      const suspending = suspendAttempt(
        e,
        { workerId: "w", job: claimed },
        { continued: false, waits: [{ kind: "invoke", stepId: "child-0", childId: kid!.id }], existing: [] },
        e.config.eventWindowMs,
      ).finally(() => (settled = true));
      await new Promise((r) => setTimeout(r, 200));
      expect(settled, "the wait did not wait for the child's row").toBe(false);
      await finishing.query("COMMIT");
      expect(await suspending).toBe(true);
    } finally {
      finishing.release();
    }
    expect(await job(p.id)).toMatchObject({ status: "pending", attempts: 0, due: true });
    expect(await tick({ types: ["parent"] })).toMatchObject({ claimed: 1, completed: 1 });
  });

  it("a child cancelled by an operator, or rescued to failed, wakes its parent, which throws", async () => {
    const { job: p1 } = await enqueue(e, "parent", { children: 1 });
    const { job: p2 } = await enqueue(e, "parent", { children: 1 });
    await tick({ types: ["parent"] });
    const [k1] = await children(p1.id);
    const [k2] = await children(p2.id);
    expect(await job(p1.id)).toMatchObject({ due: false });

    expect((await t.queue(stepRegistry).cancelJob(k1.id, { reason: "not needed" })).ok).toBe(true);
    expect(await job(p1.id)).toMatchObject({ status: "pending", due: true });

    // k2 is claimed, on its last attempt, and its worker dies: rescue fails it.
    await t.sql("UPDATE jobs SET attempts = max_attempts - 1 WHERE id = $1", [k2.id]);
    await claimJobs(e, { workerId: "dead", limit: 1, maxTimeoutMs: 60_000, graceMs: 1_000, types: ["child"] });
    await t.sql("UPDATE jobs SET locked_until = now() - interval '1 ms' WHERE id = $1", [k2.id]);
    expect(await job(p2.id)).toMatchObject({ due: false });
    expect(await rescueExpiredLeases(e)).toEqual({ pending: 0, failed: 1 });
    expect(await job(p2.id)).toMatchObject({ status: "pending", due: true });

    expect(await tick({ types: ["parent"] })).toMatchObject({ claimed: 2, failed: 2 });
    expect((await job(p1.id)).last_error).toMatch(new RegExp(`child job ${k1.id} \\(child\\) failed: not needed`));
    expect((await job(p2.id)).last_error).toMatch(/lease expired/);
  });
});
