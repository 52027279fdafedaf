// cronbound: background jobs in the app's own PostgreSQL. The public surface.
export { createQueue } from "./queue.js";
export { defineJob, createRegistry, Registry } from "./engine/define.js";
export { runTick, defaultWorkerId } from "./tick.js";
export { runWorker, errorBackoffMs } from "./worker.js";
export { migrate, MigrationError, MIGRATIONS_DIR } from "./migrate.js";
export { configFromEnv, resolveConfig, ConfigError, DEFAULTS, ENV_VARS } from "./config.js";
export { jsonLogger, silentLogger, errorFields } from "./logger.js";
export { sql, raw, join, empty, Sql } from "./sql.js";
export { MAX_PAYLOAD_BYTES, MAX_BATCH } from "./engine/enqueue.js";
export { isJobId } from "./engine/control.js";
export { parseCron, ScheduleError } from "./engine/schedules/cron.js";
export { backoffDelay, DEFAULT_BACKOFF } from "./engine/backoff.js";
export { EnqueueError, NonRetryableError } from "./engine/errors.js";
export { JobStopped } from "./engine/execute.js";
export { sleep } from "./engine/sleep.js";
export { JOB_STATUSES } from "./engine/types.js";
