import { resolveConfig, type Config, type ConfigInput } from "./config.ts";
import type { Executor } from "./db.ts";
import { jsonLogger, type Logger } from "./logger.ts";
import { tables, withDb, type Engine } from "./engine/context.ts";
import { cancelJob, getJob, isJobId, retryJob, retryJobs, type ControlResult, type RetryJobsOptions } from "./engine/control.ts";
import type { AnyJobType, PayloadOf, Registry } from "./engine/define.ts";
import { enqueue, enqueueMany, type EnqueueManyItem, type EnqueueOptions, type EnqueueResult } from "./engine/enqueue.ts";
import { getSchedule, listSchedules, schedule, unschedule, type Schedule, type ScheduleOptions } from "./engine/schedules/store.ts";
import { getStats, type Stats } from "./engine/stats.ts";
import { prometheusMetrics } from "./engine/metrics.ts";
import { pausedTypes, pauseType, resumeType, type PausedType, type PauseResult } from "./engine/pause.ts";
import { clearLimit, flowStats, setLimit, type FlowStat, type LimitInput, type LimitResult } from "./engine/flow/settings.ts";
import { sendEvent, type SentEvent } from "./engine/steps/events.ts";
import { getResult, type JobResult } from "./engine/steps/result.ts";
import { listSteps, type StepRow } from "./engine/steps/view.ts";
import { runTick, type TickOptions } from "./engine/tick/run.ts";
import type { Job, TickReport } from "./engine/types.ts";

export interface QueueOptions<Types extends Record<string, AnyJobType>> {
  /** The database: an executor from cronbound/pg or cronbound/prisma, or a function returning one (made on first use). */
  db: Executor | (() => Executor);
  registry: Registry<Types>;
  /** Settings; anything left out takes its default (DEFAULTS). A function is called on first use. */
  config?: ConfigInput | (() => ConfigInput);
  /** Structured logger (pino-compatible); default: JSON lines on stdout/stderr. */
  logger?: Logger;
}

/** Server-side options of enqueue: never something an HTTP client may pass. */
export interface ServerEnqueueOptions {
  /** The caller's open transaction (a Prisma `$transaction` client, a pg client after BEGIN): the job commits or rolls back with it. */
  tx?: unknown;
  /** Injected clock (tests). */
  now?: Date;
}

export interface Queue<Types extends Record<string, AnyJobType> = Record<string, AnyJobType>> {
  readonly registry: Registry<Types>;
  /** The resolved settings (defaults filled in). */
  readonly config: Config;
  readonly logger: Logger;
  /**
   * Validate the payload against the type's schema and insert the job. With `tx`, the job is
   * written in the caller's transaction. Unknown type, invalid payload or options: an
   * EnqueueError and nothing written.
   */
  enqueue<K extends keyof Types & string>(type: K, payload: PayloadOf<Types[K]>, options?: EnqueueOptions & ServerEnqueueOptions): Promise<EnqueueResult>;
  /** Validate every item, insert them all in one statement; returns the ids created, in input order. */
  enqueueMany(items: EnqueueManyItem[], options?: ServerEnqueueOptions): Promise<string[]>;
  /** One tick: maintenance, then claim and run due jobs until `budgetMs` is spent. */
  runTick(options: TickOptions): Promise<TickReport>;
  getJob(id: string): Promise<Job | null>;
  /** A pending job becomes cancelled; a running one is asked to stop and its result is discarded. */
  cancelJob(id: string, options?: { reason?: string; now?: Date }): Promise<ControlResult>;
  /** A failed or cancelled job goes back to pending with fresh attempts. */
  retryJob(id: string, options?: { now?: Date }): Promise<ControlResult>;
  /** retryJob in bulk for the dead jobs of one type, in bounded batches. */
  retryJobs(options: RetryJobsOptions): Promise<{ retried: number }>;
  /** Create or update a cron schedule: `schedule("nightly", "0 3 * * *", { type, payload, timezone })`. */
  schedule(name: string, cron: string, options: ScheduleOptions): Promise<Schedule>;
  unschedule(name: string): Promise<boolean>;
  getSchedule(name: string): Promise<Schedule | null>;
  listSchedules(): Promise<Schedule[]>;
  /** Counts per status and type, the oldest due job's age, the last hour per minute. */
  getStats(): Promise<Stats>;
  /**
   * Pause a job type: no claim (cron, kick, worker, manual tick) takes its jobs until `resume`.
   * Its jobs still enqueue and wait; running ones finish. An unknown type: `{ ok: false, reason: "unknown_type" }`, nothing written.
   */
  pause(type: keyof Types & string, options?: { reason?: string; now?: Date }): Promise<PauseResult>;
  /** Resume a paused job type: its backlog is claimable at the next claim. */
  resume(type: keyof Types & string, options?: { now?: Date }): Promise<PauseResult>;
  /** The paused job types, oldest pause first. */
  pausedTypes(): Promise<PausedType[]>;
  /**
   * Override the concurrency or rate limit a type declares in code (docs/FLOW-CONTROL.md), stored
   * in the database: every claim uses it from the next claim on, until `clearLimit`. Unknown type,
   * a type without a declared limit, or a bad number: `{ ok: false }`, nothing written.
   */
  setLimit(type: keyof Types & string, limits: LimitInput, options?: { now?: Date }): Promise<LimitResult>;
  /** Drop the overrides of `type`: the code's declaration holds again. */
  clearLimit(type: keyof Types & string, options?: { now?: Date }): Promise<LimitResult>;
  /** Per limited type: its limits, running vs limit, jobs held back, the busiest keys. */
  limits(options?: { now?: Date }): Promise<FlowStat[]>;
  /** The queue's metrics in the Prometheus text format (what GET /api/jobs/metrics serves). */
  metrics(): Promise<string>;
  /**
   * Resume every job waiting for `event` (ctx.waitForEvent) whose match the data contains, with
   * `data`; kept for config.eventWindowMs so a wait that begins shortly after still receives it.
   * Bad input: an EventError, nothing written.
   */
  sendEvent(event: string, data?: unknown, options?: { now?: Date }): Promise<SentEvent>;
  /**
   * A job's outcome, once it has finished or `waitMs` (up to 15 min) has passed: a bounded
   * long-poll of its row. Null when there is no such job.
   */
  getResult(id: string, options?: { waitMs?: number; signal?: AbortSignal }): Promise<JobResult | null>;
  /** A job's durable steps (engine/steps/), oldest first, at most 500. */
  getSteps(id: string): Promise<StepRow[]>;
  /** @internal The engine context (database, tables, registry, config, logger) for cronbound's own adapters. */
  engine(): Engine;
}

/**
 * The engine bound to one database, one registry and one config: what app code imports.
 * Nothing connects until the first call, so creating a queue at import time is free (and
 * `next build` needs no database).
 */
export function createQueue<Types extends Record<string, AnyJobType>>(o: QueueOptions<Types>): Queue<Types> {
  if (!o || typeof o !== "object") throw new TypeError("createQueue({ db, registry, config?, logger? }): options are required");
  if (!o.registry || typeof (o.registry as Registry).get !== "function") throw new TypeError("createQueue: `registry` must come from createRegistry([...])");
  if (!o.db) throw new TypeError("createQueue: `db` is required (pgExecutor(pool) from cronbound/pg, or prismaExecutor(prisma, { pool }) from cronbound/prisma)");
  const logger = o.logger ?? jsonLogger();
  let engine: Engine | undefined;
  const e = (): Engine => {
    if (engine) return engine;
    const config = resolveConfig(typeof o.config === "function" ? o.config() : o.config);
    const db = typeof o.db === "function" ? o.db() : o.db;
    if (db.slowPath) logger.warn({ event: "slow_path", executor: db.kind }, db.slowPath);
    engine = { db, t: tables(config.schema), registry: o.registry as Registry, config, log: logger };
    return engine;
  };
  const inTx = (tx: unknown): Engine => (tx === undefined ? e() : withDb(e(), e().db.join(tx)));
  return {
    registry: o.registry,
    get config() {
      return e().config;
    },
    logger,
    enqueue(type, payload, options = {}) {
      const { tx, ...rest } = options;
      return enqueue(inTx(tx), type, payload, rest);
    },
    enqueueMany(items, options = {}) {
      return enqueueMany(inTx(options.tx), items, { now: options.now });
    },
    runTick: (options) => runTick(e(), options),
    getJob: (id) => getJob(e(), id),
    cancelJob: (id, options) => cancelJob(e(), id, options),
    retryJob: (id, options) => retryJob(e(), id, options),
    retryJobs: (options) => retryJobs(e(), options),
    schedule: (name, cron, options) => schedule(e(), name, cron, options),
    unschedule: (name) => unschedule(e(), name),
    getSchedule: (name) => getSchedule(e(), name),
    listSchedules: () => listSchedules(e()),
    getStats: () => getStats(e()),
    pause: (type, options) => pauseType(e(), type, options),
    resume: (type, options) => resumeType(e(), type, options),
    pausedTypes: () => pausedTypes(e()),
    setLimit: (type, limits, options) => setLimit(e(), type, limits, options),
    clearLimit: (type, options) => clearLimit(e(), type, options),
    limits: (options) => flowStats(e(), options),
    metrics: () => prometheusMetrics(e()),
    sendEvent: (event, data, options) => sendEvent(e(), event, data, options),
    getResult: (id, options) => getResult(e(), id, options),
    getSteps: async (id) => (isJobId(id) ? listSteps(e(), id) : []),
    engine: e,
  };
}
