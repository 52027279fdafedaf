import type { Db } from "../db.ts";
import { clock, jobColumns, type Job } from "./types.ts";

const ID = /^[1-9][0-9]{0,18}$/;

/** A job id as the API accepts it: a positive integer, as a string or a number. */
export function isJobId(id: unknown): id is string {
  return typeof id === "string" && ID.test(id);
}

export async function getJob(db: Db, id: string): Promise<Job | null> {
  if (!isJobId(id)) return null;
  const rows = await db.$queryRaw<Job[]>`SELECT ${jobColumns()} FROM jobs WHERE id = ${id}::bigint`;
  return rows[0] ?? null;
}

export type ControlResult =
  | { ok: true; job: Job }
  | { ok: false; reason: "not_found" }
  | { ok: false; reason: "wrong_status"; status: Job["status"]; message: string };

async function explain(db: Db, id: string, wanted: string): Promise<ControlResult> {
  const job = await getJob(db, id);
  if (!job) return { ok: false, reason: "not_found" };
  return { ok: false, reason: "wrong_status", status: job.status, message: `job ${id} is ${job.status}; ${wanted}` };
}

/**
 * cancel: a pending job becomes cancelled. A processing job becomes cancelled too, and its
 * lease is cleared: the executor notices within its watch interval and fires the handler's
 * signal, and its fenced finalize finds nothing to write, so a late result is discarded.
 * A finished job is left alone.
 */
export async function cancelJob(db: Db, id: string, options: { reason?: string; now?: Date } = {}): Promise<ControlResult> {
  if (!isJobId(id)) return { ok: false, reason: "not_found" };
  const reason = options.reason ?? "cancelled";
  const rows = await db.$queryRaw<Job[]>`
    UPDATE jobs SET status = 'cancelled', last_error = ${reason}, finished_at = ${clock(options.now)}, updated_at = ${clock(options.now)},
      locked_by = NULL, locked_at = NULL, locked_until = NULL
    WHERE id = ${id}::bigint AND status IN ('pending', 'processing')
    RETURNING ${jobColumns()}`;
  return rows[0] ? { ok: true, job: rows[0] } : explain(db, id, "only pending or processing jobs can be cancelled");
}

/**
 * retryJob: a failed or cancelled job goes back to pending, due now, with fresh attempts.
 * Its error history is kept.
 */
export async function retryJob(db: Db, id: string, options: { now?: Date } = {}): Promise<ControlResult> {
  if (!isJobId(id)) return { ok: false, reason: "not_found" };
  const rows = await db.$queryRaw<Job[]>`
    UPDATE jobs SET status = 'pending', attempts = 0, run_at = ${clock(options.now)}, finished_at = NULL,
      result = NULL, progress = NULL, updated_at = ${clock(options.now)}
    WHERE id = ${id}::bigint AND status IN ('failed', 'cancelled')
    RETURNING ${jobColumns()}`;
  return rows[0] ? { ok: true, job: rows[0] } : explain(db, id, "only failed or cancelled jobs can be retried");
}
