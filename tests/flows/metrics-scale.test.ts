import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claimJobs, countMatching, engineOf, type Engine } from "cronbound/engine";
import type { Queue } from "cronbound";
import { useTestDatabase } from "../helpers/db.ts";
import { testRegistry } from "../helpers/registry.ts";

// What the observability reads cost with 1,000,000 completed rows (plus 20,000 failed and 10,000
// pending): the metrics route's queries, the dashboard's bulk counts, and a claim that has to
// step over a paused backlog. Assertions are on plans and pages read (deterministic); timings
// are printed for docs/OBSERVABILITY.md, not asserted.

const t = useTestDatabase();
let e: Engine;
let q: Queue;
const numbers: Record<string, string> = {};
afterAll(() => console.log(`[metrics-scale] ${JSON.stringify(numbers, null, 2)}`));

beforeAll(async () => {
  q = t.queue(testRegistry);
  e = engineOf(q);
  await t.sql(`INSERT INTO jobs (type, payload, status, attempts, timeout_ms, started_at, finished_at, result)
               SELECT CASE WHEN g % 3 = 0 THEN 'work' ELSE 'noop' END, '{}', 'completed', 1, 1000, now() - interval '1 day', now() - (g % 1000) * interval '1 minute', '{}'
               FROM generate_series(1, 1000000) g`);
  await t.sql(`INSERT INTO jobs (type, payload, status, attempts, max_attempts, timeout_ms, last_error, finished_at)
               SELECT 'failing', '{}', 'failed', 3, 3, 1000, CASE WHEN g % 10 = 0 THEN 'SMTP 550 rejected' ELSE 'timeout' END, now() - interval '1 hour'
               FROM generate_series(1, 20000) g`);
  await t.sql(`INSERT INTO jobs (type, payload, timeout_ms, run_at) SELECT 'noop', '{}', 1000, now() - interval '1 minute' FROM generate_series(1, 10000)`);
  await t.sql("VACUUM (ANALYZE, INDEX_CLEANUP ON) jobs");
}, 600_000);

async function timed(n: number, run: () => Promise<unknown>): Promise<string> {
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    await run();
    ms.push(performance.now() - started);
  }
  ms.sort((a, b) => a - b);
  return `median ${ms[Math.floor(n / 2)].toFixed(1)} ms, p90 ${ms[Math.floor(n * 0.9)].toFixed(1)} ms`;
}

/** EXPLAIN (ANALYZE, BUFFERS) of `text` on the plain pool: the plan text and the pages it read. */
async function explain(text: string, params: unknown[] = []) {
  const rows = await t.sql<{ "QUERY PLAN": string }>(`EXPLAIN (ANALYZE, BUFFERS) ${text}`, params);
  const plan = rows.map((r) => r["QUERY PLAN"]).join("\n");
  const buffers = Number(/Buffers: shared hit=(\d+)(?: read=(\d+))?/.exec(plan)?.slice(1).reduce((a, b) => a + Number(b ?? 0), 0) ?? 0);
  return { plan, buffers };
}

describe("with 1,000,000 completed rows", () => {
  it("GET /api/jobs/metrics reads the live and dead rows' index entries, never the completed ones", async () => {
    const counts = await explain(`SELECT type, status::text, count(*) FROM jobs WHERE status = ANY('{pending,processing,failed,cancelled}'::job_status[]) GROUP BY status, type`);
    expect(counts.plan).not.toMatch(/Seq Scan on jobs/);
    // 30,000 live and dead rows: a few hundred index pages, not the 1M rows' thousands.
    expect(counts.buffers).toBeLessThan(2_000);
    const oldest = await explain(`SELECT type, min(run_at) FROM jobs WHERE status = 'pending' AND NOT blocked AND run_at <= now() GROUP BY type`);
    expect(oldest.plan).not.toMatch(/Seq Scan on jobs/);
    numbers.countsPlanBuffers = String(counts.buffers);
    numbers.oldestPlanBuffers = String(oldest.buffers);
    numbers.metricsRoute = await timed(15, () => q.metrics());
    // For comparison: what counting the completed rows too would cost per scrape.
    numbers.countingCompletedToo = await timed(5, () => t.sql("SELECT type, status, count(*) FROM jobs GROUP BY 1, 2"));
  });

  it("the dashboard's bulk counts: by status and type through their partial indexes; error text filters those rows", async () => {
    const dead = await explain(`SELECT count(*) FROM (SELECT 1 FROM jobs WHERE status = 'failed' AND type = 'failing' AND last_error ILIKE '%smtp 550%' LIMIT 10001) m`);
    expect(dead.plan).toMatch(/jobs_dead_idx|jobs_finished_idx|jobs_status_type_idx/);
    expect(dead.plan).not.toMatch(/Seq Scan on jobs/);
    numbers.bulkCountFailedByTypeAndText = await timed(9, () => countMatching(e, { status: "failed", type: "failing", text: "smtp 550" }, ["failed", "cancelled"]));
    numbers.bulkCountPending = await timed(9, () => countMatching(e, { status: "pending" }, ["pending", "processing"]));
    // No status, error text only: a filter over every row, stopped at 10,001 matches.
    numbers.bulkCountTextOnlyNoMatch = await timed(3, () => countMatching(e, { text: "nothing says this" }));
  });

  it("a claim behind a paused backlog of 10,000 steps over it (the cost of the filter), and takes the others", async () => {
    await q.enqueueMany(Array.from({ length: 100 }, () => ({ type: "work", payload: { ms: 0 }, options: { priority: 5 } })));
    await t.sql("VACUUM ANALYZE jobs");
    const claim = () => claimJobs(e, { workerId: "scale", limit: 10, maxTimeoutMs: 60_000, graceMs: 1_000 });
    const release = () => t.sql("UPDATE jobs SET status = 'pending', attempts = 0, locked_by = NULL, locked_at = NULL, locked_until = NULL WHERE status = 'processing'");
    numbers.claimNothingPaused = await timed(20, async () => (await claim(), await release()));
    await q.pause("noop");
    const jobs = await claim();
    expect(jobs.map((j) => j.type)).toEqual(Array(10).fill("work"));
    await release();
    numbers.claimBehind10kPaused = await timed(20, async () => (await claim(), await release()));
    // The claim's own SELECT (claim.ts) with the pause filter: same index, more entries read.
    const select = `SELECT id FROM jobs WHERE status = 'pending' AND NOT blocked AND flow_key IS NULL AND run_at <= now() AND timeout_ms <= 60000
      AND coalesce(type <> ALL(ARRAY(SELECT s.type FROM type_settings s WHERE s.paused_at IS NOT NULL)), true)
      ORDER BY priority, run_at, id LIMIT 10 FOR UPDATE SKIP LOCKED`;
    const behind = await explain(select);
    expect(behind.plan).toMatch(/Index Scan using jobs_claim_idx/);
    numbers.claimSelectBehind10kPaused = `${behind.buffers} buffers, ${/Execution Time: ([\d.]+ ms)/.exec(behind.plan)?.[1]}`;
    await q.resume("noop");
    const free = await explain(select);
    expect(free.plan).toMatch(/Index Scan using jobs_claim_idx/);
    numbers.claimSelectNothingPaused = `${free.buffers} buffers, ${/Execution Time: ([\d.]+ ms)/.exec(free.plan)?.[1]}`;
    await q.pause("noop");
    await q.resume("noop");
  });
});
