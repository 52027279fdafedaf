import type { Job, JobStatus } from "../engine/types.ts";

/** A job as the API returns it: ids are strings (the column is bigint), dates ISO 8601 (UTC). */
export interface JobJson {
  id: string;
  type: string;
  status: JobStatus;
  payload: unknown;
  priority: number;
  attempts: number;
  maxAttempts: number;
  timeoutMs: number;
  lastError: string | null;
  errors: Job["errors"];
  result: unknown;
  progress: unknown;
  idempotencyKey: string | null;
  dependsOn: string[];
  blocked: boolean;
  /** The job that invoked this one (ctx.invoke) and waits for it. */
  parentId: string | null;
  lockedBy: string | null;
  runAt: string;
  lockedAt: string | null;
  lockedUntil: string | null;
  createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

const iso = (d: Date | string) => new Date(d).toISOString();
const isoOrNull = (d: Date | string | null) => (d === null ? null : iso(d));

export function jobJson(job: Job): JobJson {
  return {
    id: String(job.id),
    type: job.type,
    status: job.status,
    payload: job.payload,
    priority: job.priority,
    attempts: job.attempts,
    maxAttempts: job.maxAttempts,
    timeoutMs: job.timeoutMs,
    lastError: job.lastError,
    errors: job.errors,
    result: job.result,
    progress: job.progress,
    idempotencyKey: job.idempotencyKey,
    dependsOn: job.dependsOn.map(String),
    blocked: job.blocked,
    parentId: job.parentId ?? null,
    lockedBy: job.lockedBy,
    runAt: iso(job.runAt),
    lockedAt: isoOrNull(job.lockedAt),
    lockedUntil: isoOrNull(job.lockedUntil),
    createdAt: iso(job.createdAt),
    updatedAt: iso(job.updatedAt),
    startedAt: isoOrNull(job.startedAt),
    finishedAt: isoOrNull(job.finishedAt),
  };
}
