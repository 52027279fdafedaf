import type { WorkerConfig } from "./config.ts";
import type { Queue } from "./queue.ts";
import { type JobEvent } from "./engine/tick/run.ts";
export interface WorkerOptions extends Partial<WorkerConfig> {
    /** Aborting stops claiming; the running tick releases what does not finish within the grace. Without it the worker runs forever. */
    signal?: AbortSignal;
    /** Jobs run at once; default config.concurrency. */
    concurrency?: number;
    /** Jobs one claim takes; default config.batchSize, else concurrency. */
    batchSize?: number;
    /** Lease = job timeout + this; default config.leaseGraceMs. */
    leaseGraceMs?: number;
    /** Only these job types (all when absent). */
    types?: string[];
}
export interface WorkerSummary {
    ticks: number;
    jobs: Record<JobEvent["outcome"], number>;
    /** True when the last tick failed (the database was unreachable while stopping). */
    failed: boolean;
}
export declare function errorBackoffMs(consecutiveFailures: number): number;
/**
 * Loop ticks until `signal` aborts. Settings come from `options`, else the queue's config
 * (`config.worker`, `concurrency`, `batchSize`, `leaseGraceMs`), else their defaults. Never
 * throws: a failing tick (database down, a bad network) is logged and retried after a
 * backoff, and the jobs it held keep their leases, so rescue brings them back if this process
 * never gets to finalize them. One log record per job, per busy tick, per problem.
 */
export declare function runWorker(queue: Queue, options?: WorkerOptions): Promise<WorkerSummary>;
