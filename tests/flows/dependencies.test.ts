import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  claimJobs,
  engineOf,
  enqueue,
  enqueueMany,
  releaseDependentsOf,
  retryJob,
  runMaintenance,
  runTick,
  settleDependencies,
  type Engine,
} from "cronbound/engine";
import { useTestDatabase } from "../helpers/db.ts";
import { EFFECTS_SQL, testRegistry } from "../helpers/registry.ts";

const t = useTestDatabase();
let e: Engine;
beforeAll(async () => {
  e = engineOf(t.queue(testRegistry));
  await t.sql(EFFECTS_SQL);
});
beforeEach(async () => {
  await t.sql("TRUNCATE jobs, effects");
});

const add = async (type: string, payload: object, dependsOn: string[] = []) =>
  (await enqueue(e, type, payload, { dependsOn })).job.id;

async function state(id: string): Promise<{ status: string; blocked: boolean; lastError: string | null }> {
  const [r] = await t.sql<{ status: string; blocked: boolean; last_error: string | null }>(
    "SELECT status::text, blocked, last_error FROM jobs WHERE id = $1",
    [id],
  );
  return { status: r.status, blocked: r.blocked, lastError: r.last_error };
}

const tick = (extra: object = {}) => runTick(e, { budgetMs: 20_000, ...extra });

describe("dependsOn: a dependent runs only after all its dependencies completed", () => {
  it("is blocked, and not claimable, until every dependency completed", async () => {
    const a = await add("noop", {});
    const b = await add("noop", {});
    const c = await add("noop", {}, [a, b]);
    expect(await state(c)).toMatchObject({ status: "pending", blocked: true });
    await t.sql("UPDATE jobs SET status = 'completed', finished_at = now() WHERE id = $1", [a]);
    expect(await settleDependencies(e)).toEqual({ unblocked: 0, cancelled: 0 });
    expect((await claimJobs(e, { workerId: "w", limit: 10, maxTimeoutMs: 60_000, graceMs: 0 })).map((j) => j.id)).toEqual([b]);
    await t.sql("UPDATE jobs SET status = 'completed', finished_at = now(), locked_by = NULL, locked_at = NULL, locked_until = NULL WHERE id = $1", [b]);
    expect(await settleDependencies(e)).toEqual({ unblocked: 1, cancelled: 0 });
    expect(await state(c)).toMatchObject({ status: "pending", blocked: false });
    expect((await claimJobs(e, { workerId: "w", limit: 10, maxTimeoutMs: 60_000, graceMs: 0 })).map((j) => j.id)).toEqual([c]);
  });

  it("a chain A -> B -> C completes in one tick: the tick releases dependents as their dependency completes", async () => {
    const a = await add("work", { ms: 5 });
    const b = await add("work", { ms: 5 }, [a]);
    const c = await add("work", { ms: 5 }, [b]);
    const report = await tick();
    expect(report.completed).toBe(3);
    expect(report.maintenance.unblocked).toBe(2);
    const order = await t.sql<{ job_id: string }>("SELECT job_id::text FROM effects WHERE kind = 'start' ORDER BY id");
    expect(order.map((r) => r.job_id)).toEqual([a, b, c]);
    // Each started after its dependency ended.
    const [gap] = await t.sql<{ ok: boolean }>(`
      SELECT bool_and(s.at >= e.at) AS ok FROM effects s JOIN effects e ON e.kind = 'end' AND s.kind = 'start'
      AND (s.job_id, e.job_id) IN ((${b}, ${a}), (${c}, ${b}))`);
    expect(gap.ok).toBe(true);
  });

  it("a failure in the middle of a chain cancels everything after it, each naming its dependency, in the same tick", async () => {
    const a = await add("noop", {});
    const b = await add("failing", { permanent: true }, [a]);
    const c = await add("noop", {}, [b]);
    const d = await add("noop", {}, [c]);
    const other = await add("noop", {});
    const twoDeps = await add("noop", {}, [other, c]); // two dependencies, one of them doomed
    const report = await tick();
    expect(report).toMatchObject({ completed: 2, failed: 1 });
    expect(report.maintenance.dependentsCancelled).toBe(3);
    expect(await state(a)).toMatchObject({ status: "completed" });
    expect(await state(b)).toMatchObject({ status: "failed" });
    expect(await state(c)).toEqual({
      status: "cancelled",
      blocked: false,
      lastError: `dependency ${b} (failing) failed: NonRetryableError: the address does not exist`,
    });
    expect((await state(d)).lastError).toBe(`dependency ${c} (noop) was cancelled: dependency ${b} (failing) failed: NonRetryableError: the address does not exist`);
    expect((await state(twoDeps)).lastError).toMatch(new RegExp(`^dependency ${c} \\(noop\\) was cancelled`));
    const ran = await t.sql<{ job_id: string }>("SELECT DISTINCT job_id::text FROM effects");
    expect(ran.map((r) => r.job_id)).toEqual([b]);
  });

  it("a dependency that will be retried keeps its dependents waiting, not cancelled", async () => {
    const b = await add("failing", {}); // retryable, 3 attempts, backoff 60 s
    const c = await add("noop", {}, [b]);
    const report = await tick();
    expect(report.retried).toBe(1);
    expect(await state(b)).toMatchObject({ status: "pending" });
    expect(await state(c)).toMatchObject({ status: "pending", blocked: true, lastError: null });
  });

  it("the maintenance sweep settles what no tick released (dependency finished by other means), cascading down a chain of 6", async () => {
    const root = await add("noop", {});
    const chain = [root];
    for (let i = 0; i < 6; i++) chain.push(await add("noop", {}, [chain.at(-1)!]));
    const ready = await add("noop", {}, [root]);
    await t.sql("UPDATE jobs SET status = 'completed', finished_at = now() WHERE id = $1", [root]);
    await t.sql("UPDATE jobs SET status = 'failed', finished_at = now(), last_error = 'gave up' WHERE id = $1", [chain[1]]);
    const m = await runMaintenance(e);
    expect(m.steps).toMatchObject({ unblocked: 1, dependentsCancelled: 5 });
    expect(await state(ready)).toMatchObject({ status: "pending", blocked: false });
    for (const id of chain.slice(2)) expect(await state(id)).toMatchObject({ status: "cancelled" });
    expect((await state(chain[2])).lastError).toBe(`dependency ${chain[1]} (noop) failed: gave up`);
    // Idempotent: nothing left to do.
    expect(await settleDependencies(e)).toEqual({ unblocked: 0, cancelled: 0 });
  });

  it("a dependency that no longer exists cancels its dependent instead of leaving it blocked forever", async () => {
    const a = await add("noop", {});
    const b = await add("noop", {}, [a]);
    await t.sql("DELETE FROM jobs WHERE id = $1", [a]);
    expect(await settleDependencies(e)).toEqual({ unblocked: 0, cancelled: 1 });
    expect((await state(b)).lastError).toBe(`dependency ${a} no longer exists`);
  });

  it("4 overlapping sweeps release 2,000 ready jobs, each exactly once", async () => {
    const a = await add("noop", {});
    await enqueueMany(e, Array.from({ length: 2000 }, () => ({ type: "noop", payload: {}, options: { dependsOn: [a] } })));
    await t.sql("UPDATE jobs SET status = 'completed', finished_at = now() WHERE id = $1", [a]);
    const clients = Array.from({ length: 4 }, () => engineOf(t.queue(testRegistry, {}, { pool: t.newPool(1) })));
    const sweep = async (c: Engine) => {
      let total = 0;
      for (let n = -1; n !== 0; total += n) n = (await settleDependencies(c, { limit: 100 })).unblocked;
      return total;
    };
    const [targeted, ...swept] = await Promise.all([releaseDependentsOf(e, [a], { limit: 100 }), ...clients.map(sweep)]);
    expect(swept.filter((n) => n > 0).length).toBeGreaterThan(1); // they really shared the work
    expect(swept.reduce((n, x) => n + x, 0) + targeted.unblocked).toBe(2000);
    const [left] = await t.sql<{ n: number }>("SELECT count(*)::int AS n FROM jobs WHERE blocked");
    expect(left.n).toBe(0);
  });

  it("with more blocked jobs than the sweep examines per tick, each tick examines a bounded window, and all are settled in time", async () => {
    const a = await add("noop", {});
    const ids = await enqueueMany(e, Array.from({ length: 50 }, () => ({ type: "noop", payload: {}, options: { dependsOn: [a] } })));
    await t.sql("UPDATE jobs SET status = 'completed', finished_at = now() WHERE id = $1", [a]);
    // From the lowest id: exactly the first 10.
    expect(await settleDependencies(e, { scanLimit: 10, random: () => 0 })).toEqual({ unblocked: 10, cancelled: 0 });
    const open = async () => (await t.sql<{ id: string }>("SELECT id::text FROM jobs WHERE blocked ORDER BY jobs.id")).map((r) => r.id);
    expect(await open()).toEqual(ids.slice(10));
    // From the middle, wrapping around: the next 10 blocked ids at or after the start.
    expect(await settleDependencies(e, { scanLimit: 10, random: () => 0.999 })).toEqual({ unblocked: 10, cancelled: 0 });
    expect((await open()).length).toBe(30);
    let ticks = 0;
    while ((await open()).length && ticks < 100) {
      await settleDependencies(e, { scanLimit: 10 });
      ticks++;
    }
    expect(await open()).toEqual([]);
  });

  it("retryJob on a cancelled dependent makes it wait again for its (retried) dependency", async () => {
    const b = await add("failing", { permanent: true });
    const c = await add("noop", {}, [b]);
    await tick();
    expect(await state(c)).toMatchObject({ status: "cancelled" });
    // Retrying the dependent alone: it waits, then is cancelled again while its dependency is failed.
    await retryJob(e, c);
    expect(await state(c)).toMatchObject({ status: "pending", blocked: true });
    await settleDependencies(e);
    expect(await state(c)).toMatchObject({ status: "cancelled" });
    // Retry both, and fix the dependency: the chain completes.
    await t.sql(`UPDATE jobs SET payload = '{"permanent": false}', type = 'noop' WHERE id = $1`, [b]);
    await retryJob(e, b);
    await retryJob(e, c);
    expect(await state(c)).toMatchObject({ status: "pending", blocked: true });
    const report = await tick();
    expect(report.completed).toBe(2);
    expect(await state(c)).toMatchObject({ status: "completed" });
  });
});
