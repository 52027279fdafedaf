import { raw, sql, type Sql } from "../sql.ts";

export const JOB_STATUSES = ["pending", "processing", "completed", "failed", "cancelled"] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** One failed attempt, kept on the job so a dead job shows its whole history. */
export interface AttemptError {
  attempt: number;
  error: string;
  at: string;
}

/** A job as the engine and the API see it. Ids are strings (the column is bigint). */
export interface Job {
  id: string;
  type: string;
  payload: unknown;
  status: JobStatus;
  priority: number;
  runAt: Date;
  attempts: number;
  maxAttempts: number;
  timeoutMs: number;
  lockedAt: Date | null;
  lockedBy: string | null;
  lockedUntil: Date | null;
  lastError: string | null;
  errors: AttemptError[];
  result: unknown;
  progress: unknown;
  idempotencyKey: string | null;
  dependsOn: string[];
  blocked: boolean;
  /** The job that enqueued this one with ctx.invoke and waits for it; null for any other job. */
  parentId: string | null;
  createdAt: Date;
  updatedAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  /** W3C traceparent of the span active when the job was enqueued (OpenTelemetry); null without one. */
  traceparent: string | null;
}

/** The column list that reads a row as a `Job`; `alias` qualifies it inside UPDATE ... FROM. */
export function jobColumns(alias = "jobs"): Sql {
  let columns = columnLists.get(alias);
  if (!columns) columnLists.set(alias, (columns = columnList(alias)));
  return columns;
}

const columnLists = new Map<string, Sql>();

function columnList(a: string): Sql {
  return raw(
    `${a}.id::text AS id, ${a}.type, ${a}.payload, ${a}.status::text AS status, ${a}.priority,
     ${a}.run_at AS "runAt", ${a}.attempts, ${a}.max_attempts AS "maxAttempts",
     ${a}.timeout_ms AS "timeoutMs", ${a}.locked_at AS "lockedAt", ${a}.locked_by AS "lockedBy",
     ${a}.locked_until AS "lockedUntil", ${a}.last_error AS "lastError", ${a}.errors,
     ${a}.result, ${a}.progress, ${a}.idempotency_key AS "idempotencyKey",
     coalesce(${a}.depends_on, '{}')::text[] AS "dependsOn", ${a}.blocked, ${a}.parent_id::text AS "parentId",
     ${a}.created_at AS "createdAt", ${a}.updated_at AS "updatedAt",
     ${a}.started_at AS "startedAt", ${a}.finished_at AS "finishedAt",
     ${a}.traceparent`,
  );
}

/**
 * A row read with jobColumns plus columns of the statement's own (a claim's `completed`, the
 * flow claim's key) as a `Job`: one object literal with exactly jobColumns' fields. (A rest
 * spread, `({ completed, ...job })`, cost 0.8 µs per claimed row; this, 0.02.) A field added to
 * jobColumns goes here too: tests/engine/claim.test.ts compares a claimed job with the same row
 * read through jobColumns.
 */
export function toJob(r: Job): Job {
  return {
    id: r.id, type: r.type, payload: r.payload, status: r.status, priority: r.priority, runAt: r.runAt, attempts: r.attempts,
    maxAttempts: r.maxAttempts, timeoutMs: r.timeoutMs, lockedAt: r.lockedAt, lockedBy: r.lockedBy, lockedUntil: r.lockedUntil,
    lastError: r.lastError, errors: r.errors, result: r.result, progress: r.progress, idempotencyKey: r.idempotencyKey,
    dependsOn: r.dependsOn, blocked: r.blocked, parentId: r.parentId, createdAt: r.createdAt, updatedAt: r.updatedAt,
    startedAt: r.startedAt, finishedAt: r.finishedAt, traceparent: r.traceparent,
  };
}

/**
 * The database's clock, or an injected one. Every timestamp the engine writes comes from here:
 * never from a function instance's clock, which can drift between instances.
 */
export function clock(now: Date | undefined): Sql {
  return now ? sql`${now}::timestamptz` : sql`now()`;
}

/** What one tick did. Every field is a count except the timings. */
export interface TickReport {
  workerId: string;
  claimed: number;
  completed: number;
  retried: number;
  failed: number;
  /** Expired leases handled by maintenance (back to pending, or failed on their last attempt). */
  rescued: number;
  /** Finalize writes that found the lease gone: the job was rescued and re-claimed meanwhile. */
  lost: number;
  /** Attempts handed back unfinished (worker shutdown), not counted as attempts. */
  released: number;
  /** Attempts that ended before a step that would not fit in the time left: due again now, not counted. */
  continued: number;
  /** Attempts that ended in a sleep, a wait for an event or a wait for a child job: no lease held, not counted. */
  waiting: number;
  /** Running jobs stopped because they were cancelled; their results were discarded. */
  cancelled: number;
  /** Due jobs left pending because their timeout did not fit in the time left. */
  skippedForBudget: number;
  /** Due jobs of limited types left pending when the tick ended: held back by a concurrency or rate limit (docs/FLOW-CONTROL.md). */
  heldBack: number;
  /** Results of the other maintenance steps, by name (scheduled, unblocked, pruned, ...). */
  maintenance: Record<string, number>;
  durationMs: number;
}

/**
 * How many attempt errors a job keeps in `errors`: the last 20. Each failed attempt (retry,
 * fail, an expired lease) appends one and, in the same statement, drops the oldest beyond
 * this, so a job retried for months still holds a bounded history. `last_error` always has the
 * latest in full (up to its own clip).
 */
export const ERROR_HISTORY = 20;

/** `errors` after an append, trimmed in SQL to its last ERROR_HISTORY entries. */
export function keepLastErrors(appended: Sql): Sql {
  return sql`jsonb_path_query_array(${appended}, ${`$[last-${ERROR_HISTORY - 1} to last]`}::jsonpath)`;
}
