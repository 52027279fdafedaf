export interface WorkerConfig {
    /** Longest one worker tick runs, ms. A job whose timeout is longer is never claimed by the worker. */
    tickBudgetMs: number;
    /** Pause after a tick that ran or rescued something, ms. */
    busyPauseMs: number;
    /** Pause after a tick that found nothing, ms. Each pause ends in one claim query. */
    idlePauseMs: number;
    /** On shutdown, how long running jobs may finish before they are released, ms. */
    shutdownGraceMs: number;
    /** Written into every lease the worker takes; default host-pid-random, fixed for the process's life. */
    workerId?: string;
}
export interface RetentionConfig {
    /** Completed jobs are deleted this long after they finished, ms. */
    completedAfterMs: number;
    /** Failed and cancelled jobs are deleted this long after they finished, ms. */
    failedAfterMs: number;
    /** Most finished jobs one tick deletes; 0 turns retention off. */
    batchSize: number;
}
export interface Config {
    /** PostgreSQL schema holding the engine's tables (created by `migrate`). */
    schema: string;
    /** Jobs one tick runs at once. */
    concurrency: number;
    /** Jobs one claim statement takes. Default: `concurrency`, so one claim fills the free slots. */
    batchSize?: number;
    /** A lease lasts the job's timeout plus this, so finalizing never races a rescue, ms. */
    leaseGraceMs: number;
    /** Caps the budget of a route's tick (the cron route, the manual trigger, the kick), ms. */
    tickBudgetMs?: number;
    retention: RetentionConfig;
    worker: WorkerConfig;
    /** Bearer secret of the HTTP endpoints (cronbound/next). Required when `production`. */
    cronSecret?: string;
    /** Sign-in secret of the dashboard (cronbound/next/dashboard). Without it the dashboard is off in production. */
    dashboardSecret?: string;
    /** Production fails closed: no secret, no access. Default: NODE_ENV === "production" in configFromEnv, else true. */
    production: boolean;
}
export type ConfigInput = Partial<Omit<Config, "retention" | "worker">> & {
    retention?: Partial<RetentionConfig>;
    worker?: Partial<WorkerConfig>;
};
export declare const DEFAULTS: Config;
export declare class ConfigError extends Error {
    readonly problems: string[];
    constructor(problems: string[], source?: string);
}
/** Defaults filled in and every field checked; a ConfigError names each problem. */
export declare function resolveConfig(input?: ConfigInput): Config;
/** Environment variable -> config field. `.env.example` documents each. */
export declare const ENV_VARS: {
    readonly CRONBOUND_SCHEMA: "schema";
    readonly TICK_CONCURRENCY: "concurrency";
    readonly TICK_BATCH_SIZE: "batchSize";
    readonly LEASE_GRACE_MS: "leaseGraceMs";
    readonly TICK_BUDGET_MS: "tickBudgetMs";
    readonly RETENTION_COMPLETED_MS: "retention.completedAfterMs";
    readonly RETENTION_FAILED_MS: "retention.failedAfterMs";
    readonly RETENTION_BATCH_SIZE: "retention.batchSize";
    readonly WORKER_TICK_BUDGET_MS: "worker.tickBudgetMs";
    readonly WORKER_BUSY_PAUSE_MS: "worker.busyPauseMs";
    readonly WORKER_IDLE_PAUSE_MS: "worker.idlePauseMs";
    readonly WORKER_SHUTDOWN_GRACE_MS: "worker.shutdownGraceMs";
    readonly WORKER_ID: "worker.workerId";
    readonly CRON_SECRET: "cronSecret";
    readonly DASHBOARD_SECRET: "dashboardSecret";
};
/**
 * A config from environment variables (ENV_VARS; `production` from NODE_ENV). An empty
 * variable counts as unset, as most hosts' dashboards cannot store "nothing". A malformed
 * one: a ConfigError naming the variable, never its value.
 */
export declare function configFromEnv(env?: Record<string, string | undefined>): Config;
