import { Prisma, type Db } from "../db.ts";
import { clock, jobColumns, type Job } from "./types.ts";

export interface ClaimOptions {
  workerId: string;
  limit: number;
  /** Only jobs whose timeout fits in the time the tick has left. */
  maxTimeoutMs: number;
  /** The lease outlives the job's timeout by this much, so finalizing never races a rescue. */
  graceMs: number;
  /** Narrow the claim to these job types. */
  types?: string[];
  now?: Date;
}

/**
 * claim: one statement takes up to `limit` due jobs, marks them processing, counts the attempt
 * and sets the lease (lockedBy, lockedAt, lockedUntil = now + timeout + grace).
 *
 * FOR UPDATE SKIP LOCKED lets concurrent claimers pass each other's rows instead of waiting, so
 * two ticks never take the same job. The WHERE and ORDER BY are exactly jobs_claim_idx's
 * predicate and key, so the plan is an index scan that stops after `limit` rows, whatever the
 * number of finished rows (docs/BENCHMARKS.md shows the plan).
 */
export async function claimJobs(db: Db, o: ClaimOptions): Promise<Job[]> {
  if (o.limit <= 0) return [];
  const now = clock(o.now);
  const types = o.types?.length ? Prisma.sql`AND type = ANY(${o.types}::text[])` : Prisma.empty;
  return db.$queryRaw<Job[]>`
    WITH picked AS (
      SELECT id FROM jobs
      WHERE status = 'pending' AND NOT blocked AND run_at <= ${now}
        AND timeout_ms <= ${Math.floor(o.maxTimeoutMs)} ${types}
      ORDER BY priority, run_at, id
      LIMIT ${o.limit}
      FOR UPDATE SKIP LOCKED
    )
    UPDATE jobs j SET
      status = 'processing',
      attempts = j.attempts + 1,
      locked_by = ${o.workerId},
      locked_at = ${now},
      locked_until = ${now} + (j.timeout_ms + ${o.graceMs}) * interval '1 millisecond',
      started_at = coalesce(j.started_at, ${now}),
      updated_at = ${now}
    FROM picked
    WHERE j.id = picked.id
    RETURNING ${jobColumns("j")}`;
}

/** Due, unblocked jobs that a claim with `maxTimeoutMs` would pass over (counted up to `cap`). */
export async function countSkippedForBudget(db: Db, maxTimeoutMs: number, types?: string[], now?: Date, cap = 10_000): Promise<number> {
  const t = types?.length ? Prisma.sql`AND type = ANY(${types}::text[])` : Prisma.empty;
  const rows = await db.$queryRaw<{ n: number }[]>`
    SELECT count(*)::int AS n FROM (
      SELECT 1 FROM jobs
      WHERE status = 'pending' AND NOT blocked AND run_at <= ${clock(now)} AND timeout_ms > ${Math.floor(maxTimeoutMs)} ${t}
      LIMIT ${cap}
    ) s`;
  return rows[0]?.n ?? 0;
}
