import { queryRows } from "../../db.ts";
import { sql } from "../../sql.ts";
import type { Engine } from "../context.ts";
import { clock } from "../types.ts";
import { flowTypes } from "./claim.ts";

/** A key not served for this long loses its turn (it is served first when it comes back). */
export const FLOW_KEY_TTL_MS = 24 * 3600 * 1000;

/**
 * Maintenance: delete rate-limit starts older than the longest window in use (the code's and
 * type_settings' periods), and fair-claiming turns of keys not served for a day; release the
 * keyed jobs of types that no longer declare a limit. Bounded per run.
 */
export async function pruneFlow(e: Engine, options: { now?: Date; limit?: number } = {}): Promise<{ starts: number; keys: number; released: number }> {
  const limit = options.limit ?? 10_000;
  const released = releaseDue(e) ? await releaseUnlimited(e, options.limit ?? 1_000) : 0;
  if (!flowTypes(e).length) return { starts: 0, keys: 0, released }; // no limited types: nothing else to prune
  const codeMax = Math.max(0, ...flowTypes(e).map((f) => f.periodMs ?? 0));
  const [row] = await queryRows<{ starts: number; keys: number }>(e.db, sql`
    WITH horizon AS (
      SELECT ${clock(options.now)} - greatest(${codeMax}::int, coalesce((SELECT max(rate_period_ms) FROM ${e.t.typeSettings}), 0)) * interval '1 millisecond' AS at
    ), starts AS (
      DELETE FROM ${e.t.flowStarts} WHERE ctid = ANY(ARRAY(
        SELECT ctid FROM ${e.t.flowStarts} WHERE started_at <= (SELECT at FROM horizon) LIMIT ${limit}))
      RETURNING 1
    ), keys AS (
      DELETE FROM ${e.t.flowKeys} WHERE ctid = ANY(ARRAY(
        SELECT ctid FROM ${e.t.flowKeys} WHERE served_at < ${clock(options.now)} - ${FLOW_KEY_TTL_MS} * interval '1 millisecond' LIMIT ${limit}))
      RETURNING 1
    )
    SELECT (SELECT count(*) FROM starts)::int AS starts, (SELECT count(*) FROM keys)::int AS keys`);
  return { ...row, released };
}

/** How often a process looks for keyed jobs of types no longer limited: a change of code, so rarely. */
export const RELEASE_EVERY_MS = 60_000;
const lastRelease = new WeakMap<object, number>();

function releaseDue(e: Engine): boolean {
  const last = lastRelease.get(e.registry);
  if (last !== undefined && Date.now() - last < RELEASE_EVERY_MS) return false;
  lastRelease.set(e.registry, Date.now());
  return true;
}

/**
 * Pending jobs that carry a flow key of a type that no longer declares a limit (the code changed)
 * would wait forever: the plain claim never sees them. Give them back to it (flow_key NULL), up to
 * `limit` per run, at most once a minute per process (and at its first tick). The types with such
 * jobs are found by a loose index scan of jobs_flow_claim_idx (one probe per type), so with no
 * limited jobs this is one index probe.
 */
async function releaseUnlimited(e: Engine, limit: number): Promise<number> {
  const limited = flowTypes(e).map((f) => f.type);
  const [row] = await queryRows<{ n: number }>(e.db, sql`
    WITH RECURSIVE types AS (
      (SELECT type FROM ${e.t.jobs} WHERE status = 'pending' AND NOT blocked AND flow_key IS NOT NULL ORDER BY type LIMIT 1)
      UNION ALL
      SELECT (SELECT j.type FROM ${e.t.jobs} j WHERE j.status = 'pending' AND NOT j.blocked AND j.flow_key IS NOT NULL AND j.type > t.type ORDER BY j.type LIMIT 1)
      FROM types t WHERE t.type IS NOT NULL
    ), stale AS (
      SELECT type FROM types WHERE type IS NOT NULL AND type <> ALL(${limited}::text[])
    ), released AS (
      UPDATE ${e.t.jobs} SET flow_key = NULL WHERE id = ANY(ARRAY(
        SELECT j.id FROM ${e.t.jobs} j JOIN stale s ON s.type = j.type
        WHERE j.status = 'pending' AND NOT j.blocked AND j.flow_key IS NOT NULL
        LIMIT ${limit} FOR UPDATE OF j SKIP LOCKED))
      RETURNING 1
    )
    SELECT count(*)::int AS n FROM released`);
  return row.n;
}
