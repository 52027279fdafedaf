import { z } from "zod";

// The environment, parsed once. Every variable is documented in .env.example.
// A missing or malformed variable stops start-up with a message that names it.

const int = (def: number, min: number, max: number) =>
  z.coerce.number().int().min(min).max(max).default(def);

const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATABASE_URL: z
    .string({ error: "is required (a postgres:// connection URL)" })
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL"),
  /** Bearer secret for every machine endpoint (cron tick, manual tick, enqueue, stats). */
  CRON_SECRET: z.string().min(16, "must be at least 16 characters").optional(),
  /** Secret for the /jobs dashboard sign-in in production. */
  DASHBOARD_SECRET: z.string().min(12, "must be at least 12 characters").optional(),
  /** Connections per instance. Small: a tick needs about one per five concurrent jobs. */
  DB_POOL_MAX: int(5, 1, 100),
  /** Jobs one tick runs at once. */
  TICK_CONCURRENCY: int(10, 1, 500),
  /** Jobs one claim statement takes. */
  TICK_BATCH_SIZE: int(10, 1, 1000),
  /** Overrides the tick's time budget (ms); by default maxDuration minus a safety margin. */
  TICK_BUDGET_MS: z.coerce.number().int().min(100).max(800_000).optional(),
  /** A lease lasts the job's timeout plus this, so finalizing never races a rescue. */
  LEASE_GRACE_MS: int(15_000, 0, 3_600_000),
  /** Retention: completed jobs are deleted this long after they finished, ms (default 7 days). */
  RETENTION_COMPLETED_MS: int(604_800_000, 60_000, 315_360_000_000),
  /** Retention: failed and cancelled jobs are deleted this long after they finished, ms (default 30 days). */
  RETENTION_FAILED_MS: int(2_592_000_000, 60_000, 315_360_000_000),
  /** Retention: most finished jobs one tick deletes; 0 turns retention off. */
  RETENTION_BATCH_SIZE: int(1_000, 0, 100_000),
  /** npm run worker: longest one tick runs, ms. A job whose timeout is longer is never claimed by the worker. */
  WORKER_TICK_BUDGET_MS: int(900_000, 1_000, 172_800_000),
  /** npm run worker: pause after a tick that ran jobs, ms. */
  WORKER_BUSY_PAUSE_MS: int(100, 0, 60_000),
  /** npm run worker: pause after a tick that found nothing to do, ms (one claim query per pause). */
  WORKER_IDLE_PAUSE_MS: int(2_000, 10, 600_000),
  /** npm run worker: on SIGTERM, how long running jobs may finish before they are released, ms. */
  WORKER_SHUTDOWN_GRACE_MS: int(8_000, 0, 3_600_000),
  /** npm run worker: the lease owner name; default host-pid-random, fixed for the process's life. */
  WORKER_ID: z.string().min(1).max(200).optional(),
  /** npm run dev: how often the dev command calls GET /api/jobs/tick, ms. */
  DEV_TICK_INTERVAL_MS: int(5_000, 100, 3_600_000),
  /** npm run dev without DATABASE_URL: the embedded PostgreSQL's data folder and preferred port. */
  DEV_DATABASE_DIR: z.string().min(1).default(".data/postgres"),
  DEV_DATABASE_PORT: int(54329, 1, 65_535),
});

export type Env = z.infer<typeof schema>;

export class EnvError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid environment:\n${problems.map((p) => `  - ${p}`).join("\n")}\nSee .env.example.`);
    this.name = "EnvError";
  }
}

export function parseEnv(source: Record<string, string | undefined>): Env {
  // An empty variable is treated as unset, as most hosts' dashboards cannot store "nothing".
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== ""));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    throw new EnvError(parsed.error.issues.map((i) => `${i.path.join(".")} ${i.message}`));
  }
  return parsed.data;
}

let cached: Env | undefined;

/** The process environment, validated on first use (not at import, so `next build` needs none). */
export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}
