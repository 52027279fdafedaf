import { z } from "zod";
import { execute, queryRows } from "../db.ts";
import { join, sql, type Sql } from "../sql.ts";
import type { Engine } from "./context.ts";
import { releaseDependentsOf } from "./dependencies.ts";
import { isJobId } from "./ids.ts";
import { JOB_STATUSES, clock, type JobStatus } from "./types.ts";

// Acting on every job that matches a filter (the dashboard's incident tools): count first, then
// retry or cancel in bounded batches, each one statement with SKIP LOCKED, as retryJobs does.
//
// What is index-driven: a status reaches its rows through that status's partial index (dead jobs
// through jobs_dead_idx (type, id), pending through jobs_claim_idx + jobs_blocked_idx, processing
// through jobs_lease_idx), a type narrows jobs_dead_idx further. What is not: the time range
// (created_at has no index; it filters the rows the status/type gave) and the error text
// (`last_error ILIKE '%...%'`, a filter too: with status failed it reads the failed jobs only;
// with no status it can read the whole table, so the count stops at MAX_BULK + 1).

/** Most jobs one bulk action touches; the count stops one above it. */
export const MAX_BULK = 10_000;
export const BULK_BATCH = 500;

const datetime = z.coerce.date({ error: "must be a date or an ISO 8601 string" }).refine((d) => !Number.isNaN(d.getTime()), "must be a valid date");

/** A filter over jobs, as operators give it: every field optional; anything malformed is an error. */
export const jobFilterSchema = z
  .strictObject({
    type: z.string().min(1).max(200).optional(),
    status: z.enum(JOB_STATUSES).optional(),
    /** Enqueued at or after (created_at). */
    from: datetime.optional(),
    /** Enqueued before (created_at). */
    to: datetime.optional(),
    /** Text the job's last error contains (case-insensitive). */
    text: z.string().min(1).max(200).refine((s) => !s.includes("\0"), "contains a NUL character").optional(),
  })
  .refine((f) => !(f.from && f.to && f.from >= f.to), { message: "`from` must be before `to`", path: ["to"] });

export type JobFilter = z.output<typeof jobFilterSchema>;

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** The WHERE conditions of `f`, narrowed to `statuses` (what the action can apply to). */
export function filterConditions(e: Engine, f: JobFilter, statuses?: readonly JobStatus[]): Sql[] {
  const where: Sql[] = [];
  const allowed = statuses ? (f.status ? statuses.filter((s) => s === f.status) : [...statuses]) : f.status ? [f.status] : undefined;
  // One status as an equality, so the planner can match that status's partial index.
  if (allowed?.length === 1) where.push(sql`status = ${allowed[0]}::${e.t.status}`);
  else if (allowed) where.push(sql`status = ANY(${allowed}::${e.t.status}[])`);
  // Each arm matches one partial index (jobs_claim_idx, jobs_blocked_idx), as listJobs does.
  if (allowed?.length === 1 && allowed[0] === "pending") where.push(sql`(NOT blocked OR blocked)`);
  if (f.type) where.push(sql`type = ${f.type}`);
  if (f.from) where.push(sql`created_at >= ${f.from}`);
  if (f.to) where.push(sql`created_at < ${f.to}`);
  if (f.text) where.push(sql`last_error ILIKE ${`%${escapeLike(f.text)}%`}`);
  return where;
}

const whereOf = (conds: Sql[]) => (conds.length ? sql`WHERE ${join(conds, " AND ")}` : sql``);

export const RETRYABLE: readonly JobStatus[] = ["failed", "cancelled"];
export const CANCELLABLE: readonly JobStatus[] = ["pending", "processing"];

/** Jobs matching `f` (within `statuses` when given), counted up to `cap` (then cap + 1 means "more"). */
export async function countMatching(e: Engine, f: JobFilter, statuses?: readonly JobStatus[], cap = MAX_BULK): Promise<number> {
  const conds = filterConditions(e, f, statuses);
  if (statuses && f.status && !statuses.includes(f.status)) return 0;
  const [row] = await queryRows<{ n: number }>(e.db, sql`
    SELECT count(*)::int AS n FROM (SELECT 1 FROM ${e.t.jobs} ${whereOf(conds)} LIMIT ${cap + 1}) m`);
  return row.n;
}

export interface BulkOptions {
  /** Most jobs touched in all (the count the operator confirmed). Default and maximum MAX_BULK. */
  limit?: number;
  batchSize?: number;
  now?: Date;
}

/**
 * Every failed or cancelled job matching `f` back to pending, due now, with fresh attempts (as
 * retryJob does), oldest first, in batches. Returns how many went back.
 */
export async function retryMatching(e: Engine, f: JobFilter, o: BulkOptions = {}): Promise<number> {
  return inBatches(o, async (n) =>
    execute(e.db, sql`
      WITH picked AS (
        SELECT id FROM ${e.t.jobs} ${whereOf(filterConditions(e, f, RETRYABLE))}
        ORDER BY id LIMIT ${n} FOR UPDATE SKIP LOCKED
      )
      UPDATE ${e.t.jobs} AS jobs SET status = 'pending', attempts = 0, run_at = ${clock(o.now)}, finished_at = NULL,
        result = NULL, progress = NULL, debounce_key = NULL, updated_at = ${clock(o.now)},
        blocked = EXISTS (SELECT 1 FROM ${e.t.jobs} d WHERE d.id = ANY(jobs.depends_on) AND d.status <> 'completed')
      FROM picked WHERE jobs.id = picked.id`),
  );
}

/**
 * Every pending or processing job matching `f` cancelled (as cancelJob does: a running one's
 * lease is cleared, its handler is stopped at the executor's next watch and its result
 * discarded; jobs waiting on it are cancelled down their chains), in batches.
 */
export async function cancelMatching(e: Engine, f: JobFilter, o: BulkOptions & { reason?: string } = {}): Promise<number> {
  const reason = o.reason ?? "cancelled in bulk";
  return inBatches(o, async (n) => {
    const ids = await queryRows<{ id: string }>(e.db, sql`
      WITH picked AS (
        SELECT id FROM ${e.t.jobs} ${whereOf(filterConditions(e, f, CANCELLABLE))}
        ORDER BY id LIMIT ${n} FOR UPDATE SKIP LOCKED
      )
      UPDATE ${e.t.jobs} AS jobs SET status = 'cancelled', last_error = ${reason}, finished_at = ${clock(o.now)}, updated_at = ${clock(o.now)},
        locked_by = NULL, locked_at = NULL, locked_until = NULL
      FROM picked WHERE jobs.id = picked.id AND jobs.status IN ('pending', 'processing')
      RETURNING jobs.id::text AS id`);
    if (ids.length) await releaseDependentsOf(e, ids.map((r) => r.id), { now: o.now });
    return ids.length;
  });
}

async function inBatches(o: BulkOptions, batch: (n: number) => Promise<number>): Promise<number> {
  const limit = Math.max(0, Math.min(o.limit ?? MAX_BULK, MAX_BULK));
  const size = Math.max(1, Math.min(o.batchSize ?? BULK_BATCH, BULK_BATCH));
  let done = 0;
  while (done < limit) {
    const want = Math.min(size, limit - done);
    const n = await batch(want);
    done += n;
    if (n < want) break;
  }
  return done;
}

export interface FoundJob {
  id: string;
  how: "id" | "idempotency key";
}

/** A job by its id or its idempotency key (primary key, then the unique index), or null. */
export async function findJob(e: Engine, q: string): Promise<FoundJob | null> {
  const term = q.trim();
  if (!term || term.length > 255 || term.includes("\0")) return null;
  if (isJobId(term)) {
    const [row] = await queryRows<{ id: string }>(e.db, sql`SELECT id::text AS id FROM ${e.t.jobs} WHERE id = ${term}::bigint`);
    if (row) return { id: row.id, how: "id" };
  }
  const [row] = await queryRows<{ id: string }>(e.db, sql`SELECT id::text AS id FROM ${e.t.jobs} WHERE idempotency_key = ${term}`);
  return row ? { id: row.id, how: "idempotency key" } : null;
}
