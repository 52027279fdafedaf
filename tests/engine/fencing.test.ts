import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { createRegistry, defineJob, type Job } from "cronbound";
import {
  claimJobs,
  completeAttempts,
  engineOf,
  enqueue,
  failAttempt,
  releaseAttempts,
  rescueExpiredLeases,
  retryAttempt,
  runTick,
  withDb,
  type Engine,
} from "cronbound/engine";
import { useTestDatabase } from "../helpers/db.ts";
import { testRegistry } from "../helpers/registry.ts";

const t = useTestDatabase();
let e: Engine;
beforeAll(() => {
  e = engineOf(t.queue(testRegistry));
});
beforeEach(async () => {
  await t.sql("TRUNCATE jobs");
});

const opts = (workerId: string) => ({ workerId, limit: 1, maxTimeoutMs: 60_000, graceMs: 1_000 });
const row = async (id: string) =>
  (await t.sql<{ status: string; attempts: number; locked_by: string | null; result: unknown; last_error: string | null }>(
    "SELECT status::text, attempts, locked_by, result, last_error FROM jobs WHERE id = $1",
    [id],
  ))[0];

/** Worker A claims, its lease expires, rescue returns the job, worker B claims attempt 2. */
async function staleAndFresh(): Promise<{ stale: Job; fresh: Job }> {
  await enqueue(e, "noop", {});
  const [stale] = await claimJobs(e, opts("worker-a"));
  await t.sql("UPDATE jobs SET locked_until = now() - interval '1 second' WHERE id = $1", [stale.id]);
  expect(await rescueExpiredLeases(e)).toEqual({ pending: 1, failed: 0 });
  const [fresh] = await claimJobs(e, opts("worker-b"));
  expect(fresh.id).toBe(stale.id);
  expect(fresh.attempts).toBe(2);
  return { stale, fresh };
}

describe("fencing: a stale worker cannot touch a re-claimed job", () => {
  it("cannot complete it", async () => {
    const { stale } = await staleAndFresh();
    const done = await completeAttempts(e, "worker-a", [{ id: stale.id, attempt: stale.attempts, result: "stale" }]);
    expect(done.size).toBe(0);
    expect(await row(stale.id)).toMatchObject({ status: "processing", attempts: 2, locked_by: "worker-b", result: null });
  });

  it("cannot retry it", async () => {
    const { stale } = await staleAndFresh();
    expect(await retryAttempt(e, "worker-a", { id: stale.id, attempt: stale.attempts }, "stale error", 0)).toBe(false);
    expect(await row(stale.id)).toMatchObject({ status: "processing", attempts: 2, locked_by: "worker-b" });
  });

  it("cannot fail it", async () => {
    const { stale } = await staleAndFresh();
    expect(await failAttempt(e, "worker-a", { id: stale.id, attempt: stale.attempts }, "stale error")).toBe(false);
    expect(await row(stale.id)).toMatchObject({ status: "processing", attempts: 2, locked_by: "worker-b" });
  });

  it("cannot release it", async () => {
    const { stale } = await staleAndFresh();
    expect((await releaseAttempts(e, "worker-a", [{ id: stale.id, attempt: stale.attempts }])).size).toBe(0);
    expect(await row(stale.id)).toMatchObject({ status: "processing", attempts: 2, locked_by: "worker-b" });
  });

  it("is fenced on the attempt too: the same worker id holding an older attempt cannot complete", async () => {
    await enqueue(e, "noop", {});
    const [first] = await claimJobs(e, opts("same"));
    await t.sql("UPDATE jobs SET locked_until = now() - interval '1 second' WHERE id = $1", [first.id]);
    await rescueExpiredLeases(e);
    const [second] = await claimJobs(e, opts("same"));
    expect((await completeAttempts(e, "same", [{ id: first.id, attempt: 1, result: "old" }])).size).toBe(0);
    expect((await completeAttempts(e, "same", [{ id: second.id, attempt: 2, result: "new" }])).size).toBe(1);
    expect(await row(first.id)).toMatchObject({ status: "completed", attempts: 2, result: "new" });
  });

  it("the fresh holder's completion lands", async () => {
    const { fresh } = await staleAndFresh();
    const done = await completeAttempts(e, "worker-b", [{ id: fresh.id, attempt: fresh.attempts, result: { ok: 1 } }]);
    expect([...done]).toEqual([fresh.id]);
    expect(await row(fresh.id)).toMatchObject({ status: "completed", attempts: 2, locked_by: null, result: { ok: 1 } });
  });

  it("a tick whose job was rescued and re-claimed mid-run reports it lost and leaves the newer attempt alone", async () => {
    // The handler, while running under tick A, simulates the lease expiring and another
    // worker taking the job: rescue (backdated lease) then a claim by worker-b.
    let jobId = "";
    const steal = defineJob({
      name: "stolen",
      schema: z.object({}),
      timeoutMs: 5_000,
      async handler(_p, { job, db }) {
        jobId = job.id;
        const other = withDb(stolen, db); // the engine's steps on the handler's own database handle
        await db.execute(`UPDATE cronbound.jobs SET locked_until = now() - interval '1 second' WHERE id = $1::bigint`, [job.id]);
        await rescueExpiredLeases(other);
        await claimJobs(other, opts("worker-b"));
        return "from the stale attempt";
      },
    });
    const stolen = engineOf(t.queue(createRegistry([steal])));
    await enqueue(stolen, "stolen", {});
    const report = await runTick(stolen, { budgetMs: 10_000, workerId: "worker-a", skipMaintenance: true, watchIntervalMs: 60_000 });
    expect(report).toMatchObject({ claimed: 1, completed: 0, lost: 1 });
    expect(await row(jobId)).toMatchObject({ status: "processing", attempts: 2, locked_by: "worker-b", result: null });
  });
});
