import { execute, queryRows } from "../db.ts";
import { sql } from "../sql.ts";
import type { Engine } from "./context.ts";
import type { Settled } from "./tick/settle.ts";
import { clock } from "./types.ts";

// Attempt counts and wait/run-time histograms per job type, kept in cronbound.attempt_metrics
// (migration 0006) so they are the same whichever instance serves GET /api/jobs/metrics, and
// survive restarts. A tick counts in memory (a few map updates per attempt, no statement) and
// adds its counts with one upsert when it ends, or every FLUSH_INTERVAL_MS while it runs.
// Counts a process held when it crashed are lost; the jobs are not.

/** Histogram bucket upper bounds, ms. Wide on purpose: a wait is milliseconds after a kick, a minute between cron ticks. */
export const BUCKETS_MS = [1, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000, 300_000, 900_000, 3_600_000] as const;
export const INF = "+Inf";

/** The outcome of an attempt as counted: the tick report's words. */
export const OUTCOME_NAME: Record<Settled, string> = {
  completed: "completed",
  retry: "retried",
  failed: "failed",
  released: "released",
  discarded: "cancelled",
  lost: "lost",
  // A durable job's slice that ended before its job did: handed back due now, or to sleep or wait.
  continued: "continued",
  waiting: "waiting",
};

export const FLUSH_INTERVAL_MS = 10_000;
/** Minutes kept one by one; older ones are folded into the '-infinity' row. */
export const WINDOW_MINUTES = 120;

function bucketIndex(ms: number): number {
  for (let i = 0; i < BUCKETS_MS.length; i++) if (ms <= BUCKETS_MS[i]) return i;
  return BUCKETS_MS.length;
}

/** One type's counts since the last flush: plain arrays, so recording an attempt allocates nothing. */
interface TypeCounts {
  outcomes: Record<string, number>;
  wait: number[];
  waitSum: number;
  run: number[];
  runSum: number;
}

const newCounts = (): TypeCounts => ({
  outcomes: {},
  wait: new Array(BUCKETS_MS.length + 1).fill(0),
  waitSum: 0,
  run: new Array(BUCKETS_MS.length + 1).fill(0),
  runSum: 0,
});

const bucketName = (i: number) => (i < BUCKETS_MS.length ? String(BUCKETS_MS[i]) : INF);

export class AttemptMetrics {
  private counts = new Map<string, TypeCounts>();
  private flushing: Promise<void> | null = null;

  constructor(private readonly e: Engine, private readonly now?: Date) {}

  record(type: string, outcome: Settled, waitMs: number, runMs: number): void {
    let c = this.counts.get(type);
    if (!c) this.counts.set(type, (c = newCounts()));
    const o = OUTCOME_NAME[outcome];
    c.outcomes[o] = (c.outcomes[o] ?? 0) + 1;
    c.wait[bucketIndex(waitMs)]++;
    c.waitSum += waitMs;
    c.run[bucketIndex(runMs)]++;
    c.runSum += runMs;
  }

  /** Writes what was counted so far. A failed write keeps the counts for the next flush. */
  flush(): Promise<void> {
    this.flushing ??= this.write().finally(() => (this.flushing = null));
    return this.flushing;
  }

  private rows(batch: Map<string, TypeCounts>): [string, string, string, number][] {
    const rows: [string, string, string, number][] = [];
    for (const [type, c] of batch) {
      for (const [o, n] of Object.entries(c.outcomes)) rows.push([type, "outcome", o, n]);
      c.wait.forEach((n, i) => n && rows.push([type, "wait", bucketName(i), n]));
      c.run.forEach((n, i) => n && rows.push([type, "run", bucketName(i), n]));
      rows.push([type, "wait_sum", "", c.waitSum], [type, "run_sum", "", c.runSum]);
    }
    // Sorted, so two ticks upserting the same rows lock them in the same order (no deadlock).
    const key = (r: [string, string, string, number]) => `${r[0]}\u0000${r[1]}\u0000${r[2]}`;
    return rows.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  }

  private async write(): Promise<void> {
    if (!this.counts.size) return;
    const batch = this.counts;
    this.counts = new Map();
    const rows = this.rows(batch);
    try {
      await execute(this.e.db, sql`
        INSERT INTO ${this.e.t.attemptMetrics} AS m (minute, type, series, key, value)
        SELECT date_trunc('minute', ${clock(this.now)}), x.type, x.series, x.key, x.value
        FROM unnest(${rows.map((r) => r[0])}::text[], ${rows.map((r) => r[1])}::text[], ${rows.map((r) => r[2])}::text[],
                    ${rows.map((r) => r[3])}::float8[]) WITH ORDINALITY AS x(type, series, key, value, ord)
        ORDER BY x.ord
        ON CONFLICT (minute, type, series, key) DO UPDATE SET value = m.value + excluded.value`);
    } catch (err) {
      for (const [type, c] of batch) {
        const into = this.counts.get(type) ?? newCounts();
        for (const [o, n] of Object.entries(c.outcomes)) into.outcomes[o] = (into.outcomes[o] ?? 0) + n;
        c.wait.forEach((n, i) => (into.wait[i] += n));
        c.run.forEach((n, i) => (into.run[i] += n));
        into.waitSum += c.waitSum;
        into.runSum += c.runSum;
        this.counts.set(type, into);
      }
      throw err;
    }
  }
}

/**
 * Folds minutes older than the window into the '-infinity' row: the sums over all rows (the
 * Prometheus counters) are unchanged, and the table stays at about WINDOW_MINUTES rows per
 * series. Bounded, idempotent, safe when ticks overlap (a row deleted by one is skipped by the
 * other). The DELETE feeds an aggregate, so every row is deleted before any is upserted.
 */
export async function foldOldMinutes(e: Engine, now?: Date): Promise<number> {
  const rows = await queryRows<{ n: number }>(e.db, sql`
    WITH old AS (
      DELETE FROM ${e.t.attemptMetrics}
      WHERE minute < date_trunc('minute', ${clock(now)}) - ${WINDOW_MINUTES} * interval '1 minute' AND minute > '-infinity'
      RETURNING type, series, key, value
    ), folded AS (
      INSERT INTO ${e.t.attemptMetrics} AS m (minute, type, series, key, value)
      SELECT '-infinity', type, series, key, sum(value) FROM old GROUP BY type, series, key ORDER BY type, series, key
      ON CONFLICT (minute, type, series, key) DO UPDATE SET value = m.value + excluded.value
      RETURNING 1
    )
    SELECT (SELECT count(*) FROM old)::int AS n, (SELECT count(*) FROM folded) AS f`);
  return rows[0]?.n ?? 0;
}

export interface WindowStats {
  /** Attempts by outcome (OUTCOME_NAME's words). */
  outcomes: Record<string, number>;
  wait: Percentiles;
  run: Percentiles;
}

/** Estimated percentiles, ms, interpolated within histogram buckets as Prometheus' histogram_quantile does; null when nothing was counted. */
export interface Percentiles {
  count: number;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  /** True when a percentile fell in the last, unbounded bucket: it is at least the value shown. */
  open: boolean;
}

/** Counts of one type's attempts over the last `minutes` minutes (the current one included), from the per-minute rows. */
export async function attemptWindow(e: Engine, type: string, minutes = 60, now?: Date): Promise<WindowStats> {
  const rows = await queryRows<{ series: string; key: string; value: number }>(e.db, sql`
    SELECT series, key, sum(value)::float8 AS value FROM ${e.t.attemptMetrics}
    WHERE type = ${type} AND minute > date_trunc('minute', ${clock(now)}) - ${minutes} * interval '1 minute'
    GROUP BY series, key`);
  const pick = (series: string) => new Map(rows.filter((r) => r.series === series).map((r) => [r.key, r.value]));
  return {
    outcomes: Object.fromEntries([...pick("outcome")].map(([k, v]) => [k, v])),
    wait: percentiles(pick("wait")),
    run: percentiles(pick("run")),
  };
}

export function percentiles(buckets: Map<string, number>): Percentiles {
  const bounds = [...BUCKETS_MS, Infinity];
  const counts = bounds.map((b) => buckets.get(b === Infinity ? INF : String(b)) ?? 0);
  const count = counts.reduce((a, b) => a + b, 0);
  let open = false;
  const q = (p: number): number | null => {
    if (count === 0) return null;
    const rank = p * count;
    let seen = 0;
    for (let i = 0; i < bounds.length; i++) {
      if (seen + counts[i] >= rank && counts[i] > 0) {
        const lower = i === 0 ? 0 : bounds[i - 1];
        if (bounds[i] === Infinity) {
          open = true;
          return lower;
        }
        return Math.round(lower + ((bounds[i] - lower) * (rank - seen)) / counts[i]);
      }
      seen += counts[i];
    }
    return null;
  };
  const out = { count, p50: q(0.5), p90: q(0.9), p99: q(0.99), open: false };
  out.open = open;
  return out;
}
