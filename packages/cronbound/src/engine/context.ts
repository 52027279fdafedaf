import type { Config } from "../config.ts";
import type { Executor } from "../db.ts";
import type { Logger } from "../logger.ts";
import { ident, raw, sql, type Sql } from "../sql.ts";
import type { Registry } from "./define.ts";

/**
 * The engine's tables, schema-qualified. Every statement names them through here, so the
 * schema is configurable (`config.schema`) and a host app's own `jobs` table is never touched.
 */
export interface Tables {
  schema: string;
  jobs: Sql;
  schedules: Sql;
  /** Durable steps and waits of jobs (engine/steps/). */
  steps: Sql;
  /** Events sent with sendEvent, kept for the event window. */
  events: Sql;
  /** The `job_status` enum type, for casts. */
  status: Sql;
  migrations: Sql;
  /** Per-type settings changed at run time (migration 0002 and the columns each feature adds). */
  typeSettings: Sql;
  /** Attempt counts and wait/run histograms per minute and type (migration 0006). */
  attemptMetrics: Sql;
  /** Starts of rate-limited jobs, and fair-claiming turns per key (migration 0004, engine/flow/). */
  flowStarts: Sql;
  flowKeys: Sql;
  /** Dashboard sessions (migration 0003). */
  sessions: Sql;
  /** Fixed-window rate-limit counters (migration 0003). */
  rateLimits: Sql;
}

export function tables(schema: string): Tables {
  const s = ident(schema);
  const q = (name: string) => sql`${s}.${raw(`"${name}"`)}`;
  return {
    schema, jobs: q("jobs"), schedules: q("schedules"), steps: q("steps"), events: q("events"),
    status: q("job_status"), migrations: q("migrations"), typeSettings: q("type_settings"), attemptMetrics: q("attempt_metrics"),
    flowStarts: q("flow_starts"), flowKeys: q("flow_keys"),
    sessions: q("sessions"), rateLimits: q("rate_limits"),
  };
}

/**
 * What every engine function works with: the database, the tables, the job types, the
 * settings and the logger. A queue holds one; `withDb` swaps the database (a caller's
 * transaction) and keeps the rest.
 */
export interface Engine {
  db: Executor;
  t: Tables;
  registry: Registry;
  config: Config;
  log: Logger;
}

export function withDb(e: Engine, db: Executor): Engine {
  return db === e.db ? e : { ...e, db };
}
