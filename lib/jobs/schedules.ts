import { Cron } from "croner";
import { z } from "zod";
import { Prisma, queryRows, type Db } from "../db.ts";
import type { PrismaClient } from "../generated/prisma/client.ts";
import { JOB_NAME, type Registry } from "./define.ts";
import { enqueueMany, MAX_PAYLOAD_BYTES } from "./enqueue.ts";
import { EnqueueError, toIssues, type Issue } from "./errors.ts";
import { clock } from "./types.ts";

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

/** Fires at most this late are enqueued one by one; a skipped cron minute loses nothing. */
export const CATCH_UP_MS = 5 * 60_000;
/** Largest per-schedule backfill: at most this many missed fires are enqueued after a gap. */
export const MAX_BACKFILL = 100;

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

export class ScheduleError extends Error {
  constructor(
    public readonly code: "invalid_name" | "invalid_cron" | "invalid_timezone" | "unknown_type" | "invalid_payload" | "invalid_options" | "too_large",
    message: string,
    public readonly issues: Issue[] = [],
  ) {
    super(issues.length ? `${message}: ${issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ")}` : message);
    this.name = "ScheduleError";
  }
}

const COLUMNS = Prisma.raw(`name, cron, timezone, type, payload, backfill, next_run_at AS "nextRunAt", last_run_at AS "lastRunAt",
  last_job_id::text AS "lastJobId", last_error AS "lastError", created_at AS "createdAt", updated_at AS "updatedAt"`);

/** The IANA name as the runtime spells it ("utc" -> "UTC"), or a ScheduleError. */
export function checkTimezone(timezone: string): string {
  try {
    return new Intl.DateTimeFormat("en-US", { timeZone: timezone }).resolvedOptions().timeZone;
  } catch {
    throw new ScheduleError("invalid_timezone", `unknown timezone ${JSON.stringify(timezone)} (use an IANA name such as "UTC", "Europe/London" or "America/New_York")`);
  }
}

/** A parsed cron expression bound to a time zone: the only thing the scheduler asks of it. */
export interface CronSchedule {
  readonly expression: string;
  readonly timezone: string;
  /** The first fire time strictly after `after`, or null when it never fires again. */
  nextAfter(after: Date): Date | null;
}

/**
 * Parse a five-field cron expression (minute hour day-of-month month day-of-week) or a
 * nickname (@hourly, @daily, @weekly, @monthly, @yearly) with croner. Seconds are refused: the
 * tick runs once a minute, so a finer schedule could only pile fires up.
 *
 * Time zones: croner evaluates the expression on the zone's wall clock treated as UTC, and
 * wallToInstant turns each wall-clock fire into an instant. We do not use croner's own
 * `timezone` option: croner 10 skips a fire time that falls in a spring-forward gap, and
 * (measured) only when its search starts on an earlier day, so a daily 02:30 job in New York
 * silently did not run on the night clocks changed. Measured too: its zone path costs
 * 0.45 ms a step, this one about 0.02 ms.
 */
export function parseCron(cron: string, timezone = "UTC"): CronSchedule {
  if (typeof cron !== "string" || !cron.trim()) throw new ScheduleError("invalid_cron", "the cron expression is empty");
  const tz = checkTimezone(timezone);
  let c: Cron;
  try {
    c = new Cron(cron.trim(), { paused: true, mode: "5-part", utcOffset: 0 });
  } catch (err) {
    const why = (err as Error).message.replace(/^Cron\w*: /, "");
    throw new ScheduleError(
      "invalid_cron",
      `invalid cron expression ${JSON.stringify(cron)}: ${why} (five fields: minute hour day-of-month month day-of-week, or @hourly, @daily, @weekly, @monthly, @yearly)`,
    );
  }
  return {
    expression: cron.trim(),
    timezone: tz,
    nextAfter(after) {
      // Wall-clock fires in order; skip any whose instant is not after `after`: the second
      // occurrence of a repeated hour maps to its first, and a wall time in a gap maps onto
      // the instant of a later one (02:30 and 03:30 are both 07:30Z in New York that night).
      // Just after clocks jumped forward, start the search back by the jump, or a fire shifted
      // out of the gap (02:30 -> 03:30) would be behind the wall clock already (03:29).
      const jump = Math.max(0, offsetAt(after.getTime(), tz) - offsetAt(after.getTime() - 3 * 3_600_000, tz));
      let wall = new Date(instantToWall(after.getTime(), tz) - jump);
      for (let i = 0; i < 1000; i++) {
        const next = c.nextRun(wall);
        if (!next) return null;
        const instant = wallToInstant(next.getTime(), tz);
        if (instant > after.getTime()) return new Date(instant);
        wall = next;
      }
      return null;
    },
  };
}

// --- wall clock <-> instant, for one IANA zone ---------------------------------------------

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The zone's offset from UTC at `instant`, ms (New York in winter: -5 h). */
function offsetAt(instant: number, tz: string): number {
  if (tz === "UTC" || tz === "Etc/UTC") return 0;
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: tz, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric",
    });
    formatters.set(tz, f);
  }
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(new Date(instant))) if (part.type !== "literal") p[part.type] = Number(part.value);
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return wall - Math.floor(instant / 1000) * 1000;
}

/** The zone's wall-clock reading at `instant`, as a UTC timestamp (12:00 in New York -> 12:00Z). */
export function instantToWall(instant: number, tz: string): number {
  return instant + offsetAt(instant, tz);
}

/**
 * The instant a wall-clock time happens in the zone, disambiguated like Temporal's
 * "compatible" (and most cron daemons): a time that happens twice (fall back) is its first
 * occurrence; a time that does not exist (spring forward) is shifted forward by the gap,
 * 02:30 -> 03:30. Assumes at most one offset change within 12 hours, true of every zone.
 */
export function wallToInstant(wall: number, tz: string): number {
  const before = offsetAt(wall - 12 * 3_600_000, tz);
  const after = offsetAt(wall + 12 * 3_600_000, tz);
  if (before === after) return wall - before;
  const a = wall - before;
  const b = wall - after;
  const aValid = a + offsetAt(a, tz) === wall;
  const bValid = b + offsetAt(b, tz) === wall;
  if (aValid && bValid) return Math.min(a, b);
  if (aValid) return a;
  if (bValid) return b;
  return wall - before; // in the gap: the offset in force before the change, which lands after it
}

/** The first fire time strictly after `after` (see parseCron). */
export function nextFireAfter(cron: CronSchedule, after: Date): Date | null {
  return cron.nextAfter(after);
}

/** Fire times in (fromExclusive, toInclusive], in order, at most `cap` (the earliest ones). */
function firesIn(cron: CronSchedule, fromExclusive: Date, toInclusive: Date, cap: number): Date[] {
  const out: Date[] = [];
  let t = fromExclusive;
  while (out.length < cap) {
    const next = nextFireAfter(cron, t);
    if (!next || next.getTime() > toInclusive.getTime()) break;
    out.push(next);
    t = next;
  }
  return out;
}

/**
 * Which fire times one tick enqueues for a schedule whose cursor (its first fire time not yet
 * enqueued) is at or before `at`, and where the cursor goes next. Pure, so tests can pin the
 * policy without a database:
 *  - every due fire later than `at - catchUpMs` (late, not missed);
 *  - of the older (missed) ones, the most recent `backfill`, plus the very latest due fire
 *    when nothing is recent, so an outage ends with one run, not none and not a flood.
 * Cost: a few croner steps per call; the search for old fires widens a window from `at`
 * backwards (1 h, 4 h, 16 h, ...) instead of walking from a cursor that may be months old.
 */
export function dueFires(cron: CronSchedule, cursor: Date, at: Date, o: { backfill: number; catchUpMs?: number }): { fires: Date[]; next: Date | null } {
  const catchUpMs = o.catchUpMs ?? CATCH_UP_MS;
  const windowStart = new Date(at.getTime() - catchUpMs);
  const beforeCursor = new Date(cursor.getTime() - 1);
  const recentFrom = beforeCursor.getTime() > windowStart.getTime() ? beforeCursor : windowStart;
  const recent = firesIn(cron, recentFrom, at, 10_000);
  const wantOld = Math.min(o.backfill, MAX_BACKFILL) + (recent.length ? 0 : 1);
  let old: Date[] = [];
  if (wantOld > 0 && cursor.getTime() <= windowStart.getTime()) {
    for (let span = 3_600_000; ; span *= 4) {
      const from = Math.max(beforeCursor.getTime(), windowStart.getTime() - span);
      const found = firesIn(cron, new Date(from), windowStart, 100_000);
      if (found.length >= wantOld || from === beforeCursor.getTime()) {
        old = found.slice(-wantOld);
        break;
      }
    }
  }
  return { fires: [...old, ...recent], next: nextFireAfter(cron, at) };
}

export const scheduleOptionsSchema = z.strictObject({
  type: z.string().min(1),
  payload: z.unknown().optional(),
  timezone: z.string().min(1).default("UTC"),
  backfill: z.number().int().min(0).max(MAX_BACKFILL).default(0),
  now: z.date().optional(),
});

export type ScheduleOptions = z.input<typeof scheduleOptionsSchema>;

async function dbNow(db: Db, now?: Date): Promise<Date> {
  const rows = await db.$queryRaw<{ now: Date }[]>`SELECT ${clock(now)} AS now`;
  return rows[0].now;
}

/**
 * Create or update the schedule `name`. Everything is checked before anything is written:
 * the name, the cron expression (and that it ever fires), the timezone, the type and the
 * payload against the type's schema (again at every fire). A new schedule first fires at its
 * first fire time after now. An update keeps its cursor when the expression and timezone are
 * unchanged (a payload edit does not skip or repeat a fire), and restarts from now otherwise.
 */
export async function schedule(db: Db, registry: Registry, name: string, cron: string, options: ScheduleOptions): Promise<Schedule> {
  if (typeof name !== "string" || !JOB_NAME.test(name)) {
    throw new ScheduleError("invalid_name", `schedule name ${JSON.stringify(name)} must be 1-100 letters, digits, '.', '_', ':' or '-'`);
  }
  const parsed = scheduleOptionsSchema.safeParse(options ?? {});
  if (!parsed.success) throw new ScheduleError("invalid_options", "invalid schedule options", toIssues(parsed.error));
  const o = parsed.data;
  const timezone = checkTimezone(o.timezone);
  const c = parseCron(cron, timezone);
  const def = registry.get(o.type);
  if (!def) throw new ScheduleError("unknown_type", `unknown job type ${JSON.stringify(o.type)} (known: ${registry.names().join(", ") || "none"})`);
  const payload = o.payload === undefined ? {} : o.payload;
  const checked = def.schema.safeParse(payload);
  if (!checked.success) throw new ScheduleError("invalid_payload", `invalid payload for job type "${o.type}"`, toIssues(checked.error, ["payload"]));
  const json = JSON.stringify(payload);
  if (Buffer.byteLength(json) > MAX_PAYLOAD_BYTES) throw new ScheduleError("too_large", `payload is over ${MAX_PAYLOAD_BYTES} bytes`);

  const now = await dbNow(db, o.now);
  const next = nextFireAfter(c, now);
  if (!next) throw new ScheduleError("invalid_cron", `cron expression ${JSON.stringify(cron)} never fires after ${now.toISOString()}`);
  const rows = await db.$queryRaw<Schedule[]>`
    INSERT INTO schedules (name, cron, timezone, type, payload, backfill, next_run_at, created_at, updated_at)
    VALUES (${name}, ${cron.trim()}, ${timezone}, ${o.type}, ${json}::jsonb, ${o.backfill}, ${next}, ${now}, ${now})
    ON CONFLICT (name) DO UPDATE SET
      cron = EXCLUDED.cron, timezone = EXCLUDED.timezone, type = EXCLUDED.type, payload = EXCLUDED.payload,
      backfill = EXCLUDED.backfill, last_error = NULL, updated_at = EXCLUDED.updated_at,
      next_run_at = CASE WHEN schedules.cron = EXCLUDED.cron AND schedules.timezone = EXCLUDED.timezone
                         THEN schedules.next_run_at ELSE EXCLUDED.next_run_at END
    RETURNING ${COLUMNS}`;
  return rows[0];
}

/** Remove a schedule. Jobs it already enqueued stay. False when there was none. */
export async function unschedule(db: Db, name: string): Promise<boolean> {
  return (await db.$executeRaw`DELETE FROM schedules WHERE name = ${name}`) === 1;
}

export async function getSchedule(db: Db, name: string): Promise<Schedule | null> {
  const rows = await db.$queryRaw<Schedule[]>`SELECT ${COLUMNS} FROM schedules WHERE name = ${name}`;
  return rows[0] ?? null;
}

/** Every schedule with its next fire time, by name. */
export async function listSchedules(db: Db): Promise<Schedule[]> {
  return db.$queryRaw<Schedule[]>`SELECT ${COLUMNS} FROM schedules ORDER BY name`;
}

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
  db: Db,
  registry: Registry,
  options: { now?: Date; limit?: number; catchUpMs?: number } = {},
): Promise<FireResult> {
  const run = async (tx: Db): Promise<FireResult> => {
    const at = await dbNow(tx, options.now);
    const due = await tx.$queryRaw<Schedule[]>`
      SELECT ${COLUMNS} FROM schedules
      WHERE next_run_at <= ${at}
      ORDER BY next_run_at
      LIMIT ${options.limit ?? 100}
      FOR UPDATE SKIP LOCKED`;
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
          registry,
          fires.map((f) => ({ type: s.type, payload: s.payload, options: { runAt: f, idempotencyKey: fireKey(s.name, f) } })),
        );
      } catch (err) {
        if (!(err instanceof EnqueueError || err instanceof ScheduleError)) throw err;
        error = err.message;
        // Skip what was due; without a parsable expression, park the schedule until it is fixed.
        if (err instanceof ScheduleError) next = null;
        console.error(`[cronbound] schedule "${s.name}" enqueued nothing: ${error}`);
      }
      result.enqueued += ids.length;
      if (error) result.errors++;
      const last = fires.at(-1) ?? null;
      await tx.$executeRaw`
        UPDATE schedules SET next_run_at = ${next}, last_error = ${error}, updated_at = ${at},
          last_run_at = CASE WHEN ${error}::text IS NULL THEN coalesce(${last}::timestamptz, last_run_at) ELSE last_run_at END,
          last_job_id = coalesce(${ids.at(-1) ?? null}::bigint, last_job_id)
        WHERE name = ${s.name}`;
    }
    return result;
  };
  if ("$transaction" in db) {
    // Most ticks find nothing due: one indexed probe instead of a transaction's four statements
    // (the empty tick's cost, bench/). A schedule that becomes due right after the probe fires
    // at the next tick, as it would have a moment later anyway.
    const [probe] = await queryRows<{ due: boolean }>(db, Prisma.sql`
      SELECT EXISTS (SELECT 1 FROM schedules WHERE next_run_at <= ${clock(options.now)}) AS due`);
    if (!probe?.due) return { schedules: 0, enqueued: 0, errors: 0 };
    return (db as PrismaClient).$transaction(run, { maxWait: 10_000, timeout: 60_000 });
  }
  return run(db);
}
