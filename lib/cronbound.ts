import { configFromEnv, createQueue } from "cronbound";
import { prismaExecutor } from "cronbound/prisma";
import { database } from "./db.ts";
import { registry } from "./job-types/index.ts";

/**
 * The app's queue: `queue.enqueue("send-email", { to, subject })` from any server code, and
 * what the routes, the dashboard, the worker and the CLI (`cronbound`, which finds this file)
 * run. The engine uses the app's Prisma client and, for speed, its pg pool; its settings come
 * from the environment (CRON_SECRET, TICK_*, WORKER_*, RETENTION_*; see .env.example).
 * Nothing connects until the first call.
 */
export const queue = createQueue({
  db: () => prismaExecutor(database().prisma, { pool: database().pool }),
  registry,
  config: () => configFromEnv(),
});
