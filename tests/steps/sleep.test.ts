// ctx.sleep: the attempt ends, the job waits as a pending row due at the wake time, with no
// lease and nothing claimable before then; after it, the job resumes past the sleep.
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { claimJobs, engineOf, enqueue, runTick, type Engine } from "cronbound/engine";
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

const tick = (extra: Record<string, unknown> = {}) => runTick(e, { budgetMs: 10_000, skipMaintenance: true, ...extra });
const effects = async (id: string) => (await t.sql<{ kind: string }>("SELECT kind FROM step_effects WHERE job_id = $1 ORDER BY id", [id])).map((r) => r.kind);

describe("ctx.sleep", () => {
  it("holds no lease and leaves no claimable row until the wake time, then resumes after the sleep", async () => {
    const { job } = await enqueue(e, "sleeper", { ms: 3_600_000 });
    expect(await tick()).toMatchObject({ claimed: 1, waiting: 1, completed: 0, retried: 0 });

    const [row] = await t.sql<{ status: string; attempts: number; locked_by: string | null; locked_until: Date | null; wake_in_s: number }>(
      "SELECT status::text, attempts, locked_by, locked_until, extract(epoch FROM run_at - now())::float8 AS wake_in_s FROM jobs WHERE id = $1",
      [job.id],
    );
    expect(row).toMatchObject({ status: "pending", attempts: 0, locked_by: null, locked_until: null });
    expect(row.wake_in_s).toBeGreaterThan(3_500);
    expect(row.wake_in_s).toBeLessThanOrEqual(3_600);
    const [nap] = await t.sql<{ status: string; wake_at: Date; run_at: Date }>(
      "SELECT s.status, s.wake_at, j.run_at FROM steps s JOIN jobs j ON j.id = s.job_id WHERE s.job_id = $1 AND s.step_id = 'nap'",
      [job.id],
    );
    expect(nap.status).toBe("waiting");
    expect(nap.wake_at).toEqual(nap.run_at);

    // Nothing claims it: not a claim, not a tick (no wait on the clock here: the row is simply not due).
    expect(await claimJobs(e, { workerId: "w", limit: 10, maxTimeoutMs: 60_000, graceMs: 1_000 })).toEqual([]);
    expect(await tick()).toMatchObject({ claimed: 0 });
    expect(await effects(job.id)).toEqual(["before"]);

    // An hour passes (backdated): one tick resumes it after the sleep, without running "before" again.
    await t.sql("UPDATE jobs SET run_at = run_at - interval '1 hour' WHERE id = $1", [job.id]);
    await t.sql("UPDATE steps SET wake_at = wake_at - interval '1 hour' WHERE job_id = $1", [job.id]);
    expect(await tick()).toMatchObject({ claimed: 1, completed: 1, waiting: 0 });
    expect(await effects(job.id)).toEqual(["before", "after"]);
    const [done] = await t.sql<{ status: string; attempts: number; result: unknown }>("SELECT status::text, attempts, result FROM jobs WHERE id = $1", [job.id]);
    expect(done).toEqual({ status: "completed", attempts: 1, result: "rested" });
    expect((await t.sql("SELECT status FROM steps WHERE job_id = $1 AND step_id = 'nap'", [job.id]))[0]).toEqual({ status: "completed" });
  });

  it("woken early (its row made due but the sleep not over) it sleeps on, until the same wake time", async () => {
    const { job } = await enqueue(e, "sleeper", { ms: 3_600_000 });
    await tick();
    const [before] = await t.sql<{ run_at: Date }>("SELECT run_at FROM jobs WHERE id = $1", [job.id]);
    await t.sql("UPDATE jobs SET run_at = now() WHERE id = $1", [job.id]);
    expect(await tick()).toMatchObject({ claimed: 1, waiting: 1 });
    const [after] = await t.sql<{ run_at: Date; attempts: number }>("SELECT run_at, attempts FROM jobs WHERE id = $1", [job.id]);
    expect(after).toEqual({ run_at: before.run_at, attempts: 0 });
    expect(await effects(job.id)).toEqual(["before"]);
  });

  it("until a Date: due at that time by an injected clock, resumed by a tick at that clock", async () => {
    const wake = new Date(Date.now() + 2 * 86_400_000);
    const { job } = await enqueue(e, "sleeper", { until: wake.toISOString() });
    await tick();
    const [row] = await t.sql<{ run_at: Date }>("SELECT run_at FROM jobs WHERE id = $1", [job.id]);
    expect(row.run_at.getTime()).toBe(wake.getTime());
    expect(await tick({ now: new Date(wake.getTime() - 1_000) })).toMatchObject({ claimed: 0 });
    expect(await tick({ now: new Date(wake.getTime() + 1) })).toMatchObject({ claimed: 1, completed: 1 });
    expect(await effects(job.id)).toEqual(["before", "after"]);
  });

  it("a cancelled sleeping job stays cancelled: cancelJob takes it like any pending job", async () => {
    const { job } = await enqueue(e, "sleeper", { ms: 3_600_000 });
    await tick();
    expect((await t.queue(stepRegistry).cancelJob(job.id)).ok).toBe(true);
    await t.sql("UPDATE jobs SET run_at = now() - interval '2 hours' WHERE id = $1", [job.id]);
    expect(await tick()).toMatchObject({ claimed: 0 });
    expect(await effects(job.id)).toEqual(["before"]);
  });
});
