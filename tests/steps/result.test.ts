// queue.getResult(id, { waitMs }): a bounded long-poll of the job's row.
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Queue } from "cronbound";
import { useTestDatabase } from "../helpers/db.ts";
import { STEP_EFFECTS_SQL, stepRegistry } from "../helpers/steps-registry.ts";

const t = useTestDatabase();
let q: Queue;
beforeAll(async () => {
  q = t.queue(stepRegistry);
  await t.sql(STEP_EFFECTS_SQL);
});
beforeEach(async () => {
  await t.sql("TRUNCATE jobs, steps, events");
});

describe("getResult", () => {
  it("waits for a job to finish and answers with its result, as soon as it has one", async () => {
    const { job } = await q.enqueue("waiter", { event: "go", timeoutMs: 3_600_000 });
    await q.runTick({ budgetMs: 10_000, skipMaintenance: true });
    const began = Date.now();
    const waiting = q.getResult(job.id, { waitMs: 20_000 });
    await new Promise((r) => setTimeout(r, 200));
    await q.sendEvent("go", { n: 1 });
    await q.runTick({ budgetMs: 10_000, skipMaintenance: true });
    const r = await waiting;
    // Answered once the job completed (polls at most a second apart), not at the end of the wait.
    expect(Date.now() - began).toBeLessThan(15_000);
    expect(r).toMatchObject({ id: job.id, type: "waiter", status: "completed", finished: true, result: { got: { n: 1 } }, error: null });
    expect(r?.finishedAt).toBeInstanceOf(Date);
  });

  it("answers with the job as it is when the wait ends first, and at once without waitMs", async () => {
    const { job } = await q.enqueue("waiter", { event: "never", timeoutMs: 3_600_000 });
    expect(await q.getResult(job.id)).toMatchObject({ status: "pending", finished: false, result: null });
    const started = Date.now();
    expect(await q.getResult(job.id, { waitMs: 300 })).toMatchObject({ status: "pending", finished: false });
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  });

  it("a failed job's error; null for no such job; a RangeError for a bad waitMs", async () => {
    const { job } = await q.enqueue("misuse", { how: "empty-id" });
    await q.runTick({ budgetMs: 10_000, skipMaintenance: true });
    expect(await q.getResult(job.id)).toMatchObject({ status: "failed", finished: true, result: null, error: "StepError: a step id must not be empty" });
    expect(await q.getResult("999999")).toBeNull();
    expect(await q.getResult("abc")).toBeNull();
    for (const waitMs of [-1, 1.5, 16 * 60_000, Number.NaN]) {
      await expect(q.getResult(job.id, { waitMs })).rejects.toThrow(/waitMs must be a whole number of milliseconds from 0 to 900000/);
    }
  });
});
