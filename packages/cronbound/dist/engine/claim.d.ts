import type { Engine } from "./context.ts";
import { type Attempt } from "./finalize.ts";
import { type Job } from "./types.ts";
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
export declare function claimJobs(e: Engine, o: ClaimOptions): Promise<Job[]>;
/**
 * complete `done` and claim up to `o.limit` more, in one statement: the completion runs as a
 * data-modifying CTE, fenced exactly as completeAttempts is, and the claim beside it. The two
 * touch disjoint rows (processing rows this worker holds; pending rows), and one commit covers
 * both: a busy tick pays one round trip per batch instead of two (bench/, concurrency 10).
 * Returns the jobs claimed and the ids whose completion landed (any other lost its lease).
 */
export declare function claimJobsCompleting(e: Engine, o: ClaimOptions, done: (Attempt & {
    result: unknown;
})[]): Promise<{
    jobs: Job[];
    completed: Set<string>;
}>;
/** Due, unblocked jobs that a claim with `maxTimeoutMs` would pass over (counted up to `cap`). */
export declare function countSkippedForBudget(e: Engine, maxTimeoutMs: number, types?: string[], now?: Date, cap?: number): Promise<number>;
