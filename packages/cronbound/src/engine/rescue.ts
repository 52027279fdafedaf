import { queryRows } from "../db.ts";
import { sql } from "../sql.ts";
import type { Engine } from "./context.ts";
import { clock, keepLastErrors } from "./types.ts";

/**
 * rescue: processing jobs whose lease expired go back to pending, or to failed when the
 * expired attempt was their last. The attempt counts: a job that crashes its worker every time
 * must not loop forever. Bounded by `limit` and SKIP LOCKED, so overlapping ticks share the
 * work instead of waiting on each other.
 *
 * Rescue can run a job twice: if the old worker was only slow (not dead) it may still be
 * executing when the job is re-claimed. Its writes are fenced and will not land, but its side
 * effects may have happened; handlers must be idempotent.
 */
export async function rescueExpiredLeases(e: Engine, options: { limit?: number; now?: Date } = {}): Promise<{ pending: number; failed: number }> {
  const now = clock(options.now);
  const rows = await queryRows<{ failed: boolean }>(e.db, sql`
    WITH expired AS (
      SELECT id FROM ${e.t.jobs}
      WHERE status = 'processing' AND locked_until < ${now}
      ORDER BY locked_until
      LIMIT ${options.limit ?? 1000}
      FOR UPDATE SKIP LOCKED
    ), msg AS (
      SELECT j.id, 'lease expired: ' || j.locked_by || ' did not finish attempt ' || j.attempts
               || ' before ' || to_char(j.locked_until AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
               || ' (crashed, killed, or stalled past timeout + grace)' AS text
      FROM ${e.t.jobs} j JOIN expired USING (id)
    )
    UPDATE ${e.t.jobs} j SET
      status = CASE WHEN j.attempts >= j.max_attempts THEN 'failed' ELSE 'pending' END::${e.t.status},
      finished_at = CASE WHEN j.attempts >= j.max_attempts THEN ${now} END,
      last_error = msg.text,
      errors = ${keepLastErrors(sql`j.errors || jsonb_build_array(jsonb_build_object('attempt', j.attempts, 'error', msg.text, 'at', ${now}))`)},
      locked_by = NULL, locked_at = NULL, locked_until = NULL, updated_at = ${now}
    FROM msg
    WHERE j.id = msg.id
    RETURNING (j.status = 'failed') AS failed`);
  const failed = rows.filter((r) => r.failed).length;
  return { pending: rows.length - failed, failed };
}
