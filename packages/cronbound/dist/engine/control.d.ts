import type { Engine } from "./context.ts";
import { type Job } from "./types.ts";
/** A job id as the API accepts it: a positive integer, as a string or a number. */
export declare function isJobId(id: unknown): id is string;
export declare function getJob(e: Engine, id: string): Promise<Job | null>;
export type ControlResult = {
    ok: true;
    job: Job;
} | {
    ok: false;
    reason: "not_found";
} | {
    ok: false;
    reason: "wrong_status";
    status: Job["status"];
    message: string;
};
/**
 * cancel: a pending job becomes cancelled. A processing job becomes cancelled too, and its
 * lease is cleared: the executor notices within its watch interval and fires the handler's
 * signal, and its fenced finalize finds nothing to write, so a late result is discarded.
 * Jobs waiting on it (dependsOn) are cancelled too, down their chains, each naming its
 * dependency. A finished job is left alone.
 */
export declare function cancelJob(e: Engine, id: string, options?: {
    reason?: string;
    now?: Date;
}): Promise<ControlResult>;
/**
 * retryJob: a failed or cancelled job goes back to pending, due now, with fresh attempts.
 * Its error history is kept. It waits again (blocked) if a dependency has not completed.
 */
export declare function retryJob(e: Engine, id: string, options?: {
    now?: Date;
}): Promise<ControlResult>;
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
export declare function retryJobs(e: Engine, options: RetryJobsOptions): Promise<{
    retried: number;
}>;
