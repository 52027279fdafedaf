import { Cron } from "croner";
// Cron math, pure: parse an expression in a time zone, find fire times, decide which due fires
// one tick enqueues. No database here (store.ts keeps schedules, fire.ts fires them).
/** Fires at most this late are enqueued one by one; a skipped cron minute loses nothing. */
export const CATCH_UP_MS = 5 * 60_000;
/** Largest per-schedule backfill: at most this many missed fires are enqueued after a gap. */
export const MAX_BACKFILL = 100;
export class ScheduleError extends Error {
    code;
    issues;
    constructor(code, message, issues = []) {
        super(issues.length ? `${message}: ${issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ")}` : message);
        this.code = code;
        this.issues = issues;
        this.name = "ScheduleError";
    }
}
/** The IANA name as the runtime spells it ("utc" -> "UTC"), or a ScheduleError. */
export function checkTimezone(timezone) {
    try {
        return new Intl.DateTimeFormat("en-US", { timeZone: timezone }).resolvedOptions().timeZone;
    }
    catch {
        throw new ScheduleError("invalid_timezone", `unknown timezone ${JSON.stringify(timezone)} (use an IANA name such as "UTC", "Europe/London" or "America/New_York")`);
    }
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
export function parseCron(cron, timezone = "UTC") {
    if (typeof cron !== "string" || !cron.trim())
        throw new ScheduleError("invalid_cron", "the cron expression is empty");
    const tz = checkTimezone(timezone);
    let c;
    try {
        c = new Cron(cron.trim(), { paused: true, mode: "5-part", utcOffset: 0 });
    }
    catch (err) {
        const why = err.message.replace(/^Cron\w*: /, "");
        throw new ScheduleError("invalid_cron", `invalid cron expression ${JSON.stringify(cron)}: ${why} (five fields: minute hour day-of-month month day-of-week, or @hourly, @daily, @weekly, @monthly, @yearly)`);
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
                if (!next)
                    return null;
                const instant = wallToInstant(next.getTime(), tz);
                if (instant > after.getTime())
                    return new Date(instant);
                wall = next;
            }
            return null;
        },
    };
}
// --- wall clock <-> instant, for one IANA zone ---------------------------------------------
const formatters = new Map();
/** The zone's offset from UTC at `instant`, ms (New York in winter: -5 h). */
function offsetAt(instant, tz) {
    if (tz === "UTC" || tz === "Etc/UTC")
        return 0;
    let f = formatters.get(tz);
    if (!f) {
        f = new Intl.DateTimeFormat("en-US", {
            timeZone: tz, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric",
        });
        formatters.set(tz, f);
    }
    const p = {};
    for (const part of f.formatToParts(new Date(instant)))
        if (part.type !== "literal")
            p[part.type] = Number(part.value);
    const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
    return wall - Math.floor(instant / 1000) * 1000;
}
/** The zone's wall-clock reading at `instant`, as a UTC timestamp (12:00 in New York -> 12:00Z). */
export function instantToWall(instant, tz) {
    return instant + offsetAt(instant, tz);
}
/**
 * The instant a wall-clock time happens in the zone, disambiguated like Temporal's
 * "compatible" (and most cron daemons): a time that happens twice (fall back) is its first
 * occurrence; a time that does not exist (spring forward) is shifted forward by the gap,
 * 02:30 -> 03:30. Assumes at most one offset change within 12 hours, true of every zone.
 */
export function wallToInstant(wall, tz) {
    const before = offsetAt(wall - 12 * 3_600_000, tz);
    const after = offsetAt(wall + 12 * 3_600_000, tz);
    if (before === after)
        return wall - before;
    const a = wall - before;
    const b = wall - after;
    const aValid = a + offsetAt(a, tz) === wall;
    const bValid = b + offsetAt(b, tz) === wall;
    if (aValid && bValid)
        return Math.min(a, b);
    if (aValid)
        return a;
    if (bValid)
        return b;
    return wall - before; // in the gap: the offset in force before the change, which lands after it
}
/** The first fire time strictly after `after` (see parseCron). */
export function nextFireAfter(cron, after) {
    return cron.nextAfter(after);
}
/** Fire times in (fromExclusive, toInclusive], in order, at most `cap` (the earliest ones). */
function firesIn(cron, fromExclusive, toInclusive, cap) {
    const out = [];
    let t = fromExclusive;
    while (out.length < cap) {
        const next = nextFireAfter(cron, t);
        if (!next || next.getTime() > toInclusive.getTime())
            break;
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
export function dueFires(cron, cursor, at, o) {
    const catchUpMs = o.catchUpMs ?? CATCH_UP_MS;
    const windowStart = new Date(at.getTime() - catchUpMs);
    const beforeCursor = new Date(cursor.getTime() - 1);
    const recentFrom = beforeCursor.getTime() > windowStart.getTime() ? beforeCursor : windowStart;
    const recent = firesIn(cron, recentFrom, at, 10_000);
    const wantOld = Math.min(o.backfill, MAX_BACKFILL) + (recent.length ? 0 : 1);
    let old = [];
    if (wantOld > 0 && cursor.getTime() <= windowStart.getTime()) {
        for (let span = 3_600_000;; span *= 4) {
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
