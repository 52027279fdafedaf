import { z } from "zod";
import { Prisma, type Db } from "../db.ts";
import { JOB_STATUSES, type JobStatus } from "../jobs/types.ts";

// The dashboard's own reads. Counts, the per-minute series and the failure rate come from
// getStats (lib/jobs/stats.ts), the same numbers GET /api/jobs/stats serves.
//
// Each query is shaped for an index so the page costs the same with a thousand rows or ten
// million (numbers in docs/DASHBOARD.md):
// - the list walks the primary key backwards from a cursor (keyset, never OFFSET). It orders
//   by `jobs.id`: a bare `id` would name the output column `id::text` and sort as text;
// - a status filter is an equality on `status` (jobs_status_type_idx (status, type) finds a
//   rare status without scanning the finished millions);
// - recent failures read `status = 'failed' AND finished_at IS NOT NULL ORDER BY finished_at DESC`,
//   the order of an index on (status, finished_at) WHERE finished_at IS NOT NULL.

export const PAGE_SIZE = 50;

/** The list's filters as they arrive in the URL; anything malformed is dropped, not an error. */
export const listFilterSchema = z.object({
  status: z.enum(JOB_STATUSES).optional().catch(undefined),
  type: z.string().min(1).max(200).optional().catch(undefined),
  before: z.string().regex(/^[1-9][0-9]{0,18}$/).optional().catch(undefined),
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

/** Newest first, `limit` at a time, keyset on id: page 1,000 costs what page 1 costs. */
export async function listJobs(db: Db, filter: ListFilter, limit = PAGE_SIZE): Promise<JobPage> {
  const where: Prisma.Sql[] = [];
  if (filter.status) where.push(Prisma.sql`status = ${filter.status}::job_status`);
  if (filter.type) where.push(Prisma.sql`type = ${filter.type}`);
  if (filter.before) where.push(Prisma.sql`id < ${filter.before}::bigint`);
  const rows = await db.$queryRaw<JobRow[]>`
    SELECT id::text AS id, type, status::text AS status, attempts, max_attempts AS "maxAttempts",
           run_at AS "runAt", created_at AS "createdAt", finished_at AS "finishedAt",
           left(last_error, 300) AS "lastError"
    FROM jobs
    ${where.length ? Prisma.sql`WHERE ${Prisma.join(where, " AND ")}` : Prisma.empty}
    ORDER BY jobs.id DESC
    LIMIT ${limit + 1}`;
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
export async function recentFailures(db: Db, limit = 10): Promise<FailureRow[]> {
  return db.$queryRaw<FailureRow[]>`
    SELECT id::text AS id, type, attempts, finished_at AS "finishedAt", left(last_error, 500) AS "lastError"
    FROM jobs
    WHERE status = 'failed' AND finished_at IS NOT NULL
    ORDER BY finished_at DESC
    LIMIT ${limit}`;
}

export interface DependencyRow {
  id: string;
  type: string;
  status: JobStatus;
}

/** The jobs one job waits on, by primary key; a pruned dependency is simply absent. */
export async function dependencies(db: Db, ids: string[]): Promise<DependencyRow[]> {
  if (ids.length === 0) return [];
  return db.$queryRaw<DependencyRow[]>`
    SELECT id::text AS id, type, status::text AS status FROM jobs
    WHERE id = ANY(${ids}::bigint[]) ORDER BY jobs.id`;
}
