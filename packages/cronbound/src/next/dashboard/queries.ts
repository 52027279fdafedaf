import { z } from "zod";
import { queryRows } from "../../db.ts";
import { join, sql, type Sql } from "../../sql.ts";
import type { Engine } from "../../engine/context.ts";
import { isJobId } from "../../engine/ids.ts";
import { JOB_STATUSES, type JobStatus } from "../../engine/types.ts";

// The dashboard's own reads. Counts, the per-minute series and the failure rate come from
// getStats (engine/stats.ts), the same numbers GET /api/jobs/stats serves.
//
// Each query is shaped for an existing index, so its cost does not grow with the finished
// rows (plans and numbers at 1M rows in the repository's docs/DASHBOARD.md):
// - the list walks the primary key backwards from a cursor (keyset, never OFFSET). It orders
//   by `jobs.id`: a bare `id` would name the output column `id::text` and sort as text;
// - a status filter reaches its rows through that status's partial index: pending through
//   jobs_claim_idx + jobs_blocked_idx, processing through jobs_lease_idx, failed and cancelled
//   (with or without a type) through jobs_dead_idx (type, id); completed is most of the table,
//   so the primary key walk finds a page at once;
// - recent failures read `status = 'failed' ORDER BY finished_at DESC`: jobs_finished_idx
//   (status, finished_at), backwards.

export const PAGE_SIZE = 50;

/** The list's filters as they arrive in the URL; anything malformed is dropped, not an error. */
export const listFilterSchema = z.object({
  status: z.enum(JOB_STATUSES).optional().catch(undefined),
  type: z.string().min(1).max(200).optional().catch(undefined),
  before: z.string().refine(isJobId).optional().catch(undefined),
});
export type ListFilter = z.infer<typeof listFilterSchema>;

export interface JobRow {
  id: string;
  type: string;
  status: JobStatus;
  attempts: number;
  maxAttempts: number;
  runAt: Date;
  createdAt: Date;
  finishedAt: Date | null;
  lastError: string | null;
}

export interface JobPage {
  jobs: JobRow[];
  /** Cursor for the next (older) page: pass it as `before`. Null on the last page. */
  nextBefore: string | null;
}

/** The database clock, for "5 min ago" on pages. */
export async function dbNow(e: Engine): Promise<Date> {
  const [row] = await queryRows<{ now: Date }>(e.db, sql`SELECT now() AS now`);
  return row.now;
}

/** Newest first, `limit` at a time, keyset on id: page 1,000 costs what page 1 costs. */
export async function listJobs(e: Engine, filter: ListFilter, limit = PAGE_SIZE, extra: Sql[] = []): Promise<JobPage> {
  const where: Sql[] = [...extra];
  if (filter.status) where.push(sql`status = ${filter.status}::${e.t.status}`);
  // Each arm matches one partial index (jobs_claim_idx, jobs_blocked_idx): pending jobs are
  // read through those, not found by walking past every finished row.
  if (filter.status === "pending") where.push(sql`(NOT blocked OR blocked)`);
  if (filter.type) where.push(sql`type = ${filter.type}`);
  if (filter.before) where.push(sql`id < ${filter.before}::bigint`);
  const rows = await queryRows<JobRow>(e.db, sql`
    SELECT id::text AS id, type, status::text AS status, attempts, max_attempts AS "maxAttempts",
           run_at AS "runAt", created_at AS "createdAt", finished_at AS "finishedAt",
           left(last_error, 300) AS "lastError"
    FROM ${e.t.jobs} jobs
    ${where.length ? sql`WHERE ${join(where, " AND ")}` : sql``}
    ORDER BY jobs.id DESC
    LIMIT ${limit + 1}`);
  const more = rows.length > limit;
  const jobs = more ? rows.slice(0, limit) : rows;
  return { jobs, nextBefore: more ? jobs[jobs.length - 1].id : null };
}

export interface FailureRow {
  id: string;
  type: string;
  attempts: number;
  finishedAt: Date;
  lastError: string | null;
}

/** The last `limit` jobs that failed for good, most recent first, with their last error. */
export async function recentFailures(e: Engine, limit = 10): Promise<FailureRow[]> {
  return queryRows<FailureRow>(e.db, sql`
    SELECT id::text AS id, type, attempts, finished_at AS "finishedAt", left(last_error, 500) AS "lastError"
    FROM ${e.t.jobs}
    WHERE status = 'failed'
    ORDER BY finished_at DESC
    LIMIT ${limit}`);
}

export interface DependencyRow {
  id: string;
  type: string;
  status: JobStatus;
}

/** The jobs one job waits on, by primary key; a pruned dependency is simply absent. */
export async function dependencies(e: Engine, ids: string[]): Promise<DependencyRow[]> {
  if (ids.length === 0) return [];
  return queryRows<DependencyRow>(e.db, sql`
    SELECT id::text AS id, type, status::text AS status FROM ${e.t.jobs} jobs
    WHERE id = ANY(${ids}::bigint[]) ORDER BY jobs.id`);
}
