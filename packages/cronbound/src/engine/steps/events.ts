import { execute, queryRows } from "../../db.ts";
import { sql } from "../../sql.ts";
import { withDb, type Engine } from "../context.ts";
import { clock } from "../types.ts";
import { encodeJson, EventError, eventNameProblem } from "./limits.ts";
import { eventLockKey } from "./store.ts";

export interface SentEvent {
  /** The event's id (it is kept for the event window). */
  id: string;
  /** Waits it resumed: each waiting step is resumed by one event only. */
  resumed: number;
}

/**
 * sendEvent: resume every wait on `name` whose `match` the data contains, with `data` (JSON, at
 * most 64 KiB), and keep the event for the event window so a wait that begins shortly after
 * still receives it. Bad input: an EventError, nothing written.
 *
 * Events older than the window are deleted here too, up to 100 per event sent: the table holds
 * about one window's worth of events, and ticks spend nothing on it.
 *
 * One transaction under the advisory lock of the name (transaction-scoped, so it works through
 * a transaction-mode pooler): a wait beginning on the same name (suspendAttempt) takes the
 * same lock, so the event is either there when the wait looks back, or the wait is there when
 * the event looks for it. Each waiting row is resumed by the UPDATE that finds it still
 * waiting, so concurrent events resume a wait exactly once.
 */
export async function sendEvent(e: Engine, name: string, data: unknown, options: { now?: Date } = {}): Promise<SentEvent> {
  const problem = eventNameProblem(name);
  if (problem) throw new EventError("invalid_event", problem);
  const enc = encodeJson(data);
  if (!enc.ok) throw new EventError(enc.tooLarge ? "too_large" : "invalid_event", `event data ${enc.problem}`);
  const at = clock(options.now);
  return e.db.transaction(async (tx) => {
    await queryRows(tx, sql`SELECT pg_advisory_xact_lock(hashtextextended(${eventLockKey(e, name)}, 0))`);
    const [row] = await queryRows<{ id: string; resumed: number }>(tx, sql`
      WITH ev AS (
        INSERT INTO ${e.t.events} (name, data, created_at) VALUES (${name}, ${enc.json}::jsonb, ${at}) RETURNING id, data
      ), hit AS (
        UPDATE ${e.t.steps} s SET status = 'completed', result = ev.data, result_bytes = ${enc.bytes}, event_id = ev.id,
          finished_at = ${at}, updated_at = ${at}
        FROM ev, ${e.t.jobs} j
        WHERE s.status = 'waiting' AND s.kind = 'event' AND s.event = ${name}
          AND (s.match IS NULL OR ev.data @> s.match)
          AND j.id = s.job_id AND j.status IN ('pending', 'processing')
        RETURNING s.job_id
      ), woke AS (
        -- A data-modifying CTE runs whether or not it is read.
        UPDATE ${e.t.jobs} j SET run_at = ${at}, updated_at = ${at}
        WHERE j.id IN (SELECT job_id FROM hit) AND j.status = 'pending' AND j.run_at > ${at}
        RETURNING j.id
      )
      SELECT (SELECT id::text FROM ev) AS id, (SELECT count(*)::int FROM hit) AS resumed`);
    await pruneEvents(withDb(e, tx), { now: options.now, limit: 100 });
    return { id: row.id, resumed: row.resumed };
  });
}

/**
 * Delete events older than the event window, at most `limit` (a range of events_created_at_idx).
 * A wait that begins now could not receive them anyway.
 */
export async function pruneEvents(e: Engine, options: { now?: Date; limit?: number } = {}): Promise<number> {
  return execute(e.db, sql`
    DELETE FROM ${e.t.events} WHERE id = ANY(ARRAY(
      SELECT id FROM ${e.t.events}
      WHERE created_at < ${clock(options.now)} - ${e.config.eventWindowMs} * interval '1 millisecond'
      ORDER BY created_at
      LIMIT ${options.limit ?? 1000}))`);
}
