import { execute, queryRows, type Executor } from "../../db.ts";
import { raw, sql, type Sql } from "../../sql.ts";
import type { Engine } from "../context.ts";
import type { PreparedJob } from "../enqueue.ts";
import { clock, type Job, type JobStatus } from "../types.ts";
import { INVOKE_RECHECK_MS } from "./limits.ts";

// The statements of durable steps. Every write here happens after a claim, so each is fenced on
// the attempt's lease like finalize.ts's writes (id, locked_by, attempts, status = 'processing'),
// and on locked_at too: a continued job is claimed again with the same attempt number (a
// continuation does not count), so the claim's time is what tells one slice from the next.
// Zero rows written means the lease is gone; the runner then stops the attempt as lost.

export type StepKind = "run" | "sleep" | "event" | "invoke";
export type StepStatus = "completed" | "failed" | "waiting";

/** The attempt holding the job: what every write is fenced on. */
export interface Lease {
  workerId: string;
  job: Pick<Job, "id" | "attempts" | "lockedAt">;
}

/** `alias` still holds the lease of `l`. */
export function leaseHeld(alias: string, l: Lease): Sql {
  const a = raw(alias);
  return sql`${a}.id = ${l.job.id}::bigint AND ${a}.attempts = ${l.job.attempts} AND ${a}.locked_by = ${l.workerId}
    AND ${a}.status = 'processing' AND ${a}.locked_at = ${l.job.lockedAt}::timestamptz`;
}

/** A child job as its parent's replay sees it. */
export interface ChildState {
  id: string;
  type: string;
  status: JobStatus;
  result: unknown;
  lastError: string | null;
}

/** One step row as a replay reads it. */
export interface StoredStep {
  id: string;
  kind: StepKind;
  status: StepStatus;
  result: unknown;
  error: string | null;
  attempt: number;
  wakeAt: Date | null;
  /** A waiting step whose wake time has come (by the database's clock, or the injected one). */
  due: boolean;
  event: string | null;
  childId: string | null;
  /** The child job's row (invoke), null when it no longer exists or the step is no invoke. */
  child: ChildState | null;
}

export interface Loaded {
  /** The database's clock when the steps were read (or the injected one). */
  dbNow: Date;
  steps: Map<string, StoredStep>;
}

/** Every step of a job, with the state of its children, in one statement. */
export async function loadSteps(e: Engine, jobId: string, now?: Date): Promise<Loaded> {
  const rows = await queryRows<{ dbNow: Date; steps: (Omit<StoredStep, "wakeAt" | "child"> & { wakeAt: string | null; child: ChildState | null })[] }>(e.db, sql`
    SELECT ${clock(now)} AS "dbNow", coalesce((
      SELECT jsonb_agg(jsonb_build_object(
        'id', s.step_id, 'kind', s.kind, 'status', s.status, 'result', s.result, 'error', s.error,
        'attempt', s.attempt, 'wakeAt', s.wake_at, 'due', coalesce(s.wake_at <= ${clock(now)}, false),
        'event', s.event, 'childId', s.child_id::text,
        'child', CASE WHEN c.id IS NULL THEN NULL ELSE jsonb_build_object(
          'id', c.id::text, 'type', c.type, 'status', c.status, 'result', c.result, 'lastError', c.last_error) END))
      -- LATERAL: one primary-key probe per step (a plain join can be planned as a hash join
      -- over every job when one job holds many steps; see view.ts's listSteps).
      FROM ${e.t.steps} s LEFT JOIN LATERAL (SELECT * FROM ${e.t.jobs} WHERE id = s.child_id) c ON true
      WHERE s.job_id = ${jobId}::bigint), '[]'::jsonb) AS steps`);
  const steps = new Map<string, StoredStep>();
  for (const s of rows[0].steps) steps.set(s.id, { ...s, wakeAt: s.wakeAt === null ? null : new Date(s.wakeAt) });
  return { dbNow: new Date(rows[0].dbNow), steps };
}

export interface StepWrite {
  stepId: string;
  kind: StepKind;
  status: "completed" | "failed";
  /** JSON text of the result; null for none. */
  json: string | null;
  bytes: number | null;
  error?: string | null;
  durationMs?: number | null;
  event?: string | null;
  match?: string | null;
  eventId?: string | null;
  childId?: string | null;
}

/**
 * Record a finished step (a run step's result or failure, a resolved wait), fenced on the lease.
 * `over` says which existing row it may replace: a run step replaces a failed one (a retry ran
 * it again) but never a completed one; a wait replaces only a row still waiting, so an event
 * that resumed it first is never overwritten by its timeout. False when nothing was written.
 */
export async function writeStep(e: Engine, l: Lease, w: StepWrite, over: "unfinished" | "waiting", now?: Date): Promise<boolean> {
  const at = clock(now);
  const replaceable = over === "waiting" ? sql`s.status = 'waiting'` : sql`s.status <> 'completed'`;
  const n = await execute(e.db, sql`
    INSERT INTO ${e.t.steps} AS s (job_id, step_id, kind, status, attempt, result, result_bytes, error, duration_ms,
                                   event, match, event_id, child_id, created_at, updated_at, finished_at)
    SELECT j.id, ${w.stepId}, ${w.kind}, ${w.status}, j.attempts, ${w.json}::jsonb, ${w.bytes}, ${w.error ?? null}, ${w.durationMs ?? null},
           ${w.event ?? null}, ${w.match ?? null}::jsonb, ${w.eventId ?? null}::bigint, ${w.childId ?? null}::bigint, ${at}, ${at}, ${at}
    FROM ${e.t.jobs} j WHERE ${leaseHeld("j", l)}
    ON CONFLICT (job_id, step_id) DO UPDATE SET
      status = EXCLUDED.status, attempt = EXCLUDED.attempt, result = EXCLUDED.result, result_bytes = EXCLUDED.result_bytes,
      error = EXCLUDED.error, duration_ms = coalesce(EXCLUDED.duration_ms, s.duration_ms),
      event_id = coalesce(EXCLUDED.event_id, s.event_id), updated_at = EXCLUDED.updated_at, finished_at = EXCLUDED.finished_at
    WHERE ${replaceable}`);
  return n === 1;
}

/** One step row, after a fenced write found it changed (an event resumed the wait first). */
export async function readStep(e: Engine, jobId: string, stepId: string): Promise<{ status: StepStatus; result: unknown } | null> {
  const rows = await queryRows<{ status: StepStatus; result: unknown }>(e.db, sql`
    SELECT status, result FROM ${e.t.steps} WHERE job_id = ${jobId}::bigint AND step_id = ${stepId}`);
  return rows[0] ?? null;
}

/** The idempotency key of the child a parent's invoke step enqueues: a replay finds the same child. */
export function invokeKey(parentId: string, stepId: string): string {
  return `cronbound:invoke:${parentId}:${stepId}`;
}

/**
 * Enqueue the child of an invoke step, fenced on the parent's lease, idempotent per parent and
 * step: a replay (after a crash between the enqueue and the parent's wait) gets the same child.
 * Null when the parent's lease is gone and no child was enqueued before.
 */
export async function enqueueChild(e: Engine, l: Lease, r: PreparedJob, stepId: string, now?: Date): Promise<ChildState | null> {
  const key = invokeKey(l.job.id, stepId);
  const child = sql`c.id::text AS id, c.type, c.status::text AS status, c.result, c.last_error AS "lastError", c.parent_id::text AS "parentId"`;
  const inserted = await queryRows<ChildState & { parentId: string }>(e.db, sql`
    INSERT INTO ${e.t.jobs} AS c (type, payload, priority, run_at, max_attempts, timeout_ms, idempotency_key, parent_id, flow_key)
    SELECT ${r.type}, ${r.payload}::jsonb, ${r.priority}, ${clock(now)}, ${r.maxAttempts}, ${r.timeoutMs}, ${key}, j.id, ${r.keys?.flowKey ?? null}
    FROM ${e.t.jobs} j WHERE ${leaseHeld("j", l)}
    ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
    RETURNING ${child}`);
  const rows = inserted.length ? inserted : await queryRows<ChildState & { parentId: string }>(e.db, sql`
    SELECT ${child} FROM ${e.t.jobs} c WHERE c.idempotency_key = ${key}`);
  if (!rows.length) return null;
  const { parentId, ...state } = rows[0];
  if (parentId !== l.job.id) throw new Error(`idempotency key ${JSON.stringify(key)} belongs to job ${state.id}, which is not a child of job ${l.job.id}`);
  return state;
}

/**
 * The first event named `name` (matching `match`) sent within the event window before now that
 * this job has not already received. A wait that begins finds an event that came early.
 */
export async function findEvent(
  e: Engine,
  jobId: string,
  name: string,
  match: string | null,
  windowMs: number,
  now?: Date,
): Promise<{ id: string; data: unknown } | null> {
  const rows = await queryRows<{ id: string; data: unknown }>(e.db, sql`
    SELECT x.id::text AS id, x.data FROM ${e.t.events} x
    WHERE x.name = ${name} AND x.created_at >= ${clock(now)} - ${windowMs} * interval '1 millisecond'
      AND (${match}::jsonb IS NULL OR x.data @> ${match}::jsonb)
      AND NOT EXISTS (SELECT 1 FROM ${e.t.steps} c WHERE c.job_id = ${jobId}::bigint AND c.event_id = x.id)
    ORDER BY x.created_at, x.id
    LIMIT 1`);
  return rows[0] ?? null;
}

/** A wait that begins with this suspension; its row is written by suspendAttempt. */
export type NewWait =
  | { kind: "sleep"; stepId: string; ms?: number; until?: Date }
  | { kind: "event"; stepId: string; event: string; match: string | null; timeoutMs: number }
  | { kind: "invoke"; stepId: string; childId: string };

/** A wait recorded by an earlier run that is still waiting. */
export type ExistingWait =
  | { kind: "sleep"; stepId: string }
  | { kind: "event"; stepId: string; event: string }
  | { kind: "invoke"; stepId: string; childId: string };

/** Why an attempt ends without an outcome of its own. */
export interface Suspension {
  /** A step did not fit in the time left: due again now. */
  continued: boolean;
  waits: NewWait[];
  existing: ExistingWait[];
}

/** The advisory lock key of an event name: sendEvent and a wait beginning on that name take turns. */
export function eventLockKey(e: Engine, name: string): string {
  return `cronbound.event:${e.t.schema}:${name}`;
}

/**
 * End an attempt that continues or waits: the job goes back to pending without its lease and
 * without counting the attempt (attempts - 1, as a release does: the claim counted it), due
 * now (continued) or at its earliest wake time (its waits). Fenced; false when the lease is gone
 * and nothing was written.
 *
 * Waits are written in one transaction with the job's move to pending, so a waiting job is
 * never seen without its wait, and nothing that would resume it is missed:
 *  - events: the transaction holds an advisory lock per event name, as sendEvent does, so an
 *    event is either sent before (found here in the window, or already resolving an existing
 *    wait) or after (and then it finds the wait);
 *  - children: their rows are locked FOR SHARE, so a child finishing meanwhile is either seen
 *    finished here or waits for this commit, and its trigger then wakes the pending parent.
 * Anything already resolved makes the job due now.
 */
export async function suspendAttempt(e: Engine, l: Lease, s: Suspension, windowMs: number, now?: Date): Promise<boolean> {
  const at = clock(now);
  const release = (runAt: Sql) => sql`
    UPDATE ${e.t.jobs} j SET status = 'pending', attempts = j.attempts - 1, run_at = ${runAt},
      locked_by = NULL, locked_at = NULL, locked_until = NULL, updated_at = ${at}
    WHERE ${leaseHeld("j", l)}`;
  if (!s.waits.length && !s.existing.length) return (await execute(e.db, release(at))) === 1;

  return e.db.transaction(async (tx: Executor) => {
    const events = [
      ...new Set([...s.waits, ...s.existing].flatMap((w) => (w.kind === "event" ? [eventLockKey(e, w.event)] : []))),
    ].sort();
    if (events.length) {
      // In the array's (sorted) order, so two waits on several names never deadlock.
      await queryRows(tx, sql`SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) FROM unnest(${events}::text[]) AS x(k)`);
    }
    const held = await queryRows(tx, sql`SELECT 1 FROM ${e.t.jobs} j WHERE ${leaseHeld("j", l)} FOR UPDATE`);
    if (!held.length) return false;

    let wakeNow = s.continued;
    const children = [...s.waits, ...s.existing].flatMap((w) => (w.kind === "invoke" ? [w.childId] : []));
    if (children.length) {
      // A child gone (pruned) counts as finished: the replay reports what the step recorded.
      const [k] = await queryRows<{ open: number }>(tx, sql`
        SELECT count(*)::int AS open FROM (
          SELECT id FROM ${e.t.jobs} WHERE id = ANY(${children}::bigint[]) AND status IN ('pending', 'processing') FOR SHARE
        ) k`);
      if (k.open < new Set(children).size) wakeNow = true;
    }
    if (s.existing.length) {
      const [r] = await queryRows<{ resolved: number }>(tx, sql`
        SELECT count(*)::int AS resolved FROM ${e.t.steps}
        WHERE job_id = ${l.job.id}::bigint AND step_id = ANY(${s.existing.map((w) => w.stepId)}::text[]) AND status <> 'waiting'`);
      if (r.resolved > 0) wakeNow = true;
    }
    if (s.waits.length) {
      const w = s.waits;
      const col = <T>(f: (x: NewWait) => T | undefined) => w.map((x) => f(x) ?? null);
      const rows = await queryRows<{ status: StepStatus }>(tx, sql`
        INSERT INTO ${e.t.steps} AS s (job_id, step_id, kind, status, attempt, wake_at, event, match, child_id,
                                       event_id, result, result_bytes, created_at, updated_at, finished_at)
        SELECT ${l.job.id}::bigint, w.step_id, w.kind, CASE WHEN ev.id IS NULL THEN 'waiting' ELSE 'completed' END, ${l.job.attempts},
               CASE WHEN w.kind = 'invoke' THEN ${at} + ${INVOKE_RECHECK_MS} * interval '1 millisecond'
                    ELSE coalesce(w.until, ${at} + w.ms * interval '1 millisecond') END,
               w.event, w.match::jsonb, w.child_id, ev.id, ev.data, octet_length(ev.data::text), ${at}, ${at},
               CASE WHEN ev.id IS NULL THEN NULL ELSE ${at} END
        FROM unnest(${col((x) => x.stepId)}::text[], ${col((x) => x.kind)}::text[],
                    ${col((x) => (x.kind === "sleep" ? x.ms : x.kind === "event" ? x.timeoutMs : undefined))}::bigint[],
                    ${col((x) => (x.kind === "sleep" ? x.until?.toISOString() : undefined))}::timestamptz[],
                    ${col((x) => (x.kind === "event" ? x.event : undefined))}::text[],
                    ${col((x) => (x.kind === "event" ? x.match : undefined))}::text[],
                    ${col((x) => (x.kind === "invoke" ? x.childId : undefined))}::bigint[])
             AS w(step_id, kind, ms, until, event, match, child_id)
        LEFT JOIN LATERAL (
          SELECT x.id, x.data FROM ${e.t.events} x
          WHERE w.kind = 'event' AND x.name = w.event AND x.created_at >= ${at} - ${windowMs} * interval '1 millisecond'
            AND (w.match IS NULL OR x.data @> w.match::jsonb)
            AND NOT EXISTS (SELECT 1 FROM ${e.t.steps} c WHERE c.job_id = ${l.job.id}::bigint AND c.event_id = x.id)
          ORDER BY x.created_at, x.id
          LIMIT 1
        ) ev ON true
        ON CONFLICT (job_id, step_id) DO UPDATE SET
          status = EXCLUDED.status, attempt = EXCLUDED.attempt, wake_at = EXCLUDED.wake_at, error = NULL,
          updated_at = EXCLUDED.updated_at, finished_at = EXCLUDED.finished_at
        -- An invoke whose child failed and was retried by an operator waits again; one whose
        -- look-again time passed while its child still runs is pushed on (never a past run_at).
        WHERE s.status = 'failed' OR (s.kind = 'invoke' AND s.status = 'waiting')
        RETURNING s.status`);
      if (rows.some((r) => r.status !== "waiting")) wakeNow = true;
    }
    const ids = [...s.waits, ...s.existing].map((w) => w.stepId);
    const runAt = wakeNow
      ? at
      : sql`coalesce((SELECT min(wake_at) FROM ${e.t.steps} WHERE job_id = ${l.job.id}::bigint AND step_id = ANY(${ids}::text[]) AND status = 'waiting'), ${at})`;
    const n = await execute(tx, release(runAt));
    if (n !== 1) throw new Error(`job ${l.job.id}: its row, locked under this attempt's lease, did not take the wait`);
    return true;
  });
}
