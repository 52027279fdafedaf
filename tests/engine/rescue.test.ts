import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { claimJobs, engineOf, enqueue, rescueExpiredLeases, runTick, type Engine } from "cronbound/engine";
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

// The clock is injected: the lease is set at T0 and rescue looks at T0 + offset, so each side of
// the boundary is checked exactly, with no sleeping.
const T0 = new Date("2030-06-01T12:00:00.000Z");
const at = (ms: number) => new Date(T0.getTime() + ms);

async function claimed(maxAttempts = 3) {
  await enqueue(e, "noop", {}, { maxAttempts }); // timeout 5,000 ms
  const [job] = await claimJobs(e, { workerId: "crashed", limit: 1, maxTimeoutMs: 60_000, graceMs: 1_000, now: T0 });
  expect(job.lockedUntil?.getTime()).toBe(T0.getTime() + 6_000);
  return job;
}

const state = async (id: string) =>
  (await t.sql<{ status: string; attempts: number; locked_by: string | null; last_error: string | null; finished: boolean }>(
    "SELECT status::text, attempts, locked_by, last_error, finished_at IS NOT NULL AS finished FROM jobs WHERE id = $1",
    [id],
  ))[0];

describe("rescue", () => {
  it("leaves a lease that expires at exactly now alone (it is not yet past)", async () => {
    const job = await claimed();
    expect(await rescueExpiredLeases(e, { now: at(6_000) })).toEqual({ pending: 0, failed: 0 });
    expect(await state(job.id)).toMatchObject({ status: "processing", locked_by: "crashed" });
  });

  it("leaves a lease 1 ms before expiry alone", async () => {
    const job = await claimed();
    expect(await rescueExpiredLeases(e, { now: at(5_999) })).toEqual({ pending: 0, failed: 0 });
    expect(await state(job.id)).toMatchObject({ status: "processing" });
  });

  it("returns a lease expired by 1 ms to pending, keeping the attempt counted, with a clear lastError", async () => {
    const job = await claimed();
    expect(await rescueExpiredLeases(e, { now: at(6_001) })).toEqual({ pending: 1, failed: 0 });
    const s = await state(job.id);
    expect(s).toMatchObject({ status: "pending", attempts: 1, locked_by: null, finished: false });
    expect(s.last_error).toMatch(/lease expired: crashed did not finish attempt 1/);
    // ...and it is claimable again, as attempt 2.
    const [again] = await claimJobs(e, { workerId: "next", limit: 1, maxTimeoutMs: 60_000, graceMs: 1_000, now: at(6_002) });
    expect(again).toMatchObject({ id: job.id, attempts: 2 });
  });

  it("fails a job whose expired attempt was its last", async () => {
    const job = await claimed(1);
    expect(await rescueExpiredLeases(e, { now: at(6_001) })).toEqual({ pending: 0, failed: 1 });
    const s = await state(job.id);
    expect(s).toMatchObject({ status: "failed", attempts: 1, locked_by: null, finished: true });
    expect(s.last_error).toMatch(/lease expired/);
    const [{ errors }] = await t.sql<{ errors: { attempt: number; error: string }[] }>("SELECT errors FROM jobs WHERE id = $1", [job.id]);
    expect(errors).toHaveLength(1);
    expect(errors[0].attempt).toBe(1);
  });

  it("is bounded per call", async () => {
    for (let i = 0; i < 5; i++) await claimed();
    expect(await rescueExpiredLeases(e, { now: at(10_000), limit: 2 })).toEqual({ pending: 2, failed: 0 });
    expect(await rescueExpiredLeases(e, { now: at(10_000), limit: 10 })).toEqual({ pending: 3, failed: 0 });
  });

  it("runs in the tick's maintenance and the tick then completes the rescued job", async () => {
    const job = await claimed();
    await t.sql("UPDATE jobs SET locked_until = now() - interval '1 ms' WHERE id = $1", [job.id]);
    const report = await runTick(e, { budgetMs: 10_000 });
    expect(report).toMatchObject({ rescued: 1, claimed: 1, completed: 1 });
    expect(await state(job.id)).toMatchObject({ status: "completed", attempts: 2 });
  });
});
