import { describe, expect, it } from "vitest";
import { createQueue, silentLogger, type Executor } from "cronbound";
import { claimJobs, completeAttempts, engineOf } from "cronbound/engine";
import { pgExecutor } from "cronbound/pg";
import { useTestDatabase } from "../helpers/db.ts";
import { testRegistry } from "../helpers/registry.ts";

// The claim's plan, read from the statement the engine really sends: a recording executor
// EXPLAINs (no ANALYZE, so nothing runs twice) the claim before passing it on.

const t = useTestDatabase();

interface PlanNode {
  "Node Type": string;
  "Index Name"?: string;
  Plans?: PlanNode[];
}

function nodes(n: PlanNode): PlanNode[] {
  return [n, ...(n.Plans ?? []).flatMap(nodes)];
}

function recording(inner: Executor, plans: PlanNode[]): Executor {
  return {
    ...inner,
    async query<R>(text: string, values?: readonly unknown[]) {
      if (/status = 'processing'/.test(text) && /FOR UPDATE SKIP LOCKED/.test(text)) {
        const [row] = await inner.query<{ "QUERY PLAN": [{ Plan: PlanNode }] }>(`EXPLAIN (FORMAT JSON) ${text}`, values);
        plans.push(row["QUERY PLAN"][0].Plan);
      }
      return inner.query<R>(text, values);
    },
    transaction: (fn) => inner.transaction((tx) => fn(recording(tx, plans))),
  };
}

describe("claim plan", () => {
  it("stays on jobs_claim_idx with no sort when every pending job is of one type (the pause filter's estimate)", async () => {
    // One type only: the column statistics say every row has type 'noop', so a plain
    // `type <> ALL(<paused types>)` is estimated to keep no row and the planner would read and
    // sort the whole backlog instead of walking the claim index.
    await t.sql("TRUNCATE jobs");
    await t.sql(`INSERT INTO jobs (type, payload, timeout_ms) SELECT 'noop', '{}', 30000 FROM generate_series(1, 50000)`);
    await t.sql("ANALYZE jobs");
    const plans: PlanNode[] = [];
    const queue = createQueue({ db: recording(pgExecutor(t.pool), plans), registry: testRegistry, config: { production: false }, logger: silentLogger });
    const jobs = await claimJobs(engineOf(queue), { workerId: "plan", limit: 10, maxTimeoutMs: 60_000, graceMs: 1_000 });
    expect(jobs).toHaveLength(10);
    expect(plans).toHaveLength(1);
    const all = nodes(plans[0]);
    expect(all.some((n) => n["Node Type"] === "Index Scan" && n["Index Name"] === "jobs_claim_idx")).toBe(true);
    expect(all.filter((n) => n["Node Type"] === "Sort" || (n["Node Type"] === "Seq Scan" && n["Index Name"] === undefined && JSON.stringify(n).includes('"jobs"')))).toEqual([]);
  });
});

describe("the prepared claim keeps its plan", () => {
  it("a worker's combined complete + claim statement is planned generically from its sixth run on, not on every batch", async () => {
    // 10,000 pending rows in the statistics, 300 of them due at a time. With `LIMIT $n` the plan cache
    // costed the generic plan at a tenth of the backlog and made a custom plan for every batch.
    await t.sql("TRUNCATE jobs");
    await t.sql(`INSERT INTO jobs (type, payload, timeout_ms, run_at)
      SELECT 'noop', '{}', 30000, now() + interval '1 day' FROM generate_series(1, 10000)`);
    await t.sql("ANALYZE jobs");
    // Without types (every type) and with a worker's `types`: each a statement of its own.
    for (const types of [undefined, ["noop"]]) {
      await t.sql("UPDATE jobs SET run_at = now() - interval '1 minute' WHERE id IN (SELECT id FROM jobs WHERE status = 'pending' ORDER BY id LIMIT 300)");
      const pool = t.newPool(1); // one session: its prepared statements are the ones the tick used
      const queue = createQueue({ db: pgExecutor(pool), registry: testRegistry, config: { production: false }, logger: silentLogger });
      const report = await queue.runTick({ budgetMs: 60_000, concurrency: 10, batchSize: 10, skipMaintenance: true, workerId: "plan-cache", types });
      expect(report.completed).toBe(300);
      const [claim] = (
        await pool.query<{ generic: number; custom: number }>(
          `SELECT generic_plans::int AS generic, custom_plans::int AS custom FROM pg_prepared_statements
           WHERE statement LIKE '%WITH completed AS%' AND statement LIKE '%FOR UPDATE SKIP LOCKED%' AND statement LIKE '%LIMIT 10%'`,
        )
      ).rows;
      expect(claim.custom, `types ${types}`).toBeLessThanOrEqual(5);
      expect(claim.generic, `types ${types}`).toBeGreaterThanOrEqual(20);
    }
  });
});

describe("the completion's plan", () => {
  it("finds a batch through the primary key, not by reading every running job's entry (2,000 running for other workers)", async () => {
    await t.sql("TRUNCATE jobs");
    await t.sql(`INSERT INTO jobs (type, payload, timeout_ms, status, attempts, started_at, finished_at)
      SELECT 'noop', '{}', 30000, 'completed', 1, now(), now() FROM generate_series(1, 20000)`);
    await t.sql("ANALYZE jobs"); // statistics taken while nothing runs, as after a quiet night
    await t.sql(`UPDATE jobs SET status = 'processing', finished_at = NULL, locked_at = now(), locked_until = now() + interval '1 hour',
      locked_by = CASE WHEN id % 200 = 0 THEN 'mine' ELSE 'other' END WHERE id IN (SELECT id FROM jobs ORDER BY id LIMIT 2000)`);
    const mine = await t.sql<{ id: string }>("SELECT id::text AS id FROM jobs WHERE locked_by = 'mine' ORDER BY id");
    expect(mine).toHaveLength(10);
    const plans: PlanNode[] = [];
    const db = pgExecutor(t.pool);
    const explaining: Executor = {
      ...db,
      async query<R>(text: string, values?: readonly unknown[]) {
        if (/status = 'completed'/.test(text) && /unnest/.test(text)) {
          const [row] = await db.query<{ "QUERY PLAN": [{ Plan: PlanNode }] }>(`EXPLAIN (FORMAT JSON) ${text}`, values);
          plans.push(row["QUERY PLAN"][0].Plan);
        }
        return db.query<R>(text, values);
      },
    };
    const queue = createQueue({ db: explaining, registry: testRegistry, config: { production: false }, logger: silentLogger });
    const done = await completeAttempts(engineOf(queue), "mine", mine.map((m) => ({ id: m.id, attempt: 1, result: null })));
    expect(done.size).toBe(10);
    expect(plans).toHaveLength(1);
    const all = nodes(plans[0]);
    expect(all.some((n) => n["Index Name"] === "jobs_pkey")).toBe(true);
    // Neither index that holds every running job's entry (jobs_status_type_idx's `processing`
    // range, jobs_lease_idx) may be how the batch is found.
    expect(all.filter((n) => n["Index Name"] === "jobs_status_type_idx" || n["Index Name"] === "jobs_lease_idx")).toEqual([]);
    expect(await t.sql("SELECT count(*)::int AS n FROM jobs WHERE status = 'processing'")).toEqual([{ n: 1990 }]);
  });
});
