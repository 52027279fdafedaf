import type { Engine } from "./context.ts";
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
 * (kept longer, for inspection and retryJob) share what is left of the limit.
 */
export declare function pruneFinishedJobs(e: Engine, options?: Partial<RetentionOptions> & {
    now?: Date;
}): Promise<{
    completed: number;
    failed: number;
}>;
