import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claimJobs, engineOf, pruneFinishedJobs, releaseDependentsOf, settleDependencies, type Engine } from "cronbound/engine";
import { useTestDatabase } from "../helpers/db.ts";
import { testRegistry } from "../helpers/registry.ts";

// The claim must cost the same with a million finished rows or 100,000 blocked jobs as with
// none: the assertions are on the plan and on the pages it reads (deterministic); the timings
// are printed for docs/SCHEDULING.md, not asserted (a loaded CI machine is no stopwatch).

const t = useTestDatabase();
let e: Engine;
beforeAll(() => {
  e = engineOf(t.queue(testRegistry));
});

const numbers: Record<string, string> = {};
afterAll(() => console.log(`[scale] ${JSON.stringify(numbers, null, 2)}`));

const CLAIM_SELECT = `SELECT id FROM jobs WHERE status = 'pending' AND NOT blocked AND flow_key IS NULL AND run_at <= now() AND timeout_ms <= 60000
  ORDER BY priority, run_at, id LIMIT 10 FOR UPDATE SKIP LOCKED`;

async function pending(n: number) {
  await t.sql(`INSERT INTO jobs (type, payload, timeout_ms, run_at) SELECT 'noop', '{}', 1000, now() - interval '1 minute' FROM generate_series(1, $1)`, [n]);
}

/** Median and p90 of `n` claims of 10 jobs, ms (the tick's own claim, a round trip included). */
async function claimTimes(n = 300): Promise<{ median: number; p90: number }> {
  await pending(n * 10);
  await t.sql("VACUUM ANALYZE jobs");
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    const jobs = await claimJobs(e, { workerId: "bench", limit: 10, maxTimeoutMs: 60_000, graceMs: 1_000 });
    ms.push(performance.now() - started);
    expect(jobs).toHaveLength(10);
  }
  await t.sql("DELETE FROM jobs WHERE status = 'processing'");
  ms.sort((a, b) => a - b);
  return { median: ms[Math.floor(n / 2)], p90: ms[Math.floor(n * 0.9)] };
}

/**
 * The claim's plan, and the buffers (pages) it touched, with a backlog of 1,000 due jobs: more
 * than one claim takes, so the plan must stop after LIMIT rows. With only 10 pending rows the
 * planner may as well sort them all, and PostgreSQL 18 does (through jobs_status_type_idx).
 */
/**
 * How many more pages a claim of 10 may touch than on an empty table: one heap page per claimed
 * row. Where the 10 rows land in the heap depends on the free space earlier claims left, so the
 * count moves by a few pages from run to run (seen: 23 to 32 at 1M finished rows on PG 15);
 * a claim that walked finished or blocked rows would read hundreds or thousands more.
 */
const PER_ROW_SLACK = 10;

async function claimPlan(): Promise<{ text: string; buffers: number; execMs: number }> {
  await pending(1_000);
  // Earlier claims left dead index entries; measure the steady state. INDEX_CLEANUP ON: with 1M
  // rows the few thousand dead ones are under 2% of the table's pages, and a plain VACUUM
  // (PostgreSQL 14+) then skips the indexes, leaving the claim to step over them (PG 15: 37
  // buffers against 23 for the empty table).
  await t.sql("VACUUM (ANALYZE, INDEX_CLEANUP ON) jobs");
  const [row] = await t.sql<{ "QUERY PLAN": unknown }>(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${CLAIM_SELECT}`);
  const plan = (row["QUERY PLAN"] as { Plan: Record<string, unknown> }[])[0].Plan;
  const text = JSON.stringify(plan);
  // Server-side execution time, median of 51: the claim's own cost without the client's round trip.
  const exec: number[] = [];
  for (let i = 0; i < 51; i++) {
    const [r] = await t.sql<{ "QUERY PLAN": unknown }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${CLAIM_SELECT}`);
    exec.push((r["QUERY PLAN"] as { "Execution Time": number }[])[0]["Execution Time"]);
  }
  await t.sql("DELETE FROM jobs WHERE status = 'pending' AND NOT blocked AND run_at <= now()");
  return { text, buffers: Number(plan["Shared Hit Blocks"] ?? 0) + Number(plan["Shared Read Blocks"] ?? 0), execMs: exec.sort((a, b) => a - b)[25] };
}

const fmt = (x: { median: number; p90: number }) => `median ${x.median.toFixed(2)} ms, p90 ${x.p90.toFixed(2)} ms`;

describe("claim cost does not grow with blocked or finished rows", () => {
  it("claims as fast with 100,000 blocked jobs as with none; the sweep's and the targeted release's cost are measured", async () => {
    await t.sql("TRUNCATE jobs");
    await claimTimes(30); // warm up
    const empty = await claimTimes();
    const emptyPlan = await claimPlan();

    await t.sql(`INSERT INTO jobs (type, payload, timeout_ms, status) VALUES ('noop', '{}', 1000, 'pending')`);
    const [{ id: root }] = await t.sql<{ id: string }>("SELECT id::text FROM jobs");
    await t.sql("UPDATE jobs SET run_at = now() + interval '1 day' WHERE id = $1", [root]);
    await t.sql(
      `INSERT INTO jobs (type, payload, timeout_ms, depends_on, blocked) SELECT 'noop', '{}', 1000, ARRAY[$1::bigint], true FROM generate_series(1, 100000)`,
      [root],
    );
    await t.sql("ANALYZE jobs");
    const blocked = await claimTimes();
    const blockedPlan = await claimPlan();
    expect(blockedPlan.text).toContain("jobs_claim_idx");
    expect(blockedPlan.buffers).toBeLessThanOrEqual(emptyPlan.buffers + PER_ROW_SLACK);

    const median = async (n: number, fn: () => Promise<unknown>) => {
      const ms: number[] = [];
      for (let i = 0; i < n; i++) {
        const s0 = performance.now();
        await fn();
        ms.push(performance.now() - s0);
      }
      return ms.sort((a, b) => a - b)[Math.floor(n / 2)];
    };
    const sweepMs = await median(7, async () => expect(await settleDependencies(e)).toEqual({ unblocked: 0, cancelled: 0 }));
    const other = (await t.sql<{ id: string }>("INSERT INTO jobs (type, payload, timeout_ms) VALUES ('noop', '{}', 1000) RETURNING id::text"))[0].id;
    const targetedMs = await median(31, async () => expect(await releaseDependentsOf(e, [other])).toEqual({ unblocked: 0, cancelled: 0 }));
    let started = performance.now();
    await t.sql("UPDATE jobs SET status = 'completed', finished_at = now() WHERE id = $1", [root]);
    started = performance.now();
    let released = 0;
    for (let n = -1; n !== 0; released += n) n = (await releaseDependentsOf(e, [root], { limit: 1000 })).unblocked;
    const releaseAllMs = performance.now() - started;
    expect(released).toBe(100_000);

    numbers["claim of 10, empty table"] = fmt(empty);
    numbers["claim of 10, 100k blocked jobs"] = fmt(blocked);
    numbers["claim buffers (empty / 100k blocked)"] = `${emptyPlan.buffers} / ${blockedPlan.buffers}`;
    numbers["claim SELECT server execution, median (empty / 100k blocked)"] = `${emptyPlan.execMs.toFixed(3)} / ${blockedPlan.execMs.toFixed(3)} ms`;
    numbers["dependency sweep, 100k blocked jobs none ready (examines 10k per tick)"] = `${sweepMs.toFixed(1)} ms`;
    numbers["targeted release for a job with no dependents, 100k blocked"] = `${targetedMs.toFixed(2)} ms`;
    numbers["release 100k dependents of one job, 1000 per statement"] = `${releaseAllMs.toFixed(0)} ms`;
  });

  it("claims as fast with 1,000,000 finished rows as with none, and prunes them 1,000 per tick in bounded time", async () => {
    await t.sql("TRUNCATE jobs");
    const empty = await claimTimes();
    const emptyPlan = await claimPlan();

    let started = performance.now();
    await t.sql(`
      INSERT INTO jobs (type, payload, status, timeout_ms, attempts, created_at, run_at, started_at, finished_at, result)
      SELECT 'noop', jsonb_build_object('n', i), CASE WHEN i % 50 = 0 THEN 'failed' ELSE 'completed' END::job_status, 1000, 1,
             now() - interval '40 days' + i * interval '1 second', now() - interval '40 days' + i * interval '1 second',
             now() - interval '40 days' + i * interval '1 second', now() - interval '40 days' + i * interval '1 second' + interval '1 second',
             '{"ok": true}'
      FROM generate_series(1, 1000000) AS i`);
    const insertMs = performance.now() - started;
    await t.sql("VACUUM ANALYZE jobs");
    const full = await claimTimes();
    const fullPlan = await claimPlan();
    expect(fullPlan.text).toContain("jobs_claim_idx");
    expect(fullPlan.text).not.toContain("Seq Scan");
    expect(fullPlan.buffers).toBeLessThanOrEqual(emptyPlan.buffers + PER_ROW_SLACK);

    const prunes: number[] = [];
    for (let i = 0; i < 5; i++) {
      started = performance.now();
      const r = await pruneFinishedJobs(e, { limit: 1_000 });
      prunes.push(performance.now() - started);
      expect(r.completed + r.failed).toBe(1_000);
    }
    prunes.sort((a, b) => a - b);
    const [{ n }] = await t.sql<{ n: number }>("SELECT count(*)::int AS n FROM jobs WHERE finished_at IS NOT NULL");
    expect(n).toBe(1_000_000 - 5_000);

    numbers["claim of 10, 0 finished rows"] = fmt(empty);
    numbers["claim of 10, 1M finished rows"] = fmt(full);
    numbers["claim buffers (0 / 1M finished)"] = `${emptyPlan.buffers} / ${fullPlan.buffers}`;
    numbers["claim SELECT server execution, median (0 / 1M finished)"] = `${emptyPlan.execMs.toFixed(3)} / ${fullPlan.execMs.toFixed(3)} ms`;
    numbers["prune 1,000 of 1M finished rows (median of 5 ticks)"] = `${prunes[2].toFixed(1)} ms`;
    numbers["generate 1M finished rows"] = `${(insertMs / 1000).toFixed(1)} s`;
  });
});
