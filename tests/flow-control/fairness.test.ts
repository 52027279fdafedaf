import { beforeEach, describe, expect, it } from "vitest";
import type { Job } from "cronbound";
import { claimJobs, completeAttempts, engineOf, enqueueMany, type Engine } from "cronbound/engine";
import { useTestDatabase } from "../helpers/db.ts";
import { flowRegistry } from "./registry.ts";

const t = useTestDatabase();
let e: Engine;

beforeEach(async () => {
  await t.sql("TRUNCATE jobs, flow_starts, flow_keys, type_settings");
  e = engineOf(t.queue(flowRegistry));
});

async function claimAndComplete(limit: number): Promise<Job[]> {
  const jobs = await claimJobs(e, { workerId: "w", limit, maxTimeoutMs: 60_000, graceMs: 1_000 });
  await completeAttempts(e, "w", jobs.map((j) => ({ id: j.id, attempt: j.attempts, result: null })));
  return jobs;
}

const tenant = (j: Job) => (j.payload as { tenant: string }).tenant;

describe("fair claiming across keys (round robin)", () => {
  it("tenant A enqueues 10,000 jobs, then B 10: with batches of 10, B's jobs all start within the first 2 claims", async () => {
    const a = Array.from({ length: 10_000 }, (_, n) => ({ type: "fair", payload: { tenant: "A", n } }));
    for (let i = 0; i < a.length; i += 5000) await enqueueMany(e, a.slice(i, i + 5000));
    await enqueueMany(e, Array.from({ length: 10 }, (_, n) => ({ type: "fair", payload: { tenant: "B", n } })));
    // Bound: k keys with claimable jobs and a batch of n: each claim takes each key's next job in
    // turn (every key's first before any key's second), so a key with work gets at least
    // floor(n / k) jobs per claim when n >= k. Here k = 2, n = 10: 5 of B's per claim.
    const first = await claimAndComplete(10);
    const second = await claimAndComplete(10);
    expect(first.filter((j) => tenant(j) === "B")).toHaveLength(5);
    expect(second.filter((j) => tenant(j) === "B")).toHaveLength(5);
    expect(new Set([...first, ...second].filter((j) => tenant(j) === "B").map((j) => (j.payload as { n: number }).n))).toEqual(new Set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
    // Within a key the order is the plain claim's: A's oldest first.
    expect(first.filter((j) => tenant(j) === "A").map((j) => (j.payload as { n: number }).n)).toEqual([0, 1, 2, 3, 4]);
    const third = await claimAndComplete(10);
    expect(third.map(tenant)).toEqual(Array(10).fill("A"));
  });

  it("more keys than the batch: the least recently served keys go first, so every key starts within ceil(k / n) claims", async () => {
    // 30 tenants, 5 jobs each, enqueued tenant by tenant (t0's jobs are the oldest), batch 10.
    const items = Array.from({ length: 30 }, (_, k) => Array.from({ length: 5 }, (_, n) => ({ type: "fair", payload: { tenant: `t${k}`, n } }))).flat();
    await enqueueMany(e, items);
    const served = new Map<string, number>();
    for (let claim = 1; claim <= 3; claim++) {
      const jobs = await claimAndComplete(10);
      expect(jobs).toHaveLength(10);
      // One job per key per claim while more keys than slots wait.
      expect(new Set(jobs.map(tenant)).size).toBe(10);
      for (const j of jobs) if (!served.has(tenant(j))) served.set(tenant(j), claim);
    }
    expect(served.size).toBe(30); // ceil(30 / 10) = 3 claims
    // The fourth claim goes back to the keys served in the first.
    const fourth = await claimAndComplete(10);
    expect(new Set(fourth.map(tenant))).toEqual(new Set([...served].filter(([, c]) => c === 1).map(([k]) => k)));
  });
});
