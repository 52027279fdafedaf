import { getJob, isJobId } from "../control.ts";
import type { Engine } from "../context.ts";
import { sleep } from "../sleep.ts";
import type { Job, JobStatus } from "../types.ts";

/** Longest getResult wait, ms. */
export const MAX_RESULT_WAIT_MS = 15 * 60_000;

/** A job's outcome as a caller awaiting it sees it. */
export interface JobResult {
  id: string;
  type: string;
  status: JobStatus;
  /** completed, failed or cancelled: `result` or `error` is final. */
  finished: boolean;
  /** The handler's value (completed jobs). */
  result: unknown;
  /** The last error (failed or cancelled jobs; a pending job retrying shows its last attempt's). */
  error: string | null;
  finishedAt: Date | null;
}

const FINISHED = new Set<JobStatus>(["completed", "failed", "cancelled"]);

export function isFinished(job: Pick<Job, "status">): boolean {
  return FINISHED.has(job.status);
}

/**
 * The job, once it is finished or `waitMs` has passed, whichever is first (null: no such job).
 * A bounded long-poll: it reads the row by primary key, first at once, then every 50 ms growing
 * to 1 s, and holds no connection in between, so it works through a transaction-mode pooler.
 */
export async function waitForJob(e: Engine, id: string, options: { waitMs?: number; signal?: AbortSignal } = {}): Promise<Job | null> {
  const waitMs = options.waitMs ?? 0;
  if (!Number.isInteger(waitMs) || waitMs < 0 || waitMs > MAX_RESULT_WAIT_MS) {
    throw new RangeError(`waitMs must be a whole number of milliseconds from 0 to ${MAX_RESULT_WAIT_MS}, got ${String(waitMs)}`);
  }
  if (!isJobId(id)) return null;
  const until = Date.now() + waitMs;
  let interval = 50;
  for (;;) {
    const job = await getJob(e, id);
    const left = until - Date.now();
    if (!job || isFinished(job) || left <= 0 || options.signal?.aborted) return job;
    try {
      await sleep(Math.min(interval, left), options.signal);
    } catch {
      return job; // aborted: answer with what we have
    }
    interval = Math.min(1_000, Math.round(interval * 1.5));
  }
}

/** getResult: waitForJob, as the outcome a caller wants. */
export async function getResult(e: Engine, id: string, options: { waitMs?: number; signal?: AbortSignal } = {}): Promise<JobResult | null> {
  const job = await waitForJob(e, id, options);
  if (!job) return null;
  return {
    id: job.id,
    type: job.type,
    status: job.status,
    finished: isFinished(job),
    result: job.status === "completed" ? job.result : null,
    error: job.status === "completed" ? null : job.lastError,
    finishedAt: job.finishedAt,
  };
}
