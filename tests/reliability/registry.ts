import { z } from "zod";
import { createRegistry, defineJob, sleep, type Executor } from "cronbound";

// Job types for the reliability suites. Each execution records (job, attempt, worker) in
// `executions` before doing anything else, so the table counts runs independently of the
// job's own row: two rows for one (job, attempt) would mean two ticks ran the same attempt.
// The table is the app's side (schema public), next to the engine's `cronbound` schema.

export const EXECUTIONS_SQL = `CREATE TABLE IF NOT EXISTS public.executions (
  id bigserial PRIMARY KEY, job_id bigint NOT NULL, attempt int NOT NULL, worker text NOT NULL,
  at timestamptz NOT NULL DEFAULT clock_timestamp())`;

async function record(db: Executor, job: { id: string; attempts: number; lockedBy: string | null }) {
  await db.execute("INSERT INTO public.executions (job_id, attempt, worker) VALUES ($1::bigint, $2, $3)", [job.id, job.attempts, job.lockedBy ?? "?"]);
}

/** Records its run, waits `ms` (honouring its signal), and, when `failUntil` says so, throws. */
export const recorded = defineJob({
  name: "recorded",
  schema: z.object({ ms: z.number().int().min(0).default(0), failUntil: z.number().int().min(0).default(0) }),
  timeoutMs: 5_000,
  maxAttempts: 3,
  backoff: { baseMs: 0, jitter: 0 }, // a failed attempt is due again at once, for whichever tick comes first
  async handler(payload, { signal, job, db }) {
    await record(db, job);
    if (payload.ms) await sleep(payload.ms, signal);
    if (job.attempts <= payload.failUntil) throw new Error(`planned failure on attempt ${job.attempts}`);
    return { attempt: job.attempts, worker: job.lockedBy };
  },
});

export const reliabilityRegistry = createRegistry([recorded]);
