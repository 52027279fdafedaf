import { queryRows } from "../db.ts";
import { empty, raw, sql, type Sql } from "../sql.ts";
import type { Engine } from "./context.ts";
import { completeSql, type Attempt } from "./finalize.ts";
import { claimFlow, flowTypes, type FlowType } from "./flow/claim.ts";
import { notPaused } from "./pause.ts";
import { clock, jobColumns, toJob, type Job } from "./types.ts";

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
 * With limited job types (engine/flow/claim.ts), two statements share the claim: the flow claim
 * (a transaction: lock, count, claim within the limits) and the plain claim. Which goes first
 * follows what the last plain claim saw: its statement also probes whether any limited job is
 * due (one index probe on jobs_flow_claim_idx).
 *  - limited jobs due (or not known yet): the flow claim first, the plain claim for the slots
 *    left. Limited types go first because their limits already bound what they take; behind a
 *    plain backlog they would otherwise wait for all of it.
 *  - none due: the plain claim alone, as without limited types (carrying the completions); when
 *    its probe now finds limited jobs due and slots are left, the flow claim takes them at once.
 * The hint only orders the two statements: a claim never skips due limited jobs it has slots for.
 */
const flowDue = new WeakMap<object, boolean>();

async function claimWithFlow(e: Engine, o: ClaimOptions, flow: FlowType[], done: (Attempt & { result: unknown })[]) {
  const key = e.registry;
  if (flowDue.get(key) !== false) {
    const limited = await claimFlow(e, o, flow, done);
    const rest = o.limit - limited.jobs.length;
    let plain: Job[] = [];
    if (rest > 0) {
      const r = await plainClaim(e, { ...o, limit: rest }, [], flow);
      plain = r.jobs;
      flowDue.set(key, r.flowDue);
    }
    return { jobs: inClaimOrder([...limited.jobs, ...plain]), completed: limited.completed };
  }
  const first = await plainClaim(e, o, done, flow);
  flowDue.set(key, first.flowDue);
  const rest = o.limit - first.jobs.length;
  if (!first.flowDue || rest <= 0) return { jobs: inClaimOrder(first.jobs), completed: first.completed };
  const limited = await claimFlow(e, { ...o, limit: rest }, flow, []);
  return { jobs: inClaimOrder([...first.jobs, ...limited.jobs]), completed: first.completed };
}

/** claimJobsCompleting's statement, and with `flow` the probe for due limited jobs beside it. */
async function plainClaim(e: Engine, o: ClaimOptions, done: (Attempt & { result: unknown })[], flow: FlowType[] | null) {
  const probe = flow
    ? sql`(SELECT EXISTS (SELECT 1 FROM ${e.t.jobs}
        WHERE type = ANY(${flow.map((f) => f.type)}::text[]) AND status = 'pending' AND NOT blocked AND flow_key IS NOT NULL
          AND run_at <= ${clock(o.now)} ${notPaused(e)}))`
    : null;
  const rows = await queryRows<Job & { completed: string[] | null; flowDue: boolean }>(e.db, sql`
    WITH completed AS (${completeSql(e, o.workerId, done, o.now)}),
    claimed AS (${claimSql(e, { ...o, limit: Math.max(0, o.limit) })})
    SELECT c.*, CASE WHEN row_number() OVER () = 1 THEN x.completed END AS completed${probe ? sql`, ${probe} AS "flowDue"` : empty}
    FROM (SELECT array_agg(id) AS completed FROM completed) x
    LEFT JOIN claimed c ON true`);
  const completed = new Set(rows.find((r) => r.completed !== null)?.completed ?? []);
  const jobs: Job[] = [];
  for (const r of rows) if (r.id !== null) jobs.push(toJob(r));
  return { jobs, completed, flowDue: !!rows[0]?.flowDue };
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
  const { jobs, completed } = await plainClaim(e, o, done, null);
  return { jobs: inClaimOrder(jobs), completed };
}

/**
 * The claim, written so that a prepared statement keeps one plan (PostgreSQL's generic plan)
 * instead of being planned again on every batch. The plan cache switches to the generic plan
 * when it is estimated to cost no more than the custom plans did; so nothing in the statement
 * may be estimated better from a parameter's value than without it:
 *  - LIMIT is a number in the text (a parameter is costed at a tenth of the rows the scan may
 *    return); one statement per distinct limit, 1 to the batch size;
 *  - the time left and the types are read through scalar subqueries, (SELECT $n), which
 *    every plan estimates the same way (a custom plan would know that every job's timeout
 *    fits and cost the scan lower than the generic plan can).
 * The plan is the same index scan of jobs_claim_idx either way (tests/engine/claim-plan.test.ts).
 */
function claimSql(e: Engine, o: ClaimOptions): Sql {
  const now = clock(o.now);
  const limit = Math.floor(o.limit);
  if (!Number.isSafeInteger(limit) || limit < 0) throw new RangeError(`claim: limit must be a non-negative integer; got ${o.limit}`);
  const types = o.types?.length ? sql`AND type = ANY((SELECT ${o.types}::text[])::text[])` : empty;
  return sql`
    UPDATE ${e.t.jobs} j SET ${claimAssignments(o, now)}
    WHERE j.id = ANY(ARRAY(
      SELECT id FROM ${e.t.jobs}
      WHERE status = 'pending' AND NOT blocked AND flow_key IS NULL AND run_at <= ${now}
        AND timeout_ms <= (SELECT ${Math.floor(o.maxTimeoutMs)}::bigint) ${types}
        ${notPaused(e)}
      ORDER BY priority, run_at, id
      LIMIT ${raw(String(limit))}
      FOR UPDATE SKIP LOCKED))
    RETURNING ${jobColumns("j")}`;
}

/** What a claim sets on each row it takes (`j`): the lease, the attempt, and the start. Shared by the flow claim. */
export function claimAssignments(o: ClaimOptions, now: Sql): Sql {
  return sql`
      status = 'processing',
      attempts = j.attempts + 1,
      locked_by = ${o.workerId},
      locked_at = ${now},
      locked_until = ${now} + (j.timeout_ms + ${o.graceMs}) * interval '1 millisecond',
      started_at = coalesce(j.started_at, ${now}),
      updated_at = ${now},
      debounce_key = NULL`;
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
