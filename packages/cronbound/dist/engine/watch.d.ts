import type { Engine } from "./context.ts";
import type { Execution } from "./execute.ts";
import type { Job } from "./types.ts";
/**
 * While jobs run, look every `intervalMs` for those whose row no longer carries this
 * attempt's lease: cancelled (cancelJob), or rescued because the lease expired. Their signal
 * fires, so the handler can stop, and their result will be discarded. One indexed query per
 * interval for all running jobs, whatever their number.
 */
export declare function watchRunning(e: Engine, workerId: string, running: () => Map<string, {
    job: Job;
    exec: Execution;
}>, intervalMs: number): {
    stop(): void;
};
