import type { Db } from "../db.ts";
import { clock } from "./types.ts";

export interface RetentionOptions {
  /** Completed jobs are deleted this long after they finished, ms. Default 7 days. */
  completedAfterMs: number;
  /** Failed and cancelled jobs are deleted this long after they finished, ms. Default 30 days. */
  failedAfterMs: number;
  /** Most jobs deleted per call (per tick); 0 turns retention off. Default 1000. */
  limit: number;
}

export const DEFAULT_RETENTION: RetentionOptions = {
  completedAfterMs: 7 * 24 * 3_600_000,
  failedAfterMs: 30 * 24 * 3_600_000,
  limit: 1000,
};

/**
 * Maintenance step: delete finished jobs past their retention, at most `limit` per call, so
 * no tick stalls on a huge delete: a backlog of old rows drains over several ticks. Each
 * DELETE picks its rows through jobs_finished_idx (status, finished_at) and SKIP LOCKED, so
 * overlapping ticks delete different rows. Completed jobs go first; failed and cancelled jobs
 * (kept longer, for inspection and retryJob) share what is left of the limit.
 */
export async function pruneFinishedJobs(
  db: Db,
  options: Partial<RetentionOptions> & { now?: Date } = {},
): Promise<{ completed: number; failed: number }> {
  const o = { ...DEFAULT_RETENTION, ...options };
  const limit = Math.max(0, Math.floor(o.limit));
  const completed = limit > 0 ? await prune(db, ["completed"], o.completedAfterMs, limit, options.now) : 0;
  const failed = limit - completed > 0 ? await prune(db, ["failed", "cancelled"], o.failedAfterMs, limit - completed, options.now) : 0;
  return { completed, failed };
}

async function prune(db: Db, statuses: string[], afterMs: number, limit: number, now?: Date): Promise<number> {
  return db.$executeRaw`
    WITH doomed AS (
      SELECT id FROM jobs
      WHERE status = ANY(${statuses}::job_status[])
        AND finished_at < ${clock(now)} - ${Math.max(0, Math.floor(afterMs))} * interval '1 millisecond'
      LIMIT ${limit}
      FOR UPDATE SKIP LOCKED
    )
    DELETE FROM jobs j USING doomed WHERE j.id = doomed.id`;
}
