import type { Engine } from "../context.ts";
import { type ClaimOptions } from "../claim.ts";
import { type Attempt } from "../finalize.ts";
import type { Job } from "../types.ts";
/**
 * Batches completions: a job that finishes while a completion write is in flight waits for
 * it and goes out with the others in the next statement. Idle, the write starts on the next
 * turn of the event loop (setImmediate), so jobs of one claim that finish together share one
 * statement instead of the first going alone; busy, N finishing jobs cost one round trip
 * instead of N. Each row is still fenced.
 *
 * When the tick is about to claim, the waiting completions ride along in the claim statement
 * instead (claimJobsCompleting): "finish these, take the next ones" is one round trip and one
 * commit. A no-op drain at concurrency 10 then costs one statement per 10 jobs instead of two.
 */
export declare class Completer {
    private e;
    private workerId;
    private now?;
    private queue;
    private flushing;
    /** A claim is about to carry the queue (or is carrying it): no separate write for it. */
    private claiming;
    constructor(e: Engine, workerId: string, now?: Date | undefined);
    complete(a: Attempt, result: unknown): Promise<boolean>;
    /** claimJobs, carrying whatever completions are waiting (not those already being written). */
    claim(o: ClaimOptions): Promise<Job[]>;
    idle(): Promise<void>;
    private schedule;
    private flush;
}
export declare const nextTurn: () => Promise<void>;
