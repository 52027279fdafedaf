import { queryRows } from "../../db.ts";
import { sql } from "../../sql.ts";
import type { Engine } from "../context.ts";
import { clock } from "../types.ts";
import { flowConfig, flowTypes } from "./claim.ts";
import { MAX_LIMIT, MAX_PERIOD_MS, MAX_RATE_LIMIT } from "./options.ts";

// Limits changed at run time (queue.setLimit, `cronbound limits set`): stored in type_settings
// (migration 0004), read by every flow claim, overriding the numbers the code declares until
// cleared. Only the numbers: which jobs a type's limits count (its key) is fixed at enqueue, so a
// type must declare a concurrency or rate limit in code before its limits can be changed here.

export interface LimitInput {
  /** At most this many running (per key when the type has a key). */
  concurrency?: number;
  /** At most `limit` starts per `periodMs` (per key when the type has a key). */
  rateLimit?: { limit: number; periodMs: number };
}

export type LimitResult =
  | { ok: true; type: string; limits: TypeLimits }
  | { ok: false; reason: "unknown_type" | "not_limited" | "invalid_limit"; message: string };

/** A limited type's limits as claims apply them now. */
export interface TypeLimits {
  type: string;
  /** null: no concurrency limit. `source`: the code's declaration, or a runtime override. */
  concurrency: { limit: number; perKey: boolean; source: "code" | "override" } | null;
  rateLimit: { limit: number; periodMs: number; perKey: boolean; source: "code" | "override" } | null;
  paused: boolean;
}

const posInt = (v: unknown, max: number) => typeof v === "number" && Number.isInteger(v) && v >= 1 && v <= max;

function check(e: Engine, type: unknown): Extract<LimitResult, { ok: false }> | null {
  if (typeof type !== "string" || !e.registry.get(type)) {
    return { ok: false, reason: "unknown_type", message: e.registry.unknownType(type) };
  }
  if (!flowTypes(e, [type]).length) {
    const limited = flowTypes(e).map((f) => f.type).join(", ") || "none";
    return {
      ok: false,
      reason: "not_limited",
      message: `job type "${type}" declares no concurrency or rateLimit in defineJob; its jobs carry no key, so limits cannot be set at run time (limited types: ${limited})`,
    };
  }
  return null;
}

/** Override the code's limits of `type` (those given; the others stay). Bad input: `{ ok: false }`, nothing written. */
export async function setLimit(e: Engine, type: string, input: LimitInput, options: { now?: Date } = {}): Promise<LimitResult> {
  const bad = check(e, type);
  if (bad) return bad;
  const invalid = (message: string): LimitResult => ({ ok: false, reason: "invalid_limit", message });
  if (!input || typeof input !== "object") return invalid("give { concurrency?, rateLimit?: { limit, periodMs } }");
  const extra = Object.keys(input).filter((k) => k !== "concurrency" && k !== "rateLimit");
  if (extra.length) return invalid(`unknown field(s): ${extra.join(", ")}`);
  if (input.concurrency === undefined && input.rateLimit === undefined) return invalid("give concurrency, rateLimit or both");
  if (input.concurrency !== undefined && !posInt(input.concurrency, MAX_LIMIT)) return invalid(`concurrency must be an integer from 1 to ${MAX_LIMIT} (got ${String(input.concurrency)})`);
  const r = input.rateLimit;
  if (r !== undefined) {
    if (!r || typeof r !== "object") return invalid("rateLimit must be { limit, periodMs }");
    if (!posInt(r.limit, MAX_RATE_LIMIT)) return invalid(`rateLimit.limit must be an integer from 1 to ${MAX_RATE_LIMIT} (got ${String(r.limit)})`);
    if (!posInt(r.periodMs, MAX_PERIOD_MS)) return invalid(`rateLimit.periodMs must be an integer from 1 to ${MAX_PERIOD_MS} (got ${String(r.periodMs)})`);
  }
  const conc = input.concurrency ?? null;
  await queryRows(e.db, sql`
    INSERT INTO ${e.t.typeSettings} AS s (type, concurrency_limit, rate_limit, rate_period_ms, updated_at)
    VALUES (${type}, ${conc}::int, ${r?.limit ?? null}::int, ${r?.periodMs ?? null}::int, ${clock(options.now)})
    ON CONFLICT (type) DO UPDATE SET
      concurrency_limit = coalesce(excluded.concurrency_limit, s.concurrency_limit),
      rate_limit = CASE WHEN excluded.rate_limit IS NULL THEN s.rate_limit ELSE excluded.rate_limit END,
      rate_period_ms = CASE WHEN excluded.rate_limit IS NULL THEN s.rate_period_ms ELSE excluded.rate_period_ms END,
      updated_at = excluded.updated_at`);
  e.log.info({ event: "limit_set", type, concurrency: conc, rateLimit: r ?? null }, `limits of "${type}" set`);
  return { ok: true, type, limits: (await typeLimits(e, [type]))[0] };
}

/** Drop the runtime overrides of `type`: the code's declaration holds again. */
export async function clearLimit(e: Engine, type: string, options: { now?: Date } = {}): Promise<LimitResult> {
  const bad = check(e, type);
  if (bad) return bad;
  await queryRows(e.db, sql`
    UPDATE ${e.t.typeSettings} SET concurrency_limit = NULL, rate_limit = NULL, rate_period_ms = NULL, updated_at = ${clock(options.now)}
    WHERE type = ${type} AND (concurrency_limit IS NOT NULL OR rate_limit IS NOT NULL)`);
  e.log.info({ event: "limit_cleared", type }, `limits of "${type}" cleared: the code's declaration holds`);
  return { ok: true, type, limits: (await typeLimits(e, [type]))[0] };
}

/** The limits every limited type (or those of `types`) runs under now. */
export async function typeLimits(e: Engine, types?: string[]): Promise<TypeLimits[]> {
  const flow = flowTypes(e, types);
  if (!flow.length) return [];
  const rows = await queryRows<{
    type: string; conc: number | null; concPerKey: boolean; rate: number | null; periodMs: number | null; ratePerKey: boolean;
    paused: boolean; concOverride: boolean; rateOverride: boolean;
  }>(e.db, sql`
    SELECT c.type, c.conc, c.conc_per_key AS "concPerKey", c.rate, c.period_ms AS "periodMs", c.rate_per_key AS "ratePerKey", c.paused,
           (s.concurrency_limit IS NOT NULL) AS "concOverride", (s.rate_limit IS NOT NULL) AS "rateOverride"
    FROM (${flowConfig(e, flow, true)}) c LEFT JOIN ${e.t.typeSettings} s ON s.type = c.type
    ORDER BY c.type`);
  return rows.map((r) => ({
    type: r.type,
    concurrency: r.conc === null ? null : { limit: r.conc, perKey: r.concPerKey, source: r.concOverride ? "override" : "code" },
    rateLimit: r.rate === null || r.periodMs === null ? null : { limit: r.rate, periodMs: r.periodMs, perKey: r.ratePerKey, source: r.rateOverride ? "override" : "code" },
    paused: r.paused,
  }));
}

/** What operators see per limited type: its limits, running vs limit, and the jobs held back. */
export interface FlowStat extends TypeLimits {
  /** Jobs of the type running now. */
  running: number;
  /** Due jobs of the type still pending: held back by a limit (or not yet claimed). */
  heldBack: number;
  /** Starts within the rate window (type-wide), when the type has a rate limit. */
  recentStarts: number | null;
  /** The busiest keys (most running, then most held back), at most 10; empty for a type limited as a whole. */
  keys: { key: string; running: number; heldBack: number; recentStarts: number | null }[];
}

export const BUSY_KEYS = 10;

/**
 * Flow stats of every limited type. Counts read jobs_flow_running_idx and jobs_flow_claim_idx
 * (the limited types' own entries), so they cost the limited backlog, not the table.
 */
export async function flowStats(e: Engine, options: { now?: Date } = {}): Promise<FlowStat[]> {
  const limits = await typeLimits(e);
  if (!limits.length) return [];
  const now = clock(options.now);
  const types = limits.map((l) => l.type);
  const periods = limits.map((l) => l.rateLimit?.periodMs ?? null);
  const rows = await queryRows<{ type: string; key: string; running: number; heldBack: number; starts: number | null }>(e.db, sql`
    WITH p AS (SELECT * FROM unnest(${types}::text[], ${periods}::int[]) AS p(type, period_ms)),
    counts AS (
      SELECT j.type, j.flow_key AS key,
             count(*) FILTER (WHERE j.status = 'processing')::int AS running,
             count(*) FILTER (WHERE j.status = 'pending' AND NOT j.blocked AND j.run_at <= ${now})::int AS held
      FROM ${e.t.jobs} j
      WHERE j.type = ANY(${types}::text[]) AND j.flow_key IS NOT NULL
        AND (j.status = 'processing' OR (j.status = 'pending' AND NOT j.blocked))
      GROUP BY 1, 2
    ), starts AS (
      SELECT f.type, f.flow_key AS key, count(*)::int AS n
      FROM ${e.t.flowStarts} f JOIN p ON p.type = f.type AND p.period_ms IS NOT NULL
      WHERE f.started_at > ${now} - p.period_ms * interval '1 millisecond'
      GROUP BY 1, 2
    )
    SELECT coalesce(c.type, s.type) AS type, coalesce(c.key, s.key) AS key,
           coalesce(c.running, 0) AS running, coalesce(c.held, 0) AS "heldBack", s.n AS starts
    FROM counts c FULL JOIN starts s ON s.type = c.type AND s.key = c.key`);
  return limits.map((l) => {
    const mine = rows.filter((r) => r.type === l.type);
    const perKey = !!(l.concurrency?.perKey || l.rateLimit?.perKey);
    const sum = (f: (r: (typeof mine)[number]) => number) => mine.reduce((n, r) => n + f(r), 0);
    return {
      ...l,
      running: sum((r) => r.running),
      heldBack: sum((r) => r.heldBack),
      recentStarts: l.rateLimit ? sum((r) => r.starts ?? 0) : null,
      keys: perKey
        ? mine
            .filter((r) => r.running || r.heldBack)
            .sort((a, b) => b.running - a.running || b.heldBack - a.heldBack || (a.key < b.key ? -1 : 1))
            .slice(0, BUSY_KEYS)
            .map((r) => ({ key: r.key, running: r.running, heldBack: r.heldBack, recentStarts: l.rateLimit ? (r.starts ?? 0) : null }))
        : [],
    };
  });
}
