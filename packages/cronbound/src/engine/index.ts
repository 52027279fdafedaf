// cronbound/engine: the engine's statements and steps, one function each, for custom runners,
// benchmarks and tests. Each takes the engine context of a queue (`engineOf(queue)`). This is
// the layer under createQueue/runTick: no stability promise beyond the package's own version,
// and every write after a claim is yours to fence as finalize.ts does.
import type { Queue } from "../queue.ts";
import type { Engine } from "./context.ts";

export type { Engine, Tables } from "./context.ts";
export { tables, withDb } from "./context.ts";
export { claimJobs, claimJobsCompleting, countSkippedForBudget, type ClaimOptions } from "./claim.ts";
export { completeAttempts, retryAttempt, failAttempt, releaseAttempts, resultJson, type Attempt } from "./finalize.ts";
export { executeJob, type Execution, type ExecuteOptions, type Outcome } from "./execute.ts";
export { rescueExpiredLeases } from "./rescue.ts";
export { runMaintenance, type MaintenanceOptions, type MaintenanceResult } from "./maintenance.ts";
export { pruneFinishedJobs, type RetentionOptions } from "./retention.ts";
export { releaseDependentsOf, settleDependencies, type SettleResult } from "./dependencies.ts";
export { fireDueSchedules, fireKey, type FireResult } from "./schedules/fire.ts";
export { dueFires, nextFireAfter, wallToInstant, instantToWall, checkTimezone, CATCH_UP_MS, MAX_BACKFILL } from "./schedules/cron.ts";
export { enqueue, enqueueMany, enqueueOptionsSchema } from "./enqueue.ts";
export { getJob, cancelJob, retryJob, retryJobs } from "./control.ts";
export { getStats, finishedPerMinute } from "./stats.ts";
export { pauseType, resumeType, pausedTypes, notPaused } from "./pause.ts";
export { claimFlow, flowTypes, countHeldBack, type FlowType } from "./flow/claim.ts";
export { setLimit, clearLimit, typeLimits, flowStats } from "./flow/settings.ts";
export { pruneFlow } from "./flow/prune.ts";
export { countMatching, retryMatching, cancelMatching, findJob, filterConditions, jobFilterSchema, MAX_BULK, type JobFilter, type BulkOptions } from "./bulk.ts";
export { collectMetrics, renderPrometheus, prometheusMetrics } from "./metrics.ts";
export { formatTraceparent, parseTraceparent } from "./tracing.ts";
export { AttemptMetrics, foldOldMinutes, BUCKETS_MS } from "./attempt-metrics.ts";
export { progressWriter, MAX_PROGRESS_BYTES, PROGRESS_INTERVAL_MS, type ProgressWriter } from "./progress.ts";
export { watchRunning } from "./watch.ts";
export { runTick, type TickOptions } from "./tick/run.ts";
export {
  loadSteps, writeStep, suspendAttempt, enqueueChild, findEvent, invokeKey, leaseHeld,
  type Lease, type Suspension, type NewWait, type ExistingWait, type StoredStep, type StepWrite,
} from "./steps/store.ts";
export { stepRunnerFactory, type StepRunner, type StepRunnerFactory, type AttemptControl } from "./steps/runner.ts";
export { sendEvent, pruneEvents } from "./steps/events.ts";
export { waitForJob, getResult, MAX_RESULT_WAIT_MS } from "./steps/result.ts";
export { listSteps, jobWaits } from "./steps/view.ts";
export { jobColumns, clock, keepLastErrors, ERROR_HISTORY } from "./types.ts";

/** The engine context of a queue: its database, tables, job types, config and logger. */
export function engineOf(queue: Queue): Engine {
  return queue.engine();
}
export { rateLimitHit, rateLimitRefund, type RateLimit, type RateLimitResult, type RateLimitOptions } from "./rate-limit.ts";
export { createSession, sessionIsValid, endSession } from "./sessions.ts";
