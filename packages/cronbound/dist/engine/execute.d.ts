import type { AnyJobType, JobContext } from "./define.ts";
import type { Job } from "./types.ts";
/** Why a running job's signal fired. */
export type StopKind = "timeout" | "cancelled" | "lost" | "shutdown";
/** The signal's reason, so a handler can tell a timeout from a cancel. */
export declare class JobStopped extends Error {
    readonly kind: StopKind;
    constructor(kind: StopKind, message: string);
}
/** A run ends in exactly one outcome; finalizing maps each to one transition. */
export type Outcome = {
    kind: "completed";
    result: unknown;
} | {
    kind: "retry";
    error: string;
    delayMs: number;
} | {
    kind: "failed";
    error: string;
}
/** Worker shutdown: hand the attempt back uncounted. */
 | {
    kind: "released";
}
/** Cancelled, or lease lost, while running: the row already moved on; write nothing. */
 | {
    kind: "discarded";
    why: "cancelled" | "lost";
    reason: string;
};
export interface Execution {
    outcome: Promise<Outcome>;
    stop(kind: StopKind, message: string): void;
}
export interface ExecuteOptions {
    /** Epoch ms after which the tick must not be running anything. */
    deadline: number;
    progress: JobContext["progress"];
    db: JobContext["db"];
    random?: () => number;
}
/**
 * execute: resolve the type, re-validate the payload, run the handler under an AbortSignal
 * that fires at min(timeout, deadline), and normalize whatever happens into one Outcome.
 * A handler that ignores its signal is raced: at the timeout the outcome is decided, and
 * whatever it returns later is discarded. Never rejects.
 */
export declare function executeJob(job: Job, def: AnyJobType | undefined, o: ExecuteOptions): Execution;
