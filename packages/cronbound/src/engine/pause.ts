import { queryRows } from "../db.ts";
import { sql, type Sql } from "../sql.ts";
import type { Engine } from "./context.ts";
import { clock } from "./types.ts";

// Pausing a job type: stored in cronbound.type_settings (paused_at, paused_reason; migration
// 0006), honoured by every claim (claim.ts splices `notPaused` into its WHERE), so the cron
// tick, the kick, the worker, a manual tick and custom runners on claimJobs all skip the type.
// Enqueue is untouched: a paused type's jobs keep arriving and wait. Jobs already running
// finish; their retries wait too. Resuming makes the backlog claimable at the next claim.

/**
 * The claim's filter: `type <> ALL(ARRAY(<paused types>))`. The ARRAY(...) is an InitPlan run
 * once per statement (a primary-key read of the small type_settings table), so the claim keeps
 * its plan: the same index scan on jobs_claim_idx, with one more filter on each row. Rows of a
 * paused type that sit ahead in claim order are read and passed over, so a claim behind a paused
 * backlog costs that backlog (measured in docs/OBSERVABILITY.md); nothing else changes.
 *
 * The comparison is wrapped in coalesce(..., true) (the same truth value: the array never holds
 * NULL) so the planner cannot estimate it from the type column's statistics. Bare, with every
 * pending job of one type (an app with a single job type), it reads `type <> <unknown>` as
 * "keeps no row", and a plan that keeps no row prefers reading and sorting the whole backlog to
 * walking the claim index: 34 ms instead of 0.06 ms at 100k pending (tests/engine/claim-plan).
 */
export function notPaused(e: Engine): Sql {
  return sql`AND coalesce(type <> ALL(ARRAY(SELECT s.type FROM ${e.t.typeSettings} s WHERE s.paused_at IS NOT NULL)), true)`;
}

export interface PausedType {
  type: string;
  pausedAt: Date;
  reason: string | null;
}

export type PauseResult =
  | { ok: true; type: string; paused: boolean; pausedAt: Date | null; reason: string | null; changed: boolean }
  | { ok: false; reason: "unknown_type" | "invalid_reason"; message: string };

export const MAX_PAUSE_REASON = 500;

function check(e: Engine, type: unknown): { ok: false; reason: "unknown_type"; message: string } | null {
  if (typeof type === "string" && e.registry.get(type)) return null;
  return { ok: false, reason: "unknown_type", message: e.registry.unknownType(type) };
}

/** Pause `type`: no claim takes its jobs until it is resumed. Pausing a paused type keeps its first pause time. */
export async function pauseType(e: Engine, type: string, options: { reason?: string; now?: Date } = {}): Promise<PauseResult> {
  const bad = check(e, type);
  if (bad) return bad;
  const reason = options.reason ?? null;
  if (reason !== null && (typeof reason !== "string" || reason.length > MAX_PAUSE_REASON || reason.includes("\0"))) {
    return { ok: false, reason: "invalid_reason", message: `the reason must be text of at most ${MAX_PAUSE_REASON} characters` };
  }
  const [row] = await queryRows<{ pausedAt: Date; reason: string | null; changed: boolean }>(e.db, sql`
    WITH before AS (SELECT paused_at FROM ${e.t.typeSettings} WHERE type = ${type})
    INSERT INTO ${e.t.typeSettings} AS s (type, paused_at, paused_reason, updated_at)
    VALUES (${type}, ${clock(options.now)}, ${reason}, ${clock(options.now)})
    ON CONFLICT (type) DO UPDATE SET
      paused_at = coalesce(s.paused_at, excluded.paused_at),
      paused_reason = CASE WHEN s.paused_at IS NULL OR excluded.paused_reason IS NOT NULL THEN excluded.paused_reason ELSE s.paused_reason END,
      updated_at = excluded.updated_at
    RETURNING s.paused_at AS "pausedAt", s.paused_reason AS reason, ((SELECT paused_at FROM before) IS NULL) AS changed`);
  return { ok: true, type, paused: true, pausedAt: row.pausedAt, reason: row.reason, changed: row.changed };
}

/** Resume `type`: its waiting jobs are claimable again. Resuming a type that runs changes nothing. */
export async function resumeType(e: Engine, type: string, options: { now?: Date } = {}): Promise<PauseResult> {
  const bad = check(e, type);
  if (bad) return bad;
  const rows = await queryRows<{ type: string }>(e.db, sql`
    UPDATE ${e.t.typeSettings} SET paused_at = NULL, paused_reason = NULL, updated_at = ${clock(options.now)}
    WHERE type = ${type} AND paused_at IS NOT NULL
    RETURNING type`);
  return { ok: true, type, paused: false, pausedAt: null, reason: null, changed: rows.length > 0 };
}

/** Every paused type, oldest pause first. */
export async function pausedTypes(e: Engine): Promise<PausedType[]> {
  return queryRows<PausedType>(e.db, sql`
    SELECT type, paused_at AS "pausedAt", paused_reason AS reason FROM ${e.t.typeSettings}
    WHERE paused_at IS NOT NULL ORDER BY paused_at, type`);
}
