import type { Db } from "../db.ts";
import { cancelJob, getJob, retryJob, retryJobs } from "./control.ts";
import type { AnyJobType, PayloadOf, Registry } from "./define.ts";
import { enqueue, enqueueMany, type EnqueueManyItem, type EnqueueOptions, type EnqueueResult } from "./enqueue.ts";
import { listSchedules, schedule, unschedule, type ScheduleOptions } from "./schedules.ts";
import { getStats } from "./stats.ts";
import { runTick, type TickOptions } from "./tick.ts";

export interface QueueOptions<Types extends Record<string, AnyJobType>> {
  /** The database, or a function returning it (so the client is created on first use). */
  db: Db | (() => Db);
  registry: Registry<Types>;
}

/**
 * The engine bound to one database and one registry: what app code imports. Each method is
 * the plain function of the same name with `db` and `registry` filled in.
 */
export function createQueue<Types extends Record<string, AnyJobType>>(o: QueueOptions<Types>) {
  const db = typeof o.db === "function" ? o.db : () => o.db as Db;
  const registry = o.registry as Registry;
  return {
    registry: o.registry,
    /**
     * Validate the payload against the type's schema and insert the job. Pass `tx` (a Prisma
     * transaction client) to commit the job with the app's own writes.
     */
    enqueue<K extends keyof Types & string>(
      type: K,
      payload: PayloadOf<Types[K]>,
      options: EnqueueOptions & { tx?: Db; now?: Date } = {},
    ): Promise<EnqueueResult> {
      const { tx, ...rest } = options;
      return enqueue(tx ?? db(), registry, type, payload, rest);
    },
    enqueueMany(items: EnqueueManyItem[], options: { tx?: Db; now?: Date } = {}): Promise<string[]> {
      return enqueueMany(options.tx ?? db(), registry, items, options);
    },
    runTick: (options: TickOptions) => runTick(db(), registry, options),
    getJob: (id: string) => getJob(db(), id),
    cancelJob: (id: string, options?: { reason?: string }) => cancelJob(db(), id, options),
    retryJob: (id: string) => retryJob(db(), id),
    retryJobs: (options: Parameters<typeof retryJobs>[1]) => retryJobs(db(), options),
    /** Create or update a cron schedule: `schedule("nightly", "0 3 * * *", { type, payload, timezone })`. */
    schedule: (name: string, cron: string, options: ScheduleOptions) => schedule(db(), registry, name, cron, options),
    unschedule: (name: string) => unschedule(db(), name),
    listSchedules: () => listSchedules(db()),
    getStats: () => getStats(db()),
  };
}

export type Queue = ReturnType<typeof createQueue>;
