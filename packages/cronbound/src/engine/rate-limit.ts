import { execute, queryRows } from "../db.ts";
import { sql } from "../sql.ts";
import type { Engine } from "./context.ts";
import { clock } from "./types.ts";

// Fixed-window rate limits held in PostgreSQL (table rate_limits, migration 0003), so every
// instance of a scaled-out app counts against the same numbers. One upsert counts a hit on
// every key at once and answers each key's count in the current window; a window is
// `windowMs` long and aligned to the epoch. The dashboard's sign-in uses it, and an app can
// use it for its own public actions (the reference app's demo page does).

export interface RateLimit {
  /** What is limited, and for whom: "signin:client:203.0.113.9", "signin:all". At most 300 characters. */
  key: string;
  /** Hits allowed per window; the hit that makes the count exceed this is refused. */
  max: number;
}

export interface RateLimitResult {
  /** True when every key is within its limit, this hit included. */
  ok: boolean;
  /** The first key over its limit, if any. */
  limitedBy?: string;
  /** Until the current window ends, ms (what Retry-After says). */
  retryAfterMs: number;
}

export interface RateLimitOptions {
  windowMs: number;
  /** Injected clock (tests). */
  now?: Date;
}

const window = (windowMs: number, now: Date | undefined) =>
  sql`to_timestamp(floor(extract(epoch FROM ${clock(now)}) * 1000 / ${windowMs}::bigint) * ${windowMs}::bigint / 1000.0)`;

function check(limits: RateLimit[], windowMs: number): RateLimit[] {
  if (!Number.isInteger(windowMs) || windowMs < 1_000 || windowMs > 7 * 24 * 3_600_000) throw new TypeError("rate limit windowMs must be a whole number of ms from 1,000 to 7 days");
  const byKey = new Map<string, RateLimit>();
  for (const l of limits) {
    if (typeof l.key !== "string" || l.key.length < 1 || l.key.length > 300 || l.key.includes("\0")) throw new TypeError("a rate limit key is 1 to 300 characters, no NUL");
    if (!Number.isInteger(l.max) || l.max < 0) throw new TypeError("a rate limit's max is a whole number");
    byKey.set(l.key, l);
  }
  // Sorted, so two hits on the same keys lock their rows in the same order (no deadlock).
  return [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : 1));
}

/**
 * Counts one hit on every key and says whether all are within their limits. The hit is
 * counted even when refused, so a client that keeps trying stays limited until the window ends.
 * Windows a day old are deleted here (a few at a time), so the table stays small.
 */
export async function rateLimitHit(e: Engine, limits: RateLimit[], options: RateLimitOptions): Promise<RateLimitResult> {
  const sorted = check(limits, options.windowMs);
  if (!sorted.length) return { ok: true, retryAfterMs: 0 };
  const keys = sorted.map((l) => l.key);
  const rows = await queryRows<{ key: string; count: number; retry: string }>(e.db, sql`
    WITH w AS (SELECT ${window(options.windowMs, options.now)} AS start, ${clock(options.now)} AS now),
    gc AS (
      DELETE FROM ${e.t.rateLimits} WHERE ctid IN (
        SELECT ctid FROM ${e.t.rateLimits} WHERE window_start < (SELECT now FROM w) - interval '1 day' LIMIT 100)
    ),
    up AS (
      INSERT INTO ${e.t.rateLimits} (key, window_start, count)
      SELECT k.key, w.start, 1 FROM unnest(${keys}::text[]) WITH ORDINALITY AS k(key, n), w ORDER BY k.n
      ON CONFLICT (key, window_start) DO UPDATE SET count = ${e.t.rateLimits}.count + 1
      RETURNING key, count
    )
    SELECT up.key, up.count, ceil(extract(epoch FROM (w.start + ${options.windowMs}::bigint * interval '1 millisecond' - w.now)) * 1000)::text AS retry
    FROM up, w`);
  const max = new Map(sorted.map((l) => [l.key, l.max]));
  const over = rows.find((r) => r.count > (max.get(r.key) ?? Infinity));
  return { ok: !over, limitedBy: over?.key, retryAfterMs: Math.max(0, Number(rows[0]?.retry ?? 0)) };
}

/** Takes back one hit on every key in the current window (a sign-in that succeeded is not a failure). */
export async function rateLimitRefund(e: Engine, keys: string[], options: RateLimitOptions): Promise<void> {
  if (!keys.length) return;
  await execute(e.db, sql`
    UPDATE ${e.t.rateLimits} SET count = greatest(count - 1, 0)
    WHERE key = ANY(${keys}::text[]) AND window_start = ${window(options.windowMs, options.now)}`);
}
