import { z } from "zod";

// The engine's settings: one object, defaults in one place (DEFAULTS below). createQueue takes
// a partial config and fills in the rest; configFromEnv() builds one from environment
// variables for apps that want them. The engine itself never reads the environment.

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
  /**
   * How an idle worker learns of a new job. "auto" (default): LISTEN on a connection of its own
   * when a notification sent through the pool comes back through it within a moment (a direct
   * connection, or a session-mode pooler), else poll; "listen": LISTEN without that check;
   * "poll": never LISTEN (the pauses alone decide). Polling goes on in every mode.
   */
  wake: WakeMode;
}

export type WakeMode = "auto" | "listen" | "poll";

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
  /**
   * The longest `timeoutMs` enqueue accepts (a job type's default included), ms: a job only
   * runs in a tick whose budget holds its whole timeout, so a longer one would wait forever.
   * Default (maxTimeoutOf): the largest budget a configured trigger gives, that is the
   * worker's `worker.tickBudgetMs` or a route's tick (`tickBudgetMs`, else a 300 s maxDuration
   * minus its 10 s margin), whichever is larger. Without a worker, set it to your route's
   * maxDuration minus 10 s.
   */
  maxTimeoutMs?: number;
  /**
   * Events (sendEvent) are kept this long, ms: a waitForEvent that begins within this time after
   * an event was sent still receives it. Older events are deleted by the tick's maintenance.
   */
  eventWindowMs: number;
  retention: RetentionConfig;
  worker: WorkerConfig;
  /** Bearer secret of the HTTP endpoints (cronbound/next). Required when `production`. */
  cronSecret?: string;
  /** Sign-in secret of the dashboard (cronbound/next/dashboard). Without it the dashboard is off in production. */
  dashboardSecret?: string;
  /**
   * Production fails closed: no secret, no access. False means development: the routes without
   * CRON_SECRET and the dashboard are open to requests from this machine (loopback) only.
   * Default: true, and in configFromEnv true unless NODE_ENV is exactly "development".
   */
  production: boolean;
}

export type ConfigInput = Partial<Omit<Config, "retention" | "worker">> & {
  retention?: Partial<RetentionConfig>;
  worker?: Partial<WorkerConfig>;
};

export const DEFAULTS: Config = {
  schema: "cronbound",
  concurrency: 10,
  batchSize: undefined,
  leaseGraceMs: 15_000,
  tickBudgetMs: undefined,
  maxTimeoutMs: undefined,
  eventWindowMs: 5 * 60_000,
  retention: { completedAfterMs: 7 * 24 * 3_600_000, failedAfterMs: 30 * 24 * 3_600_000, batchSize: 1_000 },
  // 8 s: under Docker's and Dokku's 10 s kill timeout, so released jobs are handed back before SIGKILL.
  worker: { tickBudgetMs: 15 * 60_000, busyPauseMs: 100, idlePauseMs: 2_000, shutdownGraceMs: 8_000, workerId: undefined, wake: "auto" },
  cronSecret: undefined,
  dashboardSecret: undefined,
  production: true,
};

const int = (min: number, max: number) => z.number().int().min(min).max(max);

const configSchema = z.strictObject({
  schema: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, "must be a lower-case PostgreSQL identifier (letters, digits, _)"),
  concurrency: int(1, 1000),
  batchSize: int(1, 1000).optional(),
  leaseGraceMs: int(0, 3_600_000),
  tickBudgetMs: int(100, 172_800_000).optional(),
  maxTimeoutMs: int(1, 172_800_000).optional(),
  eventWindowMs: int(0, 7 * 24 * 3_600_000),
  retention: z.strictObject({
    completedAfterMs: int(60_000, 315_360_000_000),
    failedAfterMs: int(60_000, 315_360_000_000),
    batchSize: int(0, 100_000),
  }),
  worker: z.strictObject({
    tickBudgetMs: int(1_000, 172_800_000),
    busyPauseMs: int(0, 60_000),
    idlePauseMs: int(10, 600_000),
    shutdownGraceMs: int(0, 3_600_000),
    workerId: z.string().min(1).max(200).optional(),
    wake: z.enum(["auto", "listen", "poll"]),
  }),
  cronSecret: z.string().min(16, "must be at least 16 characters").optional(),
  dashboardSecret: z.string().min(12, "must be at least 12 characters").optional(),
  production: z.boolean(),
});

/** A route's tick budget when nothing says otherwise: a 300 s maxDuration minus the 10 s safety margin (next/budget.ts). */
export const DEFAULT_ROUTE_BUDGET_MS = 290_000;

/** The longest job timeout enqueue accepts under this config (Config.maxTimeoutMs, or its default). */
export function maxTimeoutOf(c: Pick<Config, "maxTimeoutMs" | "tickBudgetMs" | "worker">): number {
  return c.maxTimeoutMs ?? Math.max(c.worker.tickBudgetMs, c.tickBudgetMs ?? DEFAULT_ROUTE_BUDGET_MS);
}

export class ConfigError extends Error {
  constructor(public readonly problems: string[], source = "cronbound config") {
    super(`Invalid ${source}:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** Defaults filled in and every field checked; a ConfigError names each problem. */
export function resolveConfig(input: ConfigInput = {}): Config {
  const merged = {
    ...DEFAULTS,
    ...stripUndefined(input),
    retention: { ...DEFAULTS.retention, ...stripUndefined(input.retention ?? {}) },
    worker: { ...DEFAULTS.worker, ...stripUndefined(input.worker ?? {}) },
  };
  const parsed = configSchema.safeParse(stripUndefined(merged));
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`));
  return parsed.data as Config;
}

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** Environment variable -> config field. `.env.example` documents each. */
export const ENV_VARS = {
  CRONBOUND_SCHEMA: "schema",
  TICK_CONCURRENCY: "concurrency",
  TICK_BATCH_SIZE: "batchSize",
  LEASE_GRACE_MS: "leaseGraceMs",
  TICK_BUDGET_MS: "tickBudgetMs",
  MAX_TIMEOUT_MS: "maxTimeoutMs",
  EVENT_WINDOW_MS: "eventWindowMs",
  RETENTION_COMPLETED_MS: "retention.completedAfterMs",
  RETENTION_FAILED_MS: "retention.failedAfterMs",
  RETENTION_BATCH_SIZE: "retention.batchSize",
  WORKER_TICK_BUDGET_MS: "worker.tickBudgetMs",
  WORKER_BUSY_PAUSE_MS: "worker.busyPauseMs",
  WORKER_IDLE_PAUSE_MS: "worker.idlePauseMs",
  WORKER_SHUTDOWN_GRACE_MS: "worker.shutdownGraceMs",
  WORKER_ID: "worker.workerId",
  WORKER_WAKE: "worker.wake",
  CRON_SECRET: "cronSecret",
  DASHBOARD_SECRET: "dashboardSecret",
} as const;

const STRING_FIELDS = new Set(["schema", "worker.workerId", "worker.wake", "cronSecret", "dashboardSecret"]);

/**
 * A config from environment variables (ENV_VARS; `production` unless NODE_ENV=development, so
 * `test`, a typo or no NODE_ENV at all fail closed). An empty
 * variable counts as unset, as most hosts' dashboards cannot store "nothing". A malformed
 * one: a ConfigError naming the variable, never its value.
 */
export function configFromEnv(env: Record<string, string | undefined> = process.env): Config {
  const input: Record<string, unknown> = { production: env.NODE_ENV !== "development" };
  const problems: string[] = [];
  for (const [name, field] of Object.entries(ENV_VARS)) {
    const raw = env[name];
    if (raw === undefined || raw === "") continue;
    let value: unknown = raw;
    if (!STRING_FIELDS.has(field)) {
      if (!/^\d+$/.test(raw.trim())) {
        problems.push(`${name} must be a whole number`);
        continue;
      }
      value = Number(raw.trim());
    }
    const [a, b] = field.split(".");
    if (b) ((input[a] ??= {}) as Record<string, unknown>)[b] = value;
    else input[a] = value;
  }
  if (problems.length) throw new ConfigError(problems, "environment");
  try {
    return resolveConfig(input as ConfigInput);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    // Name the variable, not the config field.
    const byField = Object.fromEntries(Object.entries(ENV_VARS).map(([k, v]) => [v, k]));
    throw new ConfigError(
      err.problems.map((p) => {
        const [field, ...rest] = p.split(": ");
        return `${byField[field] ?? field} ${rest.join(": ")}`;
      }),
      "environment",
    );
  }
}
