import { resolveConfig } from "./config.js";
import { jsonLogger } from "./logger.js";
import { tables, withDb } from "./engine/context.js";
import { cancelJob, getJob, retryJob, retryJobs } from "./engine/control.js";
import { enqueue, enqueueMany } from "./engine/enqueue.js";
import { getSchedule, listSchedules, schedule, unschedule } from "./engine/schedules/store.js";
import { getStats } from "./engine/stats.js";
import { runTick } from "./engine/tick/run.js";
/**
 * The engine bound to one database, one registry and one config: what app code imports.
 * Nothing connects until the first call, so creating a queue at import time is free (and
 * `next build` needs no database).
 */
export function createQueue(o) {
    if (!o || typeof o !== "object")
        throw new TypeError("createQueue({ db, registry, config?, logger? }): options are required");
    if (!o.registry || typeof o.registry.get !== "function")
        throw new TypeError("createQueue: `registry` must come from createRegistry([...])");
    if (!o.db)
        throw new TypeError("createQueue: `db` is required (pgExecutor(pool) from cronbound/pg, or prismaExecutor(prisma, { pool }) from cronbound/prisma)");
    const logger = o.logger ?? jsonLogger();
    let engine;
    const e = () => {
        if (engine)
            return engine;
        const config = resolveConfig(typeof o.config === "function" ? o.config() : o.config);
        const db = typeof o.db === "function" ? o.db() : o.db;
        if (db.slowPath)
            logger.warn({ event: "slow_path", executor: db.kind }, db.slowPath);
        engine = { db, t: tables(config.schema), registry: o.registry, config, log: logger };
        return engine;
    };
    const inTx = (tx) => (tx === undefined ? e() : withDb(e(), e().db.join(tx)));
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
        engine: e,
    };
}
