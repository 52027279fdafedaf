import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { cancelJob, engineOf, enqueue, enqueueMany, getJob, getStats, retryJob, retryJobs, runTick, type Engine } from "cronbound/engine";
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

const t0 = new Date("2030-01-01T00:00:00Z");
const later = (s: number) => new Date(t0.getTime() + s * 1000);
const tick = (now: Date) => runTick(e, { budgetMs: 10_000, now });

describe("dead jobs", () => {
  it("a failed job keeps its payload, attempts and every attempt's error", async () => {
    const { job } = await enqueue(e, "failing", { permanent: false }, { now: t0 });
    // failing: 3 attempts, 60 s backoff (no jitter). Each tick runs once the backoff passed.
    expect((await tick(later(1))).retried).toBe(1);
    expect((await tick(later(30))).claimed).toBe(0); // still backing off
    expect((await tick(later(62))).retried).toBe(1);
    expect((await tick(later(200))).failed).toBe(1);
    const dead = await getJob(e, job.id);
    expect(dead).toMatchObject({ status: "failed", attempts: 3, payload: { permanent: false }, lastError: "Error: boom on attempt 3" });
    expect(dead!.errors.map((e) => [e.attempt, e.error])).toEqual([
      [1, "Error: boom on attempt 1"],
      [2, "Error: boom on attempt 2"],
      [3, "Error: boom on attempt 3"],
    ]);
  });

  it("retryJob puts a failed job back to pending with fresh attempts and keeps its history; a pending job gets a clear answer", async () => {
    const { job } = await enqueue(e, "failing", { permanent: true }, { now: t0 });
    await tick(later(1));
    const r = await retryJob(e, job.id, { now: later(10) });
    expect(r).toMatchObject({ ok: true, job: { status: "pending", attempts: 0, finishedAt: null, runAt: later(10) } });
    if (r.ok) expect(r.job.errors).toHaveLength(1);
    expect(await retryJob(e, job.id)).toMatchObject({ ok: false, reason: "wrong_status", status: "pending" });
    expect((await tick(later(11))).failed).toBe(1);
    expect((await getJob(e, job.id))!.errors).toHaveLength(2);
  });

  it("retryJobs puts the dead jobs of one type back, in bounded batches, leaving other types and statuses alone", async () => {
    await enqueueMany(e, Array.from({ length: 25 }, () => ({ type: "failing", payload: { permanent: true } })));
    const cancelled = await enqueueMany(e, Array.from({ length: 5 }, () => ({ type: "failing", payload: {} })));
    for (const id of cancelled) await cancelJob(e, id);
    await enqueueMany(e, Array.from({ length: 3 }, () => ({ type: "noop", payload: {} })));
    await t.sql("UPDATE jobs SET status = 'failed', finished_at = now(), attempts = 1 WHERE type = 'noop'");
    await runTick(e, { budgetMs: 10_000, batchSize: 50, concurrency: 50 });
    const count = async (type: string, status: string) =>
      (await t.sql<{ n: number }>("SELECT count(*)::int AS n FROM jobs WHERE type = $1 AND status = $2", [type, status]))[0].n;
    expect(await count("failing", "failed")).toBe(25);

    expect(await retryJobs(e, { type: "failing", status: "failed", limit: 7 })).toEqual({ retried: 7 });
    expect(await retryJobs(e, { type: "failing", status: "failed", batchSize: 4 })).toEqual({ retried: 18 });
    expect(await count("failing", "failed")).toBe(0);
    expect(await count("failing", "cancelled")).toBe(5);
    expect(await retryJobs(e, { type: "failing" })).toEqual({ retried: 5 });
    expect(await count("failing", "pending")).toBe(30);
    expect(await count("noop", "failed")).toBe(3);
    const [fresh] = await t.sql<{ attempts: number; finished: boolean }>(
      "SELECT max(attempts) AS attempts, bool_or(finished_at IS NOT NULL) AS finished FROM jobs WHERE type = 'failing'",
    );
    expect(fresh).toEqual({ attempts: 0, finished: false });
    await expect(retryJobs(e, { type: "failing", status: "completed" as never })).rejects.toThrow(/failed and\/or cancelled/);
  });
});

describe("delayed jobs", () => {
  it("are pending but not due: counted as scheduled in stats, not run, and not counted as waiting", async () => {
    await enqueue(e, "noop", {}, { delayMs: 3_600_000 });
    await enqueue(e, "noop", {}, { runAt: new Date(Date.now() + 86_400_000) });
    const due = await enqueue(e, "noop", {});
    const blocker = await enqueue(e, "noop", {}, { delayMs: 3_600_000 });
    await enqueue(e, "noop", {}, { dependsOn: [blocker.job.id] });
    const stats = await getStats(e);
    expect(stats.counts.pending).toBe(5);
    expect(stats.scheduled).toBe(3);
    expect(stats.blocked).toBe(1);
    const report = await runTick(e, { budgetMs: 10_000 });
    expect(report.completed).toBe(1);
    expect((await getJob(e, due.job.id))!.status).toBe("completed");
    const after = await getStats(e);
    expect(after).toMatchObject({ scheduled: 3, blocked: 1, oldestPendingAgeSeconds: 0 });
    // When its time comes, it runs.
    const report2 = await runTick(e, { budgetMs: 10_000, now: new Date(Date.now() + 3_700_000) });
    expect(report2.completed).toBe(3); // the two delayed by an hour, then the dependent of one of them
  });
});
