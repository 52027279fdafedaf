import type { Engine } from "./context.ts";
import type { JobContext } from "./define.ts";
import { type Job } from "./types.ts";
export declare const MAX_PROGRESS_BYTES: number;
/** A handler may call progress() in a tight loop; the row is written at most this often. */
export declare const PROGRESS_INTERVAL_MS = 1000;
export interface ProgressWriter {
    report: JobContext["progress"];
    /** Write the latest throttled value now (before the attempt is finalized). */
    flush(): Promise<void>;
}
/**
 * ctx.progress for one attempt: fenced like every write after a claim, and throttled to one
 * write per PROGRESS_INTERVAL_MS. A call inside the interval returns at once (with the lease
 * state the last write saw) and its value is written when the interval ends, so a handler
 * reporting in a tight loop is never slowed down and its latest value is kept.
 */
export declare function progressWriter(e: Engine, workerId: string, job: Job, now?: Date): ProgressWriter;
