import { queryRows } from "../../db.ts";
import { sql } from "../../sql.ts";
import type { Engine } from "../context.ts";
import type { AnyJobType } from "../define.ts";
import { EnqueueError } from "../errors.ts";
import { clock, jobColumns, type Job } from "../types.ts";
import { isLimited, runKey } from "./options.ts";

/** The keys of one job, computed at enqueue from its validated payload (docs/FLOW-CONTROL.md). */
export interface JobKeys {
  /** The key its limits count it under ('' for a type limited as a whole); null: the type has no limits. */
  flowKey: string | null;
  /** Set when the type debounces. */
  debounce: { key: string; delayMs: number; mode: "last" | "first" } | null;
}

/**
 * Run the type's key functions on `payload`. A key function that throws or returns anything but a
 * string of 1 to 200 characters: an EnqueueError (invalid_payload) naming it, and nothing written.
 */
export function jobKeys(def: AnyJobType, payload: unknown, at: (string | number)[] = []): JobKeys {
  const f = def.flow;
  const keys: JobKeys = { flowKey: null, debounce: null };
  if (!f) return keys;
  const run = (fn: (p: unknown) => string, what: string) => {
    const r = runKey(fn, payload);
    if (!r.ok) throw new EnqueueError("invalid_payload", `invalid payload for job type "${def.name}"`, [{ path: [...at, "payload"], message: `${what}: ${r.message}` }]);
    return r.key;
  };
  if (isLimited(f)) keys.flowKey = f.key ? run(f.key, f.concurrency?.perKey ? "concurrency.key" : "rateLimit.key") : "";
  if (f.debounce) keys.debounce = { key: run(f.debounce.key, "debounce.key"), delayMs: f.debounce.delayMs, mode: f.debounce.mode };
  return keys;
}

export interface DebouncedRow {
  type: string;
  payload: string;
  priority: number;
  runAt: Date | null;
  delayMs: number | null;
  maxAttempts: number;
  timeoutMs: number;
  flowKey: string | null;
  debounce: NonNullable<JobKeys["debounce"]>;
}

/**
 * Insert a debounced job, or collapse into the pending job of the same type and key. The unique
 * index jobs_debounce_idx (type, debounce_key, for pending rows) decides between concurrent
 * enqueues: exactly one inserts, the others meet its row in ON CONFLICT. "last" replaces the
 * payload there (the row lock orders them: the last to commit wins); "first" leaves it. The job
 * is due `delayMs` after the enqueue that created it (or at the enqueue's own runAt/delayMs); a
 * collapsed enqueue does not move it. The claim clears debounce_key, so an enqueue after the job
 * started makes a new job.
 */
export async function insertDebounced(e: Engine, r: DebouncedRow, now: Date | undefined, traceparent: string | null): Promise<{ job: Job; created: boolean }> {
  const onConflict = r.debounce.mode === "last"
    ? sql`DO UPDATE SET payload = excluded.payload, updated_at = excluded.updated_at`
    : sql`DO NOTHING`;
  for (let i = 0; i < 3; i++) {
    const rows = await queryRows<Job & { created: boolean }>(e.db, sql`
      INSERT INTO ${e.t.jobs} AS jobs (type, payload, priority, run_at, max_attempts, timeout_ms, flow_key, debounce_key, traceparent, updated_at)
      VALUES (${r.type}, ${r.payload}::jsonb, ${r.priority},
              coalesce(${r.runAt}::timestamptz, ${clock(now)} + ${r.delayMs ?? r.debounce.delayMs} * interval '1 millisecond'),
              ${r.maxAttempts}, ${r.timeoutMs}, ${r.flowKey}, ${r.debounce.key}, ${traceparent}, ${clock(now)})
      ON CONFLICT (type, debounce_key) WHERE status = 'pending' AND debounce_key IS NOT NULL ${onConflict}
      RETURNING ${jobColumns()}, (jobs.xmax = 0) AS created`);
    if (rows.length) {
      const { created, ...job } = rows[0];
      return { job: job as Job, created };
    }
    const existing = await queryRows<Job>(e.db, sql`
      SELECT ${jobColumns()} FROM ${e.t.jobs} jobs WHERE type = ${r.type} AND debounce_key = ${r.debounce.key} AND status = 'pending'`);
    if (existing.length) return { job: existing[0], created: false };
    // The pending job was claimed between the two statements: its window closed, insert again.
  }
  throw new Error(`enqueue: debounce key ${JSON.stringify(r.debounce.key)} of "${r.type}" kept conflicting with a vanishing row`);
}
