export { tables, withDb } from "./context.js";
export { claimJobs, claimJobsCompleting, countSkippedForBudget } from "./claim.js";
export { completeAttempts, retryAttempt, failAttempt, releaseAttempts, resultJson } from "./finalize.js";
export { executeJob } from "./execute.js";
export { rescueExpiredLeases } from "./rescue.js";
export { runMaintenance } from "./maintenance.js";
export { pruneFinishedJobs } from "./retention.js";
export { releaseDependentsOf, settleDependencies } from "./dependencies.js";
export { fireDueSchedules, fireKey } from "./schedules/fire.js";
export { dueFires, nextFireAfter, wallToInstant, instantToWall, checkTimezone, CATCH_UP_MS, MAX_BACKFILL } from "./schedules/cron.js";
export { enqueue, enqueueMany, enqueueOptionsSchema } from "./enqueue.js";
export { getJob, cancelJob, retryJob, retryJobs } from "./control.js";
export { getStats, finishedPerMinute } from "./stats.js";
export { progressWriter, MAX_PROGRESS_BYTES, PROGRESS_INTERVAL_MS } from "./progress.js";
export { watchRunning } from "./watch.js";
export { runTick } from "./tick/run.js";
export { jobColumns, clock } from "./types.js";
/** The engine context of a queue: its database, tables, job types, config and logger. */
export function engineOf(queue) {
    return queue.engine();
}
