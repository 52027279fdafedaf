import { queryRows } from "../../db.ts";
import { sql } from "../../sql.ts";
import type { Engine } from "../context.ts";
import { clock } from "../types.ts";
import { flowTypes } from "./claim.ts";

/** A key not served for this long loses its turn (it is served first when it comes back). */
export const FLOW_KEY_TTL_MS = 24 * 3600 * 1000;

/**
 * Maintenance: delete rate-limit starts older than the longest window in use (the code's and
 * type_settings' periods), and fair-claiming turns of keys not served for a day. Bounded per run.
 */
export async function pruneFlow(e: Engine, options: { now?: Date; limit?: number } = {}): Promise<{ starts: number; keys: number }> {
  const limit = options.limit ?? 10_000;
  if (!flowTypes(e).length) return { starts: 0, keys: 0 }; // no limited types: nothing to prune, no statement
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
  return row;
}
