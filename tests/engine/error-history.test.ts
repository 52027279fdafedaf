// A job's error history (`errors`) keeps only the last ERROR_HISTORY (20) attempts' errors,
// trimmed in the same SQL statement that appends: retry, fail and rescue alike. A job retried
// for months (retryJob resets attempts, not the history) still holds a bounded list.
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ERROR_HISTORY } from "cronbound";
import { claimJobs, engineOf, enqueue, failAttempt, rescueExpiredLeases, retryAttempt, retryJob, type Engine } from "cronbound/engine";
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

const T0 = new Date("2030-06-01T12:00:00.000Z");
const at = (ms: number) => new Date(T0.getTime() + ms);

async function claim(id: string, now: Date) {
  const [job] = await claimJobs(e, { workerId: "w", limit: 1, maxTimeoutMs: 60_000, graceMs: 1_000, now });
  expect(job?.id).toBe(id);
  return { id: job.id, attempt: job.attempts };
}

const history = async (id: string) =>
  (await t.sql<{ errors: { attempt: number; error: string }[]; last_error: string }>("SELECT errors, last_error FROM jobs WHERE id = $1", [id]))[0];

describe("error history", () => {
  it("is 20 entries", () => {
    expect(ERROR_HISTORY).toBe(20);
  });

  it("keeps the last 20 errors through retries and a final failure, oldest dropped first", async () => {
    const { job } = await enqueue(e, "noop", {}, { maxAttempts: 1000 });
    for (let i = 1; i <= 30; i++) {
      const a = await claim(job.id, at(i * 10_000));
      if (i < 30) expect(await retryAttempt(e, "w", a, `boom ${i}`, 0, at(i * 10_000 + 1))).toBe(true);
      else expect(await failAttempt(e, "w", a, `boom ${i}`, at(i * 10_000 + 1))).toBe(true);
    }
    const h = await history(job.id);
    expect(h.errors).toHaveLength(20);
    expect(h.errors.map((x) => x.error)).toEqual(Array.from({ length: 20 }, (_, k) => `boom ${k + 11}`));
    expect(h.errors.at(-1)).toMatchObject({ attempt: 30 });
    expect(h.last_error).toBe("boom 30");
  });

  it("stays capped across retryJob (which resets attempts but keeps the history) and rescue", async () => {
    const { job } = await enqueue(e, "noop", {}, { maxAttempts: 1 });
    let now = 0;
    for (let round = 0; round < 25; round++) {
      now += 100_000;
      await claim(job.id, at(now));
      // Crash: the lease expires and, being the last attempt, rescue fails the job.
      expect(await rescueExpiredLeases(e, { now: at(now + 7_000) })).toEqual({ pending: 0, failed: 1 });
      expect((await retryJob(e, job.id, { now: at(now + 8_000) })).ok).toBe(true);
    }
    const h = await history(job.id);
    expect(h.errors).toHaveLength(20);
    expect(h.errors.every((x) => /lease expired/.test(x.error))).toBe(true);
  });

  it("keeps every entry while there are fewer than 20", async () => {
    const { job } = await enqueue(e, "noop", {}, { maxAttempts: 10 });
    for (let i = 1; i <= 3; i++) await retryAttempt(e, "w", await claim(job.id, at(i * 10_000)), `e${i}`, 0, at(i * 10_000 + 1));
    expect((await history(job.id)).errors.map((x) => x.error)).toEqual(["e1", "e2", "e3"]);
  });
});
