import { execute, queryRows } from "../db.ts";
import { sql, type Sql } from "../sql.ts";
import type { Engine } from "./context.ts";
import { releaseDependentsOf } from "./dependencies.ts";
import { clock, jobColumns, type Job } from "./types.ts";

import { isJobId } from "./ids.ts";

export { isJobId };

export async function getJob(e: Engine, id: string): Promise<Job | null> {
  if (!isJobId(id)) return null;
  const rows = await queryRows<Job>(e.db, sql`SELECT ${jobColumns()} FROM ${e.t.jobs} jobs WHERE id = ${id}::bigint`);
  return rows[0] ?? null;
}

export type ControlResult =
  | { ok: true; job: Job }
  | { ok: false; reason: "not_found" }
  | { ok: false; reason: "wrong_status"; status: Job["status"]; message: string };

async function explain(e: Engine, id: string, wanted: string): Promise<ControlResult> {
  const job = await getJob(e, id);
  if (!job) return { ok: false, reason: "not_found" };
  return { ok: false, reason: "wrong_status", status: job.status, message: `job ${id} is ${job.status}; ${wanted}` };
}

/**
 * cancel: a pending job becomes cancelled. A processing job becomes cancelled too, and its
 * lease is cleared: the executor notices within its watch interval and fires the handler's
 * signal, and its fenced finalize finds nothing to write, so a late result is discarded.
 * Jobs waiting on it (dependsOn) are cancelled too, down their chains, each naming its
 * dependency. A finished job is left alone.
 */
export async function cancelJob(e: Engine, id: string, options: { reason?: string; now?: Date } = {}): Promise<ControlResult> {
  if (!isJobId(id)) return { ok: false, reason: "not_found" };
  const reason = options.reason ?? "cancelled";
  const rows = await queryRows<Job>(e.db, sql`
    UPDATE ${e.t.jobs} AS jobs SET status = 'cancelled', last_error = ${reason}, finished_at = ${clock(options.now)}, updated_at = ${clock(options.now)},
      locked_by = NULL, locked_at = NULL, locked_until = NULL
    WHERE id = ${id}::bigint AND status IN ('pending', 'processing')
    RETURNING ${jobColumns()}`);
  if (rows[0]) await releaseDependentsOf(e, [id], { now: options.now });
  return rows[0] ? { ok: true, job: rows[0] } : explain(e, id, "only pending or processing jobs can be cancelled");
}

/**
 * retryJob: a failed or cancelled job goes back to pending, due now, with fresh attempts.
 * Its error history is kept. It waits again (blocked) if a dependency has not completed.
 */
export async function retryJob(e: Engine, id: string, options: { now?: Date } = {}): Promise<ControlResult> {
  if (!isJobId(id)) return { ok: false, reason: "not_found" };
  const rows = await queryRows<Job>(e.db, sql`
    UPDATE ${e.t.jobs} AS jobs SET status = 'pending', attempts = 0, run_at = ${clock(options.now)}, finished_at = NULL,
      result = NULL, progress = NULL, debounce_key = NULL, updated_at = ${clock(options.now)}, ${reblock(e)}
    WHERE id = ${id}::bigint AND status IN ('failed', 'cancelled')
    RETURNING ${jobColumns()}`);
  return rows[0] ? { ok: true, job: rows[0] } : explain(e, id, "only failed or cancelled jobs can be retried");
}

// A retried job waits again if one of its dependencies has not completed (the maintenance
// sweep cancels it again, with the reason, if that dependency is still failed or cancelled).
const reblock = (e: Engine): Sql =>
  sql`blocked = EXISTS (SELECT 1 FROM ${e.t.jobs} d WHERE d.id = ANY(jobs.depends_on) AND d.status <> 'completed')`;

/**
 * retryJobs: retryJob in bulk, for the dead jobs of one type (failed, cancelled, or both),
 * in batches of `batchSize` (one statement each, SKIP LOCKED) up to `limit` jobs in all.
 * Returns how many went back to pending.
 */
export interface RetryJobsOptions {
  type: string;
  /** Which dead jobs: failed, cancelled, or both (default both). */
  status?: "failed" | "cancelled" | ("failed" | "cancelled")[];
  /** Most jobs retried in all. Default 10,000. */
  limit?: number;
  /** Jobs per statement. Default 1,000. */
  batchSize?: number;
  now?: Date;
}

export async function retryJobs(e: Engine, options: RetryJobsOptions): Promise<{ retried: number }> {
  const statuses = options.status === undefined ? ["failed", "cancelled"] : [options.status].flat();
  if (!statuses.every((s) => s === "failed" || s === "cancelled")) throw new TypeError("retryJobs: status must be failed and/or cancelled");
  const limit = options.limit ?? 10_000;
  const batchSize = Math.max(1, Math.min(options.batchSize ?? 1000, limit));
  let retried = 0;
  while (retried < limit) {
    const n = await execute(e.db, sql`
      WITH dead AS (
        SELECT id FROM ${e.t.jobs}
        WHERE type = ${options.type} AND status = ANY(${statuses}::${e.t.status}[])
        ORDER BY id
        LIMIT ${Math.min(batchSize, limit - retried)}
        FOR UPDATE SKIP LOCKED
      )
      UPDATE ${e.t.jobs} AS jobs SET status = 'pending', attempts = 0, run_at = ${clock(options.now)}, finished_at = NULL,
        result = NULL, progress = NULL, debounce_key = NULL, updated_at = ${clock(options.now)}, ${reblock(e)}
      FROM dead WHERE jobs.id = dead.id`);
    retried += n;
    if (n < batchSize) break;
  }
  return { retried };
}
