import { beforeEach, describe, expect, it } from "vitest";
import { claimJobs, completeAttempts, engineOf, enqueue, enqueueMany, runTick, type Engine } from "cronbound/engine";
import { useTestDatabase } from "../helpers/db.ts";
import { flowRegistry } from "./registry.ts";

const t = useTestDatabase();
const claimOpts = (workerId: string, limit: number) => ({ workerId, limit, maxTimeoutMs: 60_000, graceMs: 5_000 });

beforeEach(async () => {
  await t.sql("TRUNCATE jobs, flow_starts, flow_keys, type_settings");
});

/**
 * Claims with `n` claimers on their own connections until nothing is left; holds each batch ~3 ms.
 * Half the claimers have 5 s left (as a tick near its deadline), so they pass over jobs whose
 * timeout is longer: claimers that see the same rows pick different jobs, the case a lock must cover.
 */
async function claimAll(n: number, batch: number): Promise<string[]> {
  const claimed: string[] = [];
  const claimers = Array.from({ length: n }, () => engineOf(t.queue(flowRegistry, {}, { pool: t.newPool(1) })));
  await Promise.all(
    claimers.map(async (e: Engine, i) => {
      for (;;) {
        const jobs = await claimJobs(e, { ...claimOpts(`claimer-${i}`, batch), maxTimeoutMs: i % 2 ? 60_000 : 5_000 });
        if (!jobs.length) {
          // Held back or nothing this claimer may take: done once no job is left to claim.
          const [{ n }] = await t.sql<{ n: number }>("SELECT count(*)::int AS n FROM jobs WHERE status = 'pending'");
          if (n === 0) return;
          await new Promise((r) => setTimeout(r, 5));
          continue;
        }
        claimed.push(...jobs.map((j) => j.id));
        await new Promise((r) => setTimeout(r, 3));
        const ok = await completeAttempts(e, `claimer-${i}`, jobs.map((j) => ({ id: j.id, attempt: j.attempts, result: null })));
        expect(ok.size).toBe(jobs.length);
      }
    }),
  );
  return claimed;
}

/** Samples the running count of every key on its own connection until stopped; returns the maxima. */
function sampler(type = "per-tenant", by: "flow_key" | "type" = "flow_key") {
  const pool = t.newPool(1);
  const max = new Map<string, number>();
  let samples = 0;
  let stop = false;
  const done = (async () => {
    while (!stop) {
      const { rows } = await pool.query<{ k: string; n: number }>(
        `SELECT ${by} AS k, count(*)::int AS n FROM cronbound.jobs WHERE status = 'processing' AND type = $1 GROUP BY ${by}`,
        [type],
      );
      for (const r of rows) max.set(r.k, Math.max(max.get(r.k) ?? 0, r.n));
      samples++;
      await new Promise((r) => setTimeout(r, 2));
    }
  })();
  return {
    async stop() {
      stop = true;
      await done;
      return { max, samples };
    },
  };
}

describe("concurrency limit", () => {
  it("8 concurrent claimers and 2 overlapping ticks on 5,000 jobs over 50 keys never run more than 2 of a key; every job completes once", async () => {
    const items = Array.from({ length: 5000 }, (_, n) => ({ type: "per-tenant", payload: { tenant: `t${n % 50}`, n, ms: 1 }, options: { timeoutMs: n % 3 ? 1_000 : 20_000 } }));
    const base = engineOf(t.queue(flowRegistry));
    for (let i = 0; i < items.length; i += 1000) await enqueueMany(base, items.slice(i, i + 1000));
    const s = sampler();
    // Eight claimers on their own connections: claim, hold the jobs a moment, complete them.
    const claiming = claimAll(8, 7);
    // Two ticks beside them, as overlapping cron invocations would run.
    const ticks = [0, 1].map((i) =>
      runTick(engineOf(t.queue(flowRegistry, {}, { pool: t.newPool(3) })), { budgetMs: 60_000, concurrency: 10, workerId: `tick-${i}`, skipMaintenance: true }),
    );
    const reports = await Promise.all(ticks);
    const claimed = await claiming;
    const { max, samples } = await s.stop();

    expect(samples).toBeGreaterThan(20);
    expect(Math.max(...max.values())).toBe(2); // reached, never exceeded
    expect(max.size).toBe(50);
    const ticked = reports.reduce((n, r) => n + r.completed, 0);
    expect(ticked).toBeGreaterThan(0);
    expect(new Set(claimed).size).toBe(claimed.length);
    expect(claimed.length + ticked).toBe(5000);
    const rows = await t.sql<{ status: string; attempts: number; n: number }>(
      "SELECT status::text, attempts, count(*)::int AS n FROM jobs GROUP BY 1, 2",
    );
    expect(rows).toEqual([{ status: "completed", attempts: 1, n: 5000 }]);
  });

  it("a type-wide limit on a type keyed for its rate limit holds across 8 claimers picking different keys", async () => {
    // Claimers with different time left pick different jobs from the same rows: without the
    // per-type lock (engine/flow/claim.ts) this test sees 5 running.
    const base = engineOf(t.queue(flowRegistry));
    await enqueueMany(base, Array.from({ length: 600 }, (_, n) => ({ type: "mixed", payload: { tenant: `t${n % 40}`, n }, options: { timeoutMs: n % 3 ? 1_000 : 20_000 } })));
    const s = sampler("mixed", "type");
    const claimed = await claimAll(8, 3);
    const { max, samples } = await s.stop();
    expect(samples).toBeGreaterThan(10);
    expect(max.get("mixed")).toBe(3);
    expect(new Set(claimed).size).toBe(600);
    expect(claimed).toHaveLength(600);
  });

  it("a job held back stays pending, its attempt not counted, and starts when a slot frees", async () => {
    const e = engineOf(t.queue(flowRegistry));
    for (let n = 0; n < 3; n++) await enqueue(e, "per-tenant", { tenant: "a", n });
    const first = await claimJobs(e, claimOpts("w", 10));
    expect(first).toHaveLength(2);
    expect(await claimJobs(e, claimOpts("w", 10))).toEqual([]);
    const held = await t.sql<{ status: string; attempts: number }>("SELECT status::text, attempts FROM jobs WHERE status = 'pending'");
    expect(held).toEqual([{ status: "pending", attempts: 0 }]);
    await completeAttempts(e, "w", [{ id: first[0].id, attempt: 1, result: null }]);
    const next = await claimJobs(e, claimOpts("w", 10));
    expect(next.map((j) => (j.payload as { n: number }).n)).toEqual([2]);
  });

  it("a limit without a key holds the whole type; jobs of types without limits are claimed beside it", async () => {
    const e = engineOf(t.queue(flowRegistry));
    await enqueueMany(e, Array.from({ length: 5 }, (_, n) => ({ type: "global3", payload: { n } })));
    await enqueueMany(e, Array.from({ length: 4 }, (_, n) => ({ type: "plain", payload: { n } })));
    const jobs = await claimJobs(e, claimOpts("w", 20));
    expect(jobs.filter((j) => j.type === "global3")).toHaveLength(3);
    expect(jobs.filter((j) => j.type === "plain")).toHaveLength(4);
  });

  it("limited jobs behind a plain backlog wait at most one claim; with slots left they go in the same claim", async () => {
    const e = engineOf(t.queue(flowRegistry));
    await enqueueMany(e, Array.from({ length: 40 }, (_, n) => ({ type: "plain", payload: { n } })));
    const types = (jobs: { type: string }[]) => jobs.map((j) => j.type).sort();
    expect(types(await claimJobs(e, claimOpts("w", 10)))).toEqual(Array(10).fill("plain"));
    // No limited job was due: the next claim starts with the plain statement, which sees them.
    await enqueueMany(e, Array.from({ length: 3 }, (_, n) => ({ type: "global3", payload: { n } })));
    expect(types(await claimJobs(e, claimOpts("w", 10)))).toEqual(Array(10).fill("plain"));
    expect(types(await claimJobs(e, claimOpts("w", 10)))).toEqual([...Array(3).fill("global3"), ...Array(7).fill("plain")]);
    // Slots left over: a limited job enqueued now is claimed in the same claim as the plain ones.
    await completeAttempts(e, "w", (await t.sql<{ id: string }>("SELECT id::text FROM jobs WHERE type = 'global3'")).map((r) => ({ id: r.id, attempt: 1, result: null })));
    expect(types(await claimJobs(e, claimOpts("w", 20)))).toEqual(Array(13).fill("plain"));
    await enqueue(e, "global3", { n: 9 });
    await enqueue(e, "plain", { n: 99 });
    expect(types(await claimJobs(e, claimOpts("w", 20)))).toEqual(["global3", "plain"]);
  });

  it("a limited job locked by another transaction is passed over, not waited for", async () => {
    const e = engineOf(t.queue(flowRegistry));
    const a = await enqueue(e, "global3", { n: 1 });
    const b = await enqueue(e, "global3", { n: 2 });
    const holder = await t.pool.connect();
    try {
      await holder.query("BEGIN");
      await holder.query("SELECT id FROM cronbound.jobs WHERE id = $1 FOR UPDATE", [a.job.id]);
      const jobs = await claimJobs(e, claimOpts("w", 10));
      expect(jobs.map((j) => j.id)).toEqual([b.job.id]);
    } finally {
      await holder.query("ROLLBACK");
      holder.release();
    }
    expect((await claimJobs(e, claimOpts("w", 10))).map((j) => j.id)).toEqual([a.job.id]);
  });

  it("a paused type's limited jobs are not claimed", async () => {
    const q = t.queue(flowRegistry);
    const e = engineOf(q);
    await enqueue(e, "per-tenant", { tenant: "a", n: 1 });
    await q.pause("per-tenant");
    expect(await claimJobs(e, claimOpts("w", 10))).toEqual([]);
    await q.resume("per-tenant");
    expect(await claimJobs(e, claimOpts("w", 10))).toHaveLength(1);
  });
});
