import { queryRows, execute } from "../../db.ts";
import { errorFields } from "../../logger.ts";
import { sql } from "../../sql.ts";
import { withDb, type Engine } from "../context.ts";
import { enqueueMany } from "../enqueue.ts";
import { EnqueueError } from "../errors.ts";
import { clock } from "../types.ts";
import { dueFires, parseCron, ScheduleError } from "./cron.ts";
import { COLUMNS, dbNow, type Schedule } from "./store.ts";

// Cron schedules: rows in `schedules`, fired by the tick's maintenance.
//
// Exactly once per fire time, by two independent guards:
//  1. fireDueSchedules locks due schedule rows with FOR UPDATE SKIP LOCKED and advances each
//     row's cursor (next_run_at) in the same transaction as the enqueue, so overlapping ticks
//     never see the same fire time due;
//  2. each job's idempotency key is `schedule:<name>:<fire time ISO>` (unique index), so even a
//     cursor that moved back (a restored backup, a hand edit) cannot enqueue a fire time twice.
//
// Late fires (Vercel Cron skips a minute, delivers late, or a deploy takes two minutes): every
// due fire of the last CATCH_UP_MS is enqueued. Older fires (an outage) are dropped, except the
// most recent due fire, which is always enqueued, and up to `backfill` more of the most recent.

/** The job idempotency key of one fire time: what makes a fire time enqueue at most once. */
export function fireKey(name: string, fire: Date): string {
  return `schedule:${name}:${fire.toISOString()}`;
}

export interface FireResult {
  /** Schedules that were due and were advanced. */
  schedules: number;
  /** Jobs enqueued. */
  enqueued: number;
  /** Due schedules whose fire could not be enqueued (see their lastError). */
  errors: number;
}

/**
 * Maintenance step: enqueue the due fire times of up to `limit` due schedules and advance
 * their cursors, in one transaction. Overlapping ticks skip each other's locked rows; a row
 * committed by another tick is no longer due when this one looks. A fire whose type is gone
 * or whose payload no longer validates enqueues nothing and records why on the schedule,
 * whose cursor still advances: a broken schedule never blocks the others or retries forever.
 */
export async function fireDueSchedules(
  e: Engine,
  options: { now?: Date; limit?: number; catchUpMs?: number } = {},
): Promise<FireResult> {
  const run = async (tx: Engine): Promise<FireResult> => {
    const at = await dbNow(tx, options.now);
    const due = await queryRows<Schedule>(tx.db, sql`
      SELECT ${COLUMNS} FROM ${e.t.schedules}
      WHERE next_run_at <= ${at}
      ORDER BY next_run_at
      LIMIT ${options.limit ?? 100}
      FOR UPDATE SKIP LOCKED`);
    const result: FireResult = { schedules: due.length, enqueued: 0, errors: 0 };
    for (const s of due) {
      let fires: Date[] = [];
      let next: Date | null = null;
      let error: string | null = null;
      let ids: string[] = [];
      try {
        const c = parseCron(s.cron, s.timezone);
        ({ fires, next } = dueFires(c, s.nextRunAt as Date, at, { backfill: s.backfill, catchUpMs: options.catchUpMs }));
        ids = await enqueueMany(
          tx,
          fires.map((f) => ({ type: s.type, payload: s.payload, options: { runAt: f, idempotencyKey: fireKey(s.name, f) } })),
        );
      } catch (err) {
        if (!(err instanceof EnqueueError || err instanceof ScheduleError)) throw err;
        error = err.message;
        // Skip what was due; without a parsable expression, park the schedule until it is fixed.
        if (err instanceof ScheduleError) next = null;
        e.log.warn({ event: "schedule_failed", schedule: s.name, ...errorFields(err) }, `schedule "${s.name}" enqueued nothing: ${error}`);
      }
      result.enqueued += ids.length;
      if (error) result.errors++;
      const last = fires.at(-1) ?? null;
      await execute(tx.db, sql`
        UPDATE ${e.t.schedules} SET next_run_at = ${next}, last_error = ${error}, updated_at = ${at},
          last_run_at = CASE WHEN ${error}::text IS NULL THEN coalesce(${last}::timestamptz, last_run_at) ELSE last_run_at END,
          last_job_id = coalesce(${ids.at(-1) ?? null}::bigint, last_job_id)
        WHERE name = ${s.name}`);
    }
    return result;
  };
  // Most ticks find nothing due: one indexed probe instead of a transaction's four statements
  // (the empty tick's cost, bench/). A schedule that becomes due right after the probe fires
  // at the next tick, as it would have a moment later anyway.
  const [probe] = await queryRows<{ due: boolean }>(e.db, sql`
    SELECT EXISTS (SELECT 1 FROM ${e.t.schedules} WHERE next_run_at <= ${clock(options.now)}) AS due`);
  if (!probe?.due) return { schedules: 0, enqueued: 0, errors: 0 };
  return e.db.transaction((tx) => run(withDb(e, tx)));
}

