import { z } from "zod";
import { createRegistry, defineJob, NonRetryableError, sleep, type Executor } from "cronbound";

// Job types for engine tests. Each records what happened in the `effects` table (created by
// `createEffectsTable`), so a test can count executions independently of the job's own row.

export const EFFECTS_SQL = `CREATE TABLE IF NOT EXISTS public.effects (
  id bigserial PRIMARY KEY, job_id bigint NOT NULL, attempt int NOT NULL, kind text NOT NULL,
  at timestamptz NOT NULL DEFAULT clock_timestamp())`;

async function record(db: Executor, jobId: string, attempt: number, kind: string) {
  await db.execute("INSERT INTO public.effects (job_id, attempt, kind) VALUES ($1::bigint, $2, $3)", [jobId, attempt, kind]);
}

export const noop = defineJob({
  name: "noop",
  schema: z.object({ n: z.number().int().optional(), text: z.string().optional() }),
  timeoutMs: 5_000,
  handler: async (payload) => ({ n: payload.n ?? null }),
});

/** Records its start, sleeps `ms` honouring its signal, records its end. */
export const work = defineJob({
  name: "work",
  schema: z.object({ ms: z.number().int().min(0) }),
  timeoutMs: 5_000,
  async handler(payload, { signal, job, db }) {
    await record(db, job.id, job.attempts, "start");
    await sleep(payload.ms, signal);
    await record(db, job.id, job.attempts, "end");
    return { slept: payload.ms };
  },
});

/** Ignores its signal entirely: only the executor's race can stop waiting for it. */
export const stubborn = defineJob({
  name: "stubborn",
  schema: z.object({ ms: z.number().int().min(0) }),
  timeoutMs: 200,
  maxAttempts: 2,
  // Long enough that the tick which retried it cannot claim it again; tests make it due by hand.
  backoff: { baseMs: 60_000, jitter: 0 },
  async handler(payload, { job, db }) {
    await new Promise((r) => setTimeout(r, payload.ms));
    await record(db, job.id, job.attempts, "late-end");
    return "late";
  },
});

export const failing = defineJob({
  name: "failing",
  schema: z.object({ permanent: z.boolean().default(false) }),
  timeoutMs: 1_000,
  maxAttempts: 3,
  backoff: { baseMs: 60_000, jitter: 0 },
  async handler(payload, { job, db }) {
    await record(db, job.id, job.attempts, "fail");
    if (payload.permanent) throw new NonRetryableError("the address does not exist");
    throw new Error(`boom on attempt ${job.attempts}`);
  },
});

export const slowType = defineJob({
  name: "slow-type",
  schema: z.object({}),
  timeoutMs: 120_000,
  handler: async () => "ran",
});

/** Hangs for `ms` on its first attempt (a worker about to be killed), finishes at once after. */
export const hangsFirst = defineJob({
  name: "hangs-first",
  schema: z.object({ ms: z.number().int().min(0) }),
  timeoutMs: 60_000,
  async handler(payload, { signal, job, db }) {
    await record(db, job.id, job.attempts, "start");
    if (job.attempts === 1) await sleep(payload.ms, signal);
    await record(db, job.id, job.attempts, "end");
    return { attempt: job.attempts };
  },
});

export const testRegistry = createRegistry([noop, work, stubborn, failing, slowType, hangsFirst]);
