import { queryRows } from "../db.ts";
import { sql } from "../sql.ts";
import type { Engine } from "./context.ts";
import { clock } from "./types.ts";

export interface RetentionOptions {
  /** Completed jobs are deleted this long after they finished, ms. Default: config.retention (7 days). */
  completedAfterMs: number;
  /** Failed and cancelled jobs are deleted this long after they finished, ms. Default: config.retention (30 days). */
  failedAfterMs: number;
  /** Most jobs deleted per call (per tick); 0 turns retention off. Default: config.retention.batchSize (1000). */
  limit: number;
}

/**
 * Maintenance step: delete finished jobs past their retention, at most `limit` per call, so
 * no tick stalls on a huge delete: a backlog of old rows drains over several ticks. Each
 * DELETE picks its rows through jobs_finished_idx (status, finished_at) and SKIP LOCKED, so
 * overlapping ticks delete different rows. Completed jobs go first; failed and cancelled jobs
 * (kept longer, for inspection and retryJob) share what is left of the limit. A job's durable
 * steps (engine/steps/) are deleted in the same statement, through their primary key.
 */
export async function pruneFinishedJobs(
  e: Engine,
  options: Partial<RetentionOptions> & { now?: Date } = {},
): Promise<{ completed: number; failed: number }> {
  const r = e.config.retention;
  const o = { completedAfterMs: r.completedAfterMs, failedAfterMs: r.failedAfterMs, limit: r.batchSize, ...options };
  const limit = Math.max(0, Math.floor(o.limit));
  const completed = limit > 0 ? await prune(e, ["completed"], o.completedAfterMs, limit, options.now) : 0;
  const failed = limit - completed > 0 ? await prune(e, ["failed", "cancelled"], o.failedAfterMs, limit - completed, options.now) : 0;
  return { completed, failed };
}

async function prune(e: Engine, statuses: string[], afterMs: number, limit: number, now?: Date): Promise<number> {
  const [r] = await queryRows<{ n: number }>(e.db, sql`
    WITH doomed AS (
      SELECT id FROM ${e.t.jobs}
      WHERE status = ANY(${statuses}::${e.t.status}[])
        AND finished_at < ${clock(now)} - ${Math.max(0, Math.floor(afterMs))} * interval '1 millisecond'
      LIMIT ${limit}
      FOR UPDATE SKIP LOCKED
    ), gone AS (
      DELETE FROM ${e.t.jobs} j USING doomed WHERE j.id = doomed.id RETURNING j.id
    ), steps AS (
      DELETE FROM ${e.t.steps} s USING gone WHERE s.job_id = gone.id
    )
    SELECT count(*)::int AS n FROM gone`);
  return r.n;
}
