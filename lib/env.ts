import { z } from "zod";

// The reference app's own environment, parsed once. The engine's settings (CRON_SECRET,
// TICK_*, WORKER_*, RETENTION_*, ...) are read by cronbound's configFromEnv() in
// lib/cronbound.ts. Every variable is documented in .env.example. A missing or malformed
// variable stops start-up with a message that names it.

const int = (def: number, min: number, max: number) => z.coerce.number().int().min(min).max(max).default(def);

const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATABASE_URL: z
    .string({ error: "is required (a postgres:// connection URL)" })
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL"),
  /** Connections per instance. Small: a tick needs about one per five concurrent jobs. */
  DB_POOL_MAX: int(5, 1, 100),
  /** npm run dev: how often the dev command calls GET /api/jobs/tick, ms. */
  DEV_TICK_INTERVAL_MS: int(5_000, 100, 3_600_000),
  /** npm run dev without DATABASE_URL: the embedded PostgreSQL's data folder and preferred port. */
  DEV_DATABASE_DIR: z.string().min(1).default(".data/postgres"),
  DEV_DATABASE_PORT: int(54329, 1, 65_535),
  /** npm run dev: the address `next dev` listens on. 127.0.0.1: only this machine reaches it. */
  DEV_HOST: z
    .string()
    .regex(/^[A-Za-z0-9.:-]{1,100}$/, "must be an IP address or a host name (127.0.0.1, 0.0.0.0, ::)")
    .default("127.0.0.1"),
  /** The demo page's public forms outside development: off unless "1" (docs/SECURITY.md). */
  DEMO_ENABLED: z.enum(["0", "1"], { error: 'must be "1" (on) or "0" (off)' }).default("0"),
  /** Demo jobs one client may enqueue per window, and all clients together. */
  DEMO_RATE_PER_CLIENT: int(5, 0, 100_000),
  DEMO_RATE_TOTAL: int(60, 0, 10_000_000),
  DEMO_RATE_WINDOW_MS: int(600_000, 1_000, 7 * 24 * 3_600_000),
  /** The demo's outbox rows are deleted this long after they were written, ms. */
  DEMO_OUTBOX_RETENTION_MS: int(86_400_000, 60_000, 365 * 24 * 3_600_000),
  /** Signs the demo's per-job status tokens; default: derived from CRON_SECRET. */
  DEMO_STATUS_SECRET: z.string().min(16, "must be at least 16 characters").optional(),
  CRON_SECRET: z.string().optional(),
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
