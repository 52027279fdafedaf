import { z } from "zod";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createRegistry, defineJob, sleep } from "cronbound";
import { claimJobs, engineOf, enqueue, progressWriter, rescueExpiredLeases, runMaintenance, runTick, type Engine } from "cronbound/engine";
import { useTestDatabase } from "../helpers/db.ts";

/** Reports progress `calls` times, `pauseMs` apart (0: a tight loop), ending at 1. */
const chatty = defineJob({
  name: "chatty",
  schema: z.object({ calls: z.number().int(), pauseMs: z.number().int() }),
  timeoutMs: 10_000,
  async handler({ calls, pauseMs }, ctx) {
    for (let i = 1; i <= calls; i++) {
      await ctx.progress(i / calls);
      if (pauseMs) await sleep(pauseMs, ctx.signal);
    }
    return "done";
  },
});
const objects = defineJob({
  name: "objects",
  schema: z.object({}),
  timeoutMs: 10_000,
  async handler(_, ctx) {
    for (let i = 1; i <= 1000; i++) await ctx.progress({ done: i, of: 1000, stage: "resize" });
  },
});
const registry = createRegistry([chatty, objects]);

const t = useTestDatabase();
let e: Engine;
beforeAll(async () => {
  e = engineOf(t.queue(registry));
  // Counts every write that changes a job's progress, whoever makes it. The test's own objects
  // go in public, named in full: the engine's connections do not have cronbound on their path.
  await t.sql(`
    CREATE TABLE public.progress_writes (job_id bigint, value jsonb, at timestamptz DEFAULT clock_timestamp());
    CREATE FUNCTION public.count_progress() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN INSERT INTO public.progress_writes (job_id, value) VALUES (NEW.id, NEW.progress); RETURN NEW; END $$;
    CREATE TRIGGER count_progress AFTER UPDATE OF progress ON cronbound.jobs
      FOR EACH ROW WHEN (OLD.progress IS DISTINCT FROM NEW.progress) EXECUTE FUNCTION public.count_progress();`);
});
beforeEach(async () => {
  await t.sql("TRUNCATE jobs, progress_writes");
});

const writes = async (id: string) => (await t.sql<{ value: unknown }>("SELECT value FROM progress_writes WHERE job_id = $1 ORDER BY at", [id])).map((w) => w.value);
const stored = async (id: string) => (await t.sql<{ progress: unknown; status: string }>("SELECT progress, status::text FROM jobs WHERE id = $1", [id]))[0];

describe("ctx.progress is throttled", () => {
  it("10,000 calls in a tight loop write at most a handful of times, and the final value is stored", async () => {
    const { job } = await enqueue(e, "chatty", { calls: 10_000, pauseMs: 0 });
    const report = await runTick(e, { budgetMs: 20_000 });
    expect(report.completed).toBe(1);
    const w = await writes(job.id);
    expect(w.length).toBeGreaterThanOrEqual(1);
    expect(w.length).toBeLessThanOrEqual(3);
    expect(w.at(-1)).toBe(1);
    expect(await stored(job.id)).toEqual({ progress: 1, status: "completed" });
  });

  it("a handler reporting every 20 ms for 2.5 s writes about once a second, not 125 times", async () => {
    const { job } = await enqueue(e, "chatty", { calls: 125, pauseMs: 20 });
    await runTick(e, { budgetMs: 20_000 });
    const w = await writes(job.id);
    expect(w.length).toBeGreaterThanOrEqual(2);
    expect(w.length).toBeLessThanOrEqual(5);
    expect(w.at(-1)).toBe(1);
  });

  it("a small object is stored as is; out-of-range numbers, arrays and big objects are refused", async () => {
    const { job } = await enqueue(e, "objects", {});
    await runTick(e, { budgetMs: 20_000 });
    expect((await stored(job.id)).progress).toEqual({ done: 1000, of: 1000, stage: "resize" });
    expect((await writes(job.id)).length).toBeLessThanOrEqual(3);

    await enqueue(e, "objects", {});
    const [claimed] = await claimJobs(e, { workerId: "w", limit: 1, maxTimeoutMs: 60_000, graceMs: 0 });
    const p = progressWriter(e, "w", claimed);
    expect(() => p.report(1.5)).toThrow(RangeError);
    expect(() => p.report(-0.1)).toThrow(RangeError);
    expect(() => p.report(Number.NaN)).toThrow(RangeError);
    expect(() => p.report([1, 2] as never)).toThrow(TypeError);
    expect(() => p.report({ blob: "x".repeat(5000) })).toThrow(/over 4096 bytes/);
  });
});

describe("lease policy: a long, healthy job is never rescued from under itself", () => {
  it("the lease covers the whole timeout from the claim, so rescue cannot take a job before its handler is stopped", async () => {
    await enqueue(e, "chatty", { calls: 1, pauseMs: 0 }, { timeoutMs: 600_000 });
    const claimedAt = new Date("2030-01-01T00:00:00Z");
    const [job] = await claimJobs(e, { workerId: "w", limit: 1, maxTimeoutMs: 3_600_000, graceMs: 15_000, now: claimedAt });
    expect(job.lockedUntil!.getTime() - claimedAt.getTime()).toBe(600_000 + 15_000);
    // Ten minutes in (the handler's timeout, when the executor stops it): still its own.
    expect(await rescueExpiredLeases(e, { now: new Date(claimedAt.getTime() + 600_000) })).toEqual({ pending: 0, failed: 0 });
    expect(await rescueExpiredLeases(e, { now: new Date(job.lockedUntil!.getTime() - 1) })).toEqual({ pending: 0, failed: 0 });
    // Progress writes leave the lease as it is: nothing to extend, nothing shortened.
    const p = progressWriter(e, "w", job, new Date(claimedAt.getTime() + 300_000));
    expect(await p.report(0.5)).toBe(true);
    const [after] = await t.sql<{ locked_until: Date }>("SELECT locked_until FROM jobs WHERE id = $1", [job.id]);
    expect(after.locked_until.getTime()).toBe(job.lockedUntil!.getTime());
    // Only past timeout + grace, i.e. after the worker died or stalled, is it rescued.
    expect(await rescueExpiredLeases(e, { now: new Date(job.lockedUntil!.getTime() + 1) })).toEqual({ pending: 1, failed: 0 });
    // And then the old attempt's progress write is fenced out.
    expect(await p.report(0.9).then(() => p.flush()).then(() => t.sql<{ progress: unknown }>("SELECT progress FROM jobs WHERE id = $1", [job.id]))).toEqual([{ progress: 0.5 }]);
  });

  it("maintenance running over and over while a job reports progress never rescues it", async () => {
    const { job } = await enqueue(e, "chatty", { calls: 60, pauseMs: 25 });
    const tick = runTick(e, { budgetMs: 20_000, graceMs: 0, watchIntervalMs: 50 });
    let rescued = 0;
    let done = false;
    void tick.finally(() => (done = true));
    while (!done) {
      rescued += (await runMaintenance(e)).rescued;
      await sleep(20);
    }
    const report = await tick;
    expect(rescued).toBe(0);
    expect(report).toMatchObject({ completed: 1, lost: 0 });
    expect((await stored(job.id)).progress).toBe(1);
  });
});
