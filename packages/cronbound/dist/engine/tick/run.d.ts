import type { Engine } from "../context.ts";
import { type MaintenanceOptions } from "../maintenance.ts";
import type { TickReport } from "../types.ts";
import { type Settled } from "./settle.ts";
export interface TickOptions {
    /** Time this tick may take, ms. It never starts a job whose timeout does not fit in what is left. */
    budgetMs: number;
    /**
     * Most jobs one claim statement takes. Default: config.batchSize, else `concurrency`, so a
     * claim fills the free slots in one statement (bench/, concurrency 50: batch 50 drains 2-3x
     * faster than batch 10, whose claims take turns one round trip each).
     */
    batchSize?: number;
    /** Jobs run at once. Default: config.concurrency (10). */
    concurrency?: number;
    /** Written into every lease; stable per worker process. Default: host-pid-random. */
    workerId?: string;
    /** Run only these job types. */
    types?: string[];
    /** Lease = timeout + graceMs. Default: config.leaseGraceMs (15 s). */
    graceMs?: number;
    /** Skip maintenance (rescue, schedules, dependencies, retention). Default: run it. */
    skipMaintenance?: boolean;
    /** Retention settings for maintenance; default: config.retention. */
    retention?: MaintenanceOptions["retention"];
    /** Aborting stops claiming; running jobs get `shutdownGraceMs` to finish, then are released. */
    signal?: AbortSignal;
    /** Default: config.worker.shutdownGraceMs (8 s). */
    shutdownGraceMs?: number;
    /** How often running jobs are checked for a cancel or a lost lease, ms. Default 2000. */
    watchIntervalMs?: number;
    /** Injected clock for every SQL timestamp (tests); default the database's now(). */
    now?: Date;
    /** One event per finished attempt, for structured logs. */
    onJob?: (event: JobEvent) => void;
    random?: () => number;
}
export interface JobEvent {
    id: string;
    type: string;
    attempt: number;
    outcome: Settled;
    durationMs: number;
    error?: string;
}
export declare function defaultWorkerId(): string;
/**
 * tick: maintenance, then claim/execute/finalize until the budget is spent or nothing
 * claimable fits. The cron route, the manual trigger, the kick, the worker and the tests all
 * run this one function.
 *
 * Errors: a finalize write that fails (the database went away) leaves the job processing
 * under its lease, so rescue brings it back: at-least-once, never lost. The tick still lets
 * every running job settle, then rethrows the first database error so callers can report it.
 */
export declare function runTick(e: Engine, options: TickOptions): Promise<TickReport>;
