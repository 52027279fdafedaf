// The engine's public surface.
export { defineJob, createRegistry, Registry, type JobType, type JobContext, type AnyJobType } from "./define.ts";
export { enqueue, enqueueMany, MAX_PAYLOAD_BYTES, type EnqueueOptions, type EnqueueResult } from "./enqueue.ts";
export { runTick, defaultWorkerId, type TickOptions, type JobEvent } from "./tick.ts";
export { getJob, cancelJob, retryJob, retryJobs, isJobId, type ControlResult } from "./control.ts";
export { schedule, unschedule, listSchedules, getSchedule, fireDueSchedules, ScheduleError, type Schedule, type ScheduleOptions } from "./schedules.ts";
export { releaseDependentsOf, settleDependencies } from "./dependencies.ts";
export { pruneFinishedJobs, DEFAULT_RETENTION, type RetentionOptions } from "./retention.ts";
export { runMaintenance, type MaintenanceOptions } from "./maintenance.ts";
export { getStats, type Stats } from "./stats.ts";
export { createQueue, type Queue } from "./queue.ts";
export { backoffDelay, type BackoffOptions } from "./backoff.ts";
export { EnqueueError, NonRetryableError, type Issue } from "./errors.ts";
export { JobStopped } from "./execute.ts";
export { sleep } from "./sleep.ts";
export type { Job, JobStatus, TickReport } from "./types.ts";
