import { queryRows } from "../../db.ts";
import { sql } from "../../sql.ts";
import type { Engine } from "../context.ts";
import type { JobStatus } from "../types.ts";
import type { StepKind, StepStatus } from "./store.ts";

/** One step of a job as the dashboard and the API show it. */
export interface StepRow {
  id: string;
  kind: StepKind;
  status: StepStatus;
  /** The job's attempt that wrote the row. */
  attempt: number;
  durationMs: number | null;
  resultBytes: number | null;
  error: string | null;
  /** sleep: its end; event: the wait's timeout; invoke: when the parent looks again anyway. */
  wakeAt: Date | null;
  event: string | null;
  match: unknown;
  /** The event that resumed the wait. */
  eventId: string | null;
  childId: string | null;
  childType: string | null;
  childStatus: JobStatus | null;
  createdAt: Date;
  finishedAt: Date | null;
}

/** What a waiting job waits on, for the API (`waiting` in GET /api/jobs/{id}). */
export interface WaitView {
  step: string;
  kind: "sleep" | "event" | "invoke";
  until: string;
  event?: string;
  match?: unknown;
  childId?: string;
  childStatus?: JobStatus | null;
}

/**
 * A job's steps in the order they were first recorded, at most `limit` (the last ones when
 * there are more). Reads the primary key's range for the job (steps_pkey: job_id, step_id).
 */
export async function listSteps(e: Engine, jobId: string, limit = 500): Promise<StepRow[]> {
  // The children are joined after the limit: at most `limit` primary-key probes. Joined before
  // it, a job of 10,000 steps (half of a 20,000-row steps table) was hash-joined against all
  // 100,000 jobs: 65 ms; after it, 8 ms. A job of 50 steps: 0.2 ms, through steps_pkey.
  return queryRows<StepRow>(e.db, sql`
    SELECT s.step_id AS id, s.kind, s.status, s.attempt, s.duration_ms AS "durationMs", s.result_bytes AS "resultBytes",
           left(s.error, 1000) AS error, s.wake_at AS "wakeAt", s.event, s.match, s.event_id::text AS "eventId",
           s.child_id::text AS "childId", c.type AS "childType", c.status::text AS "childStatus",
           s.created_at AS "createdAt", s.finished_at AS "finishedAt"
    FROM (
      SELECT * FROM ${e.t.steps} WHERE job_id = ${jobId}::bigint ORDER BY created_at DESC, step_id DESC LIMIT ${limit}
    ) s LEFT JOIN LATERAL (SELECT type, status FROM ${e.t.jobs} WHERE id = s.child_id) c ON true
    ORDER BY s.created_at, s.step_id`);
}

/** The waits of a job still in progress, from its steps. */
export function waitsOf(steps: StepRow[]): WaitView[] {
  return steps
    .filter((s) => s.status === "waiting" && s.kind !== "run" && s.wakeAt)
    .map((s) => ({
      step: s.id,
      kind: s.kind as WaitView["kind"],
      until: new Date(s.wakeAt as Date).toISOString(),
      ...(s.kind === "event" ? { event: s.event ?? undefined, match: s.match ?? undefined } : {}),
      ...(s.kind === "invoke" ? { childId: s.childId ?? undefined, childStatus: s.childStatus } : {}),
    }));
}

/** The waits of one job (GET /api/jobs/{id}); one indexed query. */
export async function jobWaits(e: Engine, jobId: string): Promise<WaitView[]> {
  const rows = await queryRows<StepRow>(e.db, sql`
    SELECT s.step_id AS id, s.kind, s.status, s.wake_at AS "wakeAt", s.event, s.match,
           s.child_id::text AS "childId", c.status::text AS "childStatus"
    FROM ${e.t.steps} s LEFT JOIN ${e.t.jobs} c ON c.id = s.child_id
    WHERE s.job_id = ${jobId}::bigint AND s.status = 'waiting'
    ORDER BY s.wake_at, s.step_id`);
  return waitsOf(rows);
}
