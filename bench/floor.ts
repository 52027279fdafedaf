import type pg from "pg";
import { SCHEMA } from "./setup.ts";

// The floor: the simplest correct queue written directly on `pg`, with the same table, the same
// claim predicate and ordering, and the same fenced completion as the engine. Unnamed
// (unprepared) statements, as a transaction-mode pooler requires. No zod, no Prisma, no
// report, no timeouts, no progress: whatever the engine costs on top of this is overhead.
//
// The engine's tables live in PostgreSQL schema `cronbound` (bench/setup.ts migrates with
// cronbound's own `migrate`); every statement here names the table schema-qualified, as the
// engine does, and nothing is set on the session (no search_path), so a pooler would do.

/** The engine's job table, schema-qualified (bench/setup.ts SCHEMA). */
export const JOBS = `${SCHEMA}.jobs`;

// `id = ANY(ARRAY(subquery))` rather than a CTE joined back to jobs: the picked ids become one
// array (an InitPlan) and the update finds the rows through the primary key. Joined as a CTE,
// the planner may hash-join against a sequential scan of the whole table once it has
// statistics for a small table (seen at 10,000 rows: every claim read every row).
const CLAIM = `
  UPDATE ${JOBS} j SET
    status = 'processing', attempts = j.attempts + 1, locked_by = $1, locked_at = now(),
    locked_until = now() + (j.timeout_ms + 15000) * interval '1 millisecond',
    started_at = coalesce(j.started_at, now()), updated_at = now()
  WHERE j.id = ANY(ARRAY(
    SELECT id FROM ${JOBS}
    WHERE status = 'pending' AND NOT blocked AND flow_key IS NULL AND run_at <= now() AND timeout_ms <= $3
    ORDER BY priority, run_at, id
    LIMIT $2
    FOR UPDATE SKIP LOCKED))
  RETURNING j.id::text AS id, j.type, j.payload, j.attempts`;

const COMPLETE = `
  UPDATE ${JOBS} j SET
    status = 'completed', result = d.result::jsonb, finished_at = now(), updated_at = now(),
    locked_by = NULL, locked_at = NULL, locked_until = NULL
  FROM unnest($1::bigint[], $2::int[], $3::text[]) AS d(id, attempt, result)
  WHERE j.id = d.id AND j.attempts = d.attempt AND j.locked_by = $4 AND j.status = 'processing'`;

const INSERT_ONE = `INSERT INTO ${JOBS} (type, payload, timeout_ms) VALUES ($1, $2::jsonb, $3) RETURNING id::text AS id`;

const INSERT_MANY = `
  INSERT INTO ${JOBS} (type, payload, timeout_ms)
  SELECT t.type, t.payload::jsonb, t.timeout_ms FROM unnest($1::text[], $2::text[], $3::int[]) AS t(type, payload, timeout_ms)`;

export interface FloorJob {
  id: string;
  type: string;
  payload: unknown;
  attempts: number;
}

export async function floorClaim(db: pg.Pool | pg.PoolClient, workerId: string, limit: number, maxTimeoutMs = 600_000): Promise<FloorJob[]> {
  return (await db.query<FloorJob>(CLAIM, [workerId, limit, maxTimeoutMs])).rows;
}

export async function floorComplete(db: pg.Pool, workerId: string, jobs: FloorJob[], results: unknown[]): Promise<number> {
  const r = await db.query(COMPLETE, [jobs.map((j) => j.id), jobs.map((j) => j.attempts), results.map((x) => JSON.stringify(x ?? null)), workerId]);
  return r.rowCount ?? 0;
}

export async function floorEnqueue(db: pg.Pool, type: string, payload: unknown, timeoutMs: number): Promise<string> {
  return (await db.query<{ id: string }>(INSERT_ONE, [type, JSON.stringify(payload), timeoutMs])).rows[0].id;
}

export async function floorEnqueueMany(db: pg.Pool, items: { type: string; payload: unknown; timeoutMs: number }[]): Promise<void> {
  await db.query(INSERT_MANY, [items.map((i) => i.type), items.map((i) => JSON.stringify(i.payload)), items.map((i) => i.timeoutMs)]);
}

/**
 * Drain with `ceil(concurrency / batch)` loops, each: claim a batch, run its handlers together,
 * complete the batch in one statement. Returns ms from the first claim to the last completion.
 */
export async function floorDrain(
  db: pg.Pool,
  workerId: string,
  concurrency: number,
  handler: (payload: unknown) => Promise<unknown>,
  batch = 10,
): Promise<{ ms: number; completed: number }> {
  const loops = Math.max(1, Math.ceil(concurrency / batch));
  let completed = 0;
  let last = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: loops }, async () => {
      for (;;) {
        const jobs = await floorClaim(db, workerId, batch);
        if (!jobs.length) return;
        const results = await Promise.all(jobs.map((j) => handler(j.payload)));
        const landed = await floorComplete(db, workerId, jobs, results); // not `+= await`: loops interleave
        completed += landed;
        last = performance.now();
      }
    }),
  );
  return { ms: last - t0, completed };
}
