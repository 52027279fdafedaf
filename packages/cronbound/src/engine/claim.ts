import { queryRows } from "../db.ts";
import { empty, sql, type Sql } from "../sql.ts";
import type { Engine } from "./context.ts";
import { completeSql, type Attempt } from "./finalize.ts";
import { claimFlow, flowTypes } from "./flow/claim.ts";
import { notPaused } from "./pause.ts";
import { clock, jobColumns, type Job } from "./types.ts";

export interface ClaimOptions {
  workerId: string;
  limit: number;
  /** Only jobs whose timeout fits in the time the tick has left. */
  maxTimeoutMs: number;
  /** The lease outlives the job's timeout by this much, so finalizing never races a rescue. */
  graceMs: number;
  /** Narrow the claim to these job types. */
  types?: string[];
  now?: Date;
}

/**
 * claim: one statement takes up to `limit` due jobs, marks them processing, counts the attempt
 * and sets the lease (lockedBy, lockedAt, lockedUntil = now + timeout + grace).
 *
 * Jobs of limited types (a flow_key) are claimed by the flow claim (engine/flow/claim.ts), which
 * claimJobs runs first when the registry has such types; this statement never sees them.
 *
 * FOR UPDATE SKIP LOCKED lets concurrent claimers pass each other's rows instead of waiting, so
 * two ticks never take the same job. The WHERE and ORDER BY are exactly jobs_claim_idx's
 * predicate and key, so the plan is an index scan that stops after `limit` rows, whatever the
 * number of finished rows (docs/BENCHMARKS.md in the repository shows the plan).
 *
 * The picked ids come back as one array (`id = ANY(ARRAY(...))`, an InitPlan) and the update
 * reaches the rows through the primary key. Written as a CTE joined to jobs, the planner
 * hash-joined the CTE against a sequential scan of the whole table once the table had
 * statistics and was small enough (10,000 rows: every claim read every row, 1.7x slower
 * drain in bench/).
 */
export async function claimJobs(e: Engine, o: ClaimOptions): Promise<Job[]> {
  if (o.limit <= 0) return [];
  const flow = flowTypes(e, o.types);
  if (!flow.length) return inClaimOrder(await queryRows<Job>(e.db, claimSql(e, o)));
  return (await claimWithFlow(e, o, flow, [])).jobs;
}

/**
 * With limited job types (engine/flow/claim.ts): the flow claim first, within the limits, then
 * the plain claim for the slots left. Limited types go first because their limits already bound
 * what they take; behind a plain backlog they would otherwise wait for all of it.
 */
async function claimWithFlow(e: Engine, o: ClaimOptions, flow: ReturnType<typeof flowTypes>, done: (Attempt & { result: unknown })[]) {
  const limited = await claimFlow(e, o, flow, done);
  const rest = o.limit - limited.jobs.length;
  const plain = rest > 0 ? await queryRows<Job>(e.db, claimSql(e, { ...o, limit: rest })) : [];
  return { jobs: inClaimOrder([...limited.jobs, ...plain]), completed: limited.completed };
}

/**
 * complete `done` and claim up to `o.limit` more, in one statement: the completion runs as a
 * data-modifying CTE, fenced exactly as completeAttempts is, and the claim beside it. The two
 * touch disjoint rows (processing rows this worker holds; pending rows), and one commit covers
 * both: a busy tick pays one round trip per batch instead of two (bench/, concurrency 10).
 * Returns the jobs claimed and the ids whose completion landed (any other lost its lease).
 */
export async function claimJobsCompleting(
  e: Engine,
  o: ClaimOptions,
  done: (Attempt & { result: unknown })[],
): Promise<{ jobs: Job[]; completed: Set<string> }> {
  const flow = flowTypes(e, o.types);
  if (flow.length) return claimWithFlow(e, o, flow, done);
  const rows = await queryRows<Job & { completed: string[] | null }>(e.db, sql`
    WITH completed AS (${completeSql(e, o.workerId, done, o.now)}),
    claimed AS (${claimSql(e, { ...o, limit: Math.max(0, o.limit) })})
    SELECT c.*, x.completed
    FROM (SELECT array_agg(id) AS completed FROM completed) x
    LEFT JOIN claimed c ON true`);
  const completed = new Set(rows[0]?.completed ?? []);
  const jobs = rows.filter((r) => r.id !== null).map(({ completed: _, ...job }) => job as Job);
  return { jobs: inClaimOrder(jobs), completed };
}

function claimSql(e: Engine, o: ClaimOptions): Sql {
  const now = clock(o.now);
  const types = o.types?.length ? sql`AND type = ANY(${o.types}::text[])` : empty;
  return sql`
    UPDATE ${e.t.jobs} j SET
      status = 'processing',
      attempts = j.attempts + 1,
      locked_by = ${o.workerId},
      locked_at = ${now},
      locked_until = ${now} + (j.timeout_ms + ${o.graceMs}) * interval '1 millisecond',
      started_at = coalesce(j.started_at, ${now}),
      updated_at = ${now},
      debounce_key = NULL
    WHERE j.id = ANY(ARRAY(
      SELECT id FROM ${e.t.jobs}
      WHERE status = 'pending' AND NOT blocked AND flow_key IS NULL AND run_at <= ${now}
        AND timeout_ms <= ${Math.floor(o.maxTimeoutMs)} ${types}
        ${notPaused(e)}
      ORDER BY priority, run_at, id
      LIMIT ${o.limit}
      FOR UPDATE SKIP LOCKED))
    RETURNING ${jobColumns("j")}`;
}

// RETURNING follows the update's scan (id order), not the claim's: put the batch back in claim
// order so the tick starts the most urgent job first.
function inClaimOrder(jobs: Job[]): Job[] {
  return jobs.sort((x, y) => x.priority - y.priority || x.runAt.getTime() - y.runAt.getTime() || byId(x.id, y.id));
}

function byId(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

/** Due, unblocked jobs that a claim with `maxTimeoutMs` would pass over (counted up to `cap`). */
export async function countSkippedForBudget(e: Engine, maxTimeoutMs: number, types?: string[], now?: Date, cap = 10_000): Promise<number> {
  const t = types?.length ? sql`AND type = ANY(${types}::text[])` : empty;
  const rows = await queryRows<{ n: number }>(e.db, sql`
    SELECT count(*)::int AS n FROM (
      SELECT 1 FROM ${e.t.jobs}
      WHERE status = 'pending' AND NOT blocked AND run_at <= ${clock(now)} AND timeout_ms > ${Math.floor(maxTimeoutMs)} ${t}
        ${notPaused(e)}
      LIMIT ${cap}
    ) s`);
  return rows[0]?.n ?? 0;
}
