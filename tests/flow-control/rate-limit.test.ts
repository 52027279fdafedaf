import { beforeEach, describe, expect, it } from "vitest";
import { claimJobs, completeAttempts, engineOf, enqueueMany, type Engine } from "cronbound/engine";
import { useTestDatabase } from "../helpers/db.ts";
import { createRegistry } from "cronbound";
import { flowRegistry, plain, rated } from "./registry.ts";

const t = useTestDatabase();

beforeEach(async () => {
  await t.sql("TRUNCATE jobs, flow_starts, flow_keys, type_settings");
});

/** The most starts of one key in any window (s - periodMs, s] ending at a start s. */
function maxInWindow(starts: number[], periodMs: number): number {
  const s = [...starts].sort((a, b) => a - b);
  let max = 0;
  for (let i = 0, lo = 0; i < s.length; i++) {
    while (s[lo] <= s[i] - periodMs) lo++;
    max = Math.max(max, i - lo + 1);
  }
  return max;
}

async function startsByKey(): Promise<Map<string, number[]>> {
  const rows = await t.sql<{ k: string; at: Date }>("SELECT flow_key AS k, started_at AS at FROM flow_starts WHERE type = 'rated'");
  const m = new Map<string, number[]>();
  for (const r of rows) m.set(r.k, [...(m.get(r.k) ?? []), r.at.getTime()]);
  return m;
}

async function drainOnce(e: Engine, workerId: string, now?: Date): Promise<number> {
  const jobs = await claimJobs(e, { workerId, limit: 7, maxTimeoutMs: 60_000, graceMs: 1_000, now });
  if (jobs.length) await completeAttempts(e, workerId, jobs.map((j) => ({ id: j.id, attempt: j.attempts, result: null })), now);
  return jobs.length;
}

describe("rate limit (20 per second per key, sliding window)", () => {
  it("3 claimers every 50 ms of injected database time for 3 s: at most 20 starts of a key in any 1 s window, and the limit is used", async () => {
    const e = engineOf(t.queue(flowRegistry));
    const t0 = new Date("2030-01-01T00:00:00.000Z");
    await enqueueMany(e, Array.from({ length: 200 }, (_, n) => ({ type: "rated", payload: { tenant: `k${n % 2}`, n }, options: { runAt: new Date(t0.getTime() - 1000) } })));
    const claimers = [0, 1, 2].map(() => engineOf(t.queue(flowRegistry, {}, { pool: t.newPool(1) })));
    for (let ms = 0; ms < 3000; ms += 50) {
      const now = new Date(t0.getTime() + ms);
      await Promise.all(claimers.map((c, i) => drainOnce(c, `c${i}`, now)));
    }
    const byKey = await startsByKey();
    expect([...byKey.keys()].sort()).toEqual(["k0", "k1"]);
    for (const starts of byKey.values()) {
      expect(maxInWindow(starts, 1000)).toBe(20);
      // Windows start at 0, 1,000 and 2,000 ms: 20 each, no more, no fewer.
      expect(starts).toHaveLength(60);
    }
    // The rest wait, pending, with no attempt spent.
    const pending = await t.sql<{ n: number; attempts: number }>("SELECT count(*)::int AS n, max(attempts) AS attempts FROM jobs WHERE status = 'pending'");
    expect(pending).toEqual([{ n: 80, attempts: 0 }]);
  });

  it("8 concurrent claimers on the database clock for 1.5 s: at most 20 starts of a key in any 1 s window", async () => {
    const e = engineOf(t.queue(flowRegistry));
    await enqueueMany(e, Array.from({ length: 400 }, (_, n) => ({ type: "rated", payload: { tenant: `k${n % 4}`, n } })));
    const claimers = Array.from({ length: 8 }, () => engineOf(t.queue(flowRegistry, {}, { pool: t.newPool(1) })));
    const [{ start }] = await t.sql<{ start: Date }>("SELECT now() AS start");
    const elapsed = async () => (await t.sql<{ ms: number }>("SELECT (extract(epoch FROM now() - $1::timestamptz) * 1000)::float8 AS ms", [start]))[0].ms;
    await Promise.all(
      claimers.map(async (c, i) => {
        while ((await elapsed()) < 1500) {
          if (!(await drainOnce(c, `c${i}`))) await new Promise((r) => setTimeout(r, 5));
        }
      }),
    );
    const byKey = await startsByKey();
    expect(byKey.size).toBe(4);
    for (const starts of byKey.values()) {
      expect(maxInWindow(starts, 1000)).toBeLessThanOrEqual(20);
      expect(starts.length).toBeGreaterThanOrEqual(20);
      expect(starts.length).toBeLessThanOrEqual(40);
    }
    // flow_starts agrees with the jobs' own start times (every job started once here).
    const [{ n }] = await t.sql<{ n: number }>("SELECT count(*)::int AS n FROM jobs WHERE started_at IS NOT NULL");
    expect(n).toBe([...byKey.values()].reduce((a, s) => a + s.length, 0));
  });

  it("maintenance gives keyed jobs of a type that no longer declares a limit back to the plain claim", async () => {
    // A registry of its own: a process looks for such jobs at its first tick, then once a minute.
    const e = engineOf(t.queue(createRegistry([plain, rated])));
    // "plain" declares no limit; this job was enqueued when it did.
    await t.sql("INSERT INTO jobs (type, payload, timeout_ms, flow_key) VALUES ('plain', '{\"n\": 1}', 30000, 'tenant-a')");
    expect(await claimJobs(e, { workerId: "w", limit: 5, maxTimeoutMs: 60_000, graceMs: 1_000 })).toEqual([]);
    const { runMaintenance } = await import("cronbound/engine");
    const m = await runMaintenance(e, {});
    expect(m.steps.releasedFromLimits).toBe(1);
    const jobs = await claimJobs(e, { workerId: "w", limit: 5, maxTimeoutMs: 60_000, graceMs: 1_000 });
    expect(jobs.map((j) => j.type)).toEqual(["plain"]);
  });

  it("maintenance forgets starts older than the longest window in use", async () => {
    const e = engineOf(t.queue(flowRegistry));
    await t.sql("INSERT INTO flow_starts (type, flow_key, started_at) VALUES ('rated', 'a', now() - interval '1 hour'), ('rated', 'a', now())");
    const { runMaintenance } = await import("cronbound/engine");
    await runMaintenance(e, {});
    const rows = await t.sql<{ n: number }>("SELECT count(*)::int AS n FROM flow_starts");
    expect(rows).toEqual([{ n: 1 }]);
  });
});
