// Every write of durable steps is fenced on the attempt's lease: a stale attempt (its lease
// expired and the job was taken over, or it is an earlier slice of a continued job) cannot
// write a step result, a continuation, a sleep or a wait.
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { createRegistry, defineJob, type Job } from "cronbound";
import { claimJobs, engineOf, enqueue, rescueExpiredLeases, runTick, suspendAttempt, withDb, writeStep, type Engine } from "cronbound/engine";
import { useTestDatabase } from "../helpers/db.ts";
import { stepRegistry } from "../helpers/steps-registry.ts";

const t = useTestDatabase();
let e: Engine;
beforeAll(() => {
  e = engineOf(t.queue(stepRegistry));
});
beforeEach(async () => {
  await t.sql("TRUNCATE jobs, steps");
});

const opts = (workerId: string, now?: Date) => ({ workerId, limit: 1, maxTimeoutMs: 60_000, graceMs: 1_000, now });
const row = async (id: string) =>
  (await t.sql<{ status: string; attempts: number; locked_by: string | null }>("SELECT status::text, attempts, locked_by FROM jobs WHERE id = $1", [id]))[0];
const steps = async (id: string) => t.sql<{ step_id: string; status: string; result: unknown }>("SELECT step_id, status, result FROM steps WHERE job_id = $1 ORDER BY step_id", [id]);
const result = (stepId: string, value: unknown) =>
  ({ stepId, kind: "run", status: "completed", json: JSON.stringify(value), bytes: JSON.stringify(value).length }) as const;

/** Worker A claims, its lease expires, rescue returns the job, worker B claims attempt 2. */
async function staleAndFresh(): Promise<{ stale: Job; fresh: Job }> {
  await enqueue(e, "sleeper", { ms: 60_000 });
  const [stale] = await claimJobs(e, opts("worker-a"));
  await t.sql("UPDATE jobs SET locked_until = now() - interval '1 second' WHERE id = $1", [stale.id]);
  expect(await rescueExpiredLeases(e)).toEqual({ pending: 1, failed: 0 });
  const [fresh] = await claimJobs(e, opts("worker-b"));
  expect(fresh.attempts).toBe(2);
  return { stale, fresh };
}

describe("fencing of durable steps", () => {
  it("a stale attempt cannot write a step result; the fresh holder's lands", async () => {
    const { stale, fresh } = await staleAndFresh();
    expect(await writeStep(e, { workerId: "worker-a", job: stale }, result("before", "stale"), "unfinished")).toBe(false);
    expect(await steps(stale.id)).toEqual([]);
    expect(await writeStep(e, { workerId: "worker-b", job: fresh }, result("before", "fresh"), "unfinished")).toBe(true);
    expect(await steps(stale.id)).toEqual([{ step_id: "before", status: "completed", result: "fresh" }]);
    // Nor can it overwrite the stored result afterwards.
    expect(await writeStep(e, { workerId: "worker-a", job: stale }, result("before", "stale"), "unfinished")).toBe(false);
    expect((await steps(stale.id))[0].result).toBe("fresh");
  });

  it("a stale attempt cannot write a continuation, a sleep or a wait", async () => {
    const { stale } = await staleAndFresh();
    const lease = { workerId: "worker-a", job: stale };
    const window = e.config.eventWindowMs;
    expect(await suspendAttempt(e, lease, { continued: true, waits: [], existing: [] }, window)).toBe(false);
    expect(await suspendAttempt(e, lease, { continued: false, waits: [{ kind: "sleep", stepId: "nap", ms: 1_000 }], existing: [] }, window)).toBe(false);
    expect(
      await suspendAttempt(e, lease, { continued: false, waits: [{ kind: "event", stepId: "wait", event: "x", match: null, timeoutMs: 1_000 }], existing: [] }, window),
    ).toBe(false);
    expect(await row(stale.id)).toEqual({ status: "processing", attempts: 2, locked_by: "worker-b" });
    expect(await steps(stale.id)).toEqual([]);
  });

  it("an earlier slice of a continued job (same worker, same attempt number) cannot write into the next slice", async () => {
    const t0 = new Date(Date.now() - 60_000);
    const t1 = new Date(t0.getTime() + 5_000);
    await enqueue(e, "sleeper", { ms: 60_000 }, { now: new Date(t0.getTime() - 1_000) });
    const [slice1] = await claimJobs(e, opts("w", t0));
    expect(await suspendAttempt(e, { workerId: "w", job: slice1 }, { continued: true, waits: [], existing: [] }, 0, t0)).toBe(true);
    expect(await row(slice1.id)).toEqual({ status: "pending", attempts: 0, locked_by: null });
    const [slice2] = await claimJobs(e, opts("w", t1));
    expect([slice2.id, slice2.attempts, slice2.lockedBy]).toEqual([slice1.id, slice1.attempts, slice1.lockedBy]);
    expect(await writeStep(e, { workerId: "w", job: slice1 }, result("before", "old slice"), "unfinished")).toBe(false);
    expect(await suspendAttempt(e, { workerId: "w", job: slice1 }, { continued: true, waits: [], existing: [] }, 0, t1)).toBe(false);
    expect(await row(slice1.id)).toEqual({ status: "processing", attempts: 1, locked_by: "w" });
    expect(await writeStep(e, { workerId: "w", job: slice2 }, result("before", "new slice"), "unfinished")).toBe(true);
  });

  it("a handler whose lease was taken over mid-run: its step write is refused, the tick reports it lost, nothing of it is stored", async () => {
    const steal = defineJob({
      name: "stolen-steps",
      schema: z.object({}),
      timeoutMs: 5_000,
      async handler(_p, ctx) {
        await ctx.step("one", () => "first", { timeoutMs: 1_000 });
        // The lease expires and another worker takes the job, while this attempt still runs.
        const other = withDb(thief, ctx.db);
        await ctx.db.execute("UPDATE cronbound.jobs SET locked_until = now() - interval '1 second' WHERE id = $1::bigint", [ctx.job.id]);
        await rescueExpiredLeases(other);
        await claimJobs(other, opts("worker-b"));
        await ctx.step("two", () => "from the stale attempt", { timeoutMs: 1_000 });
        return "never stored";
      },
    });
    const thief = engineOf(t.queue(createRegistry([steal])));
    const { job } = await enqueue(thief, "stolen-steps", {});
    const report = await runTick(thief, { budgetMs: 10_000, workerId: "worker-a", skipMaintenance: true, watchIntervalMs: 60_000 });
    expect(report).toMatchObject({ claimed: 1, completed: 0, lost: 1 });
    expect(await row(job.id)).toEqual({ status: "processing", attempts: 2, locked_by: "worker-b" });
    expect(await steps(job.id)).toEqual([{ step_id: "one", status: "completed", result: "first" }]);
  });
});
