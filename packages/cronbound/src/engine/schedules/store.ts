import { z } from "zod";
import { queryRows, execute } from "../../db.ts";
import { raw, sql } from "../../sql.ts";
import type { Engine } from "../context.ts";
import { JOB_NAME } from "../define.ts";
import { MAX_PAYLOAD_BYTES } from "../enqueue.ts";
import { toIssues } from "../errors.ts";
import { clock } from "../types.ts";
import { checkTimezone, MAX_BACKFILL, nextFireAfter, parseCron, ScheduleError } from "./cron.ts";

// Cron schedules as rows of the engine's `schedules` table: create or update, remove, read.

export interface Schedule {
  name: string;
  cron: string;
  timezone: string;
  type: string;
  payload: unknown;
  backfill: number;
  /** The next fire time not yet enqueued; null when the expression never fires again. */
  nextRunAt: Date | null;
  /** The latest fire time enqueued. */
  lastRunAt: Date | null;
  lastJobId: string | null;
  /** Why the latest fire enqueued nothing (the type was removed, the payload stopped matching). */
  lastError: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export const COLUMNS = raw(`name, cron, timezone, type, payload, backfill, next_run_at AS "nextRunAt", last_run_at AS "lastRunAt",
  last_job_id::text AS "lastJobId", last_error AS "lastError", created_at AS "createdAt", updated_at AS "updatedAt"`);

export const scheduleOptionsSchema = z.strictObject({
  type: z.string().min(1),
  payload: z.unknown().optional(),
  timezone: z.string().min(1).default("UTC"),
  backfill: z.number().int().min(0).max(MAX_BACKFILL).default(0),
  now: z.date().optional(),
});

export type ScheduleOptions = z.input<typeof scheduleOptionsSchema>;

export async function dbNow(e: Engine, now?: Date): Promise<Date> {
  const rows = await queryRows<{ now: Date }>(e.db, sql`SELECT ${clock(now)} AS now`);
  return rows[0].now;
}

/**
 * Create or update the schedule `name`. Everything is checked before anything is written:
 * the name, the cron expression (and that it ever fires), the timezone, the type and the
 * payload against the type's schema (again at every fire). A new schedule first fires at its
 * first fire time after now. An update keeps its cursor when the expression and timezone are
 * unchanged (a payload edit does not skip or repeat a fire), and restarts from now otherwise.
 */
export async function schedule(e: Engine, name: string, cron: string, options: ScheduleOptions): Promise<Schedule> {
  if (typeof name !== "string" || !JOB_NAME.test(name)) {
    throw new ScheduleError("invalid_name", `schedule name ${JSON.stringify(name)} must be 1-100 letters, digits, '.', '_', ':' or '-'`);
  }
  const parsed = scheduleOptionsSchema.safeParse(options ?? {});
  if (!parsed.success) throw new ScheduleError("invalid_options", "invalid schedule options", toIssues(parsed.error));
  const o = parsed.data;
  const timezone = checkTimezone(o.timezone);
  const c = parseCron(cron, timezone);
  const def = e.registry.get(o.type);
  if (!def) throw new ScheduleError("unknown_type", e.registry.unknownType(o.type));
  const payload = o.payload === undefined ? {} : o.payload;
  const checked = def.schema.safeParse(payload);
  if (!checked.success) throw new ScheduleError("invalid_payload", `invalid payload for job type "${o.type}"`, toIssues(checked.error, ["payload"]));
  const json = JSON.stringify(payload);
  if (Buffer.byteLength(json) > MAX_PAYLOAD_BYTES) throw new ScheduleError("too_large", `payload is over ${MAX_PAYLOAD_BYTES} bytes`);

  const now = await dbNow(e, o.now);
  const next = nextFireAfter(c, now);
  if (!next) throw new ScheduleError("invalid_cron", `cron expression ${JSON.stringify(cron)} never fires after ${now.toISOString()}`);
  const rows = await queryRows<Schedule>(e.db, sql`
    INSERT INTO ${e.t.schedules} AS schedules (name, cron, timezone, type, payload, backfill, next_run_at, created_at, updated_at)
    VALUES (${name}, ${cron.trim()}, ${timezone}, ${o.type}, ${json}::jsonb, ${o.backfill}, ${next}, ${now}, ${now})
    ON CONFLICT (name) DO UPDATE SET
      cron = EXCLUDED.cron, timezone = EXCLUDED.timezone, type = EXCLUDED.type, payload = EXCLUDED.payload,
      backfill = EXCLUDED.backfill, last_error = NULL, updated_at = EXCLUDED.updated_at,
      next_run_at = CASE WHEN schedules.cron = EXCLUDED.cron AND schedules.timezone = EXCLUDED.timezone
                         THEN schedules.next_run_at ELSE EXCLUDED.next_run_at END
    RETURNING ${COLUMNS}`);
  return rows[0];
}

/** Remove a schedule. Jobs it already enqueued stay. False when there was none. */
export async function unschedule(e: Engine, name: string): Promise<boolean> {
  return (await execute(e.db, sql`DELETE FROM ${e.t.schedules} WHERE name = ${name}`)) === 1;
}

export async function getSchedule(e: Engine, name: string): Promise<Schedule | null> {
  const rows = await queryRows<Schedule>(e.db, sql`SELECT ${COLUMNS} FROM ${e.t.schedules} WHERE name = ${name}`);
  return rows[0] ?? null;
}

/** Every schedule with its next fire time, by name. */
export async function listSchedules(e: Engine): Promise<Schedule[]> {
  return queryRows<Schedule>(e.db, sql`SELECT ${COLUMNS} FROM ${e.t.schedules} ORDER BY name`);
}

