import { execute, queryRows } from "../db.ts";
import { raw, sql, type Sql } from "../sql.ts";
import type { Engine } from "./context.ts";
import { clock, keepLastErrors } from "./types.ts";

// The only writes after a claim. Each is fenced on the lease holder of this attempt:
//   id AND locked_by = worker AND attempts = attempt AND status = 'processing'
// Zero rows means the lease was lost (it expired, the job was rescued and perhaps re-claimed,
// or it was cancelled): the caller records `lost` and never overwrites the newer state.

/** An attempt the caller holds: the job id and the attempt number its claim returned. */
export interface Attempt {
  id: string;
  attempt: number;
}

const MAX_ERROR_CHARS = 4_000;
const MAX_RESULT_BYTES = 64 * 1024;

function clip(message: string): string {
  return message.length > MAX_ERROR_CHARS ? `${message.slice(0, MAX_ERROR_CHARS)}... (${message.length} chars)` : message;
}

/** The handler's value as stored: JSON, or a note saying why it could not be kept. */
export function resultJson(result: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(result);
  } catch (err) {
    return JSON.stringify({ unserializable: (err as Error).message });
  }
  if (json === undefined) return "null";
  if (Buffer.byteLength(json) > MAX_RESULT_BYTES) return JSON.stringify({ truncated: true, bytes: Buffer.byteLength(json) });
  return json;
}

/**
 * complete, for many attempts in one statement (the executor batches jobs that finish
 * together). Returns the ids that were completed; any other id lost its lease.
 */
export async function completeAttempts(
  e: Engine,
  workerId: string,
  items: (Attempt & { result: unknown })[],
  now?: Date,
): Promise<Set<string>> {
  if (!items.length) return new Set();
  const rows = await queryRows<{ id: string }>(e.db, completeSql(e, workerId, items, now));
  return new Set(rows.map((r) => r.id));
}

/**
 * The fence of a batch written through an `unnest` join, as `(status = 'processing') IS TRUE`
 * (the same truth value: status is never NULL) so that it cannot be an index condition. Written
 * plainly, the planner reached the rows through jobs_status_type_idx's `processing` range (the
 * statistics, taken while little runs, promise one row there) and read every running job's
 * entry, every worker's, to find the batch: 2,001 entries for 10 rows, 0.4-0.7 ms, growing with
 * the number of jobs running. Now it probes the primary key once per id (0.1 ms), however many
 * jobs run (tests/engine/claim-plan.test.ts).
 */
const processingFence = (alias: string) => raw(`(${alias}.status = 'processing') IS TRUE`);

/**
 * The completion statement, `RETURNING j.id::text AS id` for each row that landed. Also sent
 * as a data-modifying CTE in front of the next claim (claim.ts), so a busy tick pays one
 * statement, one round trip and one commit for "finish these, take the next ones".
 */
export function completeSql(e: Engine, workerId: string, items: (Attempt & { result: unknown })[], now?: Date): Sql {
  return sql`
    UPDATE ${e.t.jobs} j SET
      status = 'completed', result = d.result::jsonb, finished_at = ${clock(now)}, updated_at = ${clock(now)},
      locked_by = NULL, locked_at = NULL, locked_until = NULL
    FROM unnest(${items.map((i) => i.id)}::bigint[], ${items.map((i) => i.attempt)}::int[],
                ${items.map((i) => resultJson(i.result))}::text[]) AS d(id, attempt, result)
    WHERE j.id = d.id AND j.attempts = d.attempt AND j.locked_by = ${workerId} AND ${processingFence("j")}
    RETURNING j.id::text AS id`;
}

/** retry: back to pending, due after `delayMs`; the error joins the job's history. */
export async function retryAttempt(e: Engine, workerId: string, a: Attempt, error: string, delayMs: number, now?: Date): Promise<boolean> {
  const msg = clip(error);
  const n = await execute(e.db, sql`
    UPDATE ${e.t.jobs} SET
      status = 'pending', run_at = ${clock(now)} + ${Math.max(0, Math.round(delayMs))} * interval '1 millisecond',
      last_error = ${msg},
      errors = ${keepLastErrors(sql`errors || jsonb_build_array(jsonb_build_object('attempt', attempts, 'error', ${msg}::text, 'at', ${clock(now)}))`)},
      locked_by = NULL, locked_at = NULL, locked_until = NULL, updated_at = ${clock(now)}
    WHERE id = ${a.id}::bigint AND attempts = ${a.attempt} AND locked_by = ${workerId} AND status = 'processing'`);
  return n === 1;
}

/** fail: for good (attempts exhausted, payload invalid, unknown type, non-retryable error). */
export async function failAttempt(e: Engine, workerId: string, a: Attempt, error: string, now?: Date): Promise<boolean> {
  const msg = clip(error);
  const n = await execute(e.db, sql`
    UPDATE ${e.t.jobs} SET
      status = 'failed', last_error = ${msg}, finished_at = ${clock(now)},
      errors = ${keepLastErrors(sql`errors || jsonb_build_array(jsonb_build_object('attempt', attempts, 'error', ${msg}::text, 'at', ${clock(now)}))`)},
      locked_by = NULL, locked_at = NULL, locked_until = NULL, updated_at = ${clock(now)}
    WHERE id = ${a.id}::bigint AND attempts = ${a.attempt} AND locked_by = ${workerId} AND status = 'processing'`);
  return n === 1;
}

/**
 * release: hand unfinished attempts back (a worker shutting down). The job is pending and
 * claimable at once, and the interrupted attempt is not counted. Returns the ids released.
 */
export async function releaseAttempts(e: Engine, workerId: string, items: Attempt[], now?: Date): Promise<Set<string>> {
  if (!items.length) return new Set();
  const rows = await queryRows<{ id: string }>(e.db, sql`
    UPDATE ${e.t.jobs} j SET
      status = 'pending', attempts = j.attempts - 1, run_at = ${clock(now)},
      locked_by = NULL, locked_at = NULL, locked_until = NULL, updated_at = ${clock(now)}
    FROM unnest(${items.map((i) => i.id)}::bigint[], ${items.map((i) => i.attempt)}::int[]) AS d(id, attempt)
    WHERE j.id = d.id AND j.attempts = d.attempt AND j.locked_by = ${workerId} AND ${processingFence("j")}
    RETURNING j.id::text AS id`);
  return new Set(rows.map((r) => r.id));
}
