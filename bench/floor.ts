import type pg from "pg";

// The floor: the strongest plain design a team would write by hand on `pg`, run in the same
// process against the same database as the engine. One table with one partial index; a loop
// that claims `concurrency` jobs with one `UPDATE ... WHERE id IN (SELECT ... FOR UPDATE SKIP
// LOCKED LIMIT n) RETURNING`, runs them, and completes the batch with one
// `UPDATE ... WHERE id = ANY($1)`; named prepared statements (planned once per connection);
// two statements per batch. No validation, no timeouts, no progress, no report, no logging:
// whatever the engine costs on top of this is overhead.
//
// Its table lives in its own schema (FLOOR_SCHEMA), so it pays for its own indexes only:
// the primary key and the claim's partial index.

export const FLOOR_SCHEMA = "bench_floor";
/** The floor's job table, schema-qualified. */
export const FLOOR_JOBS = `${FLOOR_SCHEMA}.jobs`;
/** The channel the floor's notify variant uses. */
export const FLOOR_CHANNEL = "bench_floor_wake";

export const FLOOR_DDL = `
  CREATE SCHEMA IF NOT EXISTS ${FLOOR_SCHEMA};
  CREATE TABLE IF NOT EXISTS ${FLOOR_JOBS} (
    id bigserial PRIMARY KEY,
    type text NOT NULL,
    payload jsonb NOT NULL,
    status text NOT NULL DEFAULT 'pending',
    priority int NOT NULL DEFAULT 0,
    run_at timestamptz NOT NULL DEFAULT now(),
    attempts int NOT NULL DEFAULT 0,
    locked_by text,
    locked_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
  );
  CREATE INDEX IF NOT EXISTS jobs_claim_idx ON ${FLOOR_JOBS} (priority, run_at, id) WHERE status = 'pending';`;

const CLAIM: pg.QueryConfig = {
  name: "floor_claim",
  text: `
    UPDATE ${FLOOR_JOBS} SET status = 'processing', attempts = attempts + 1, locked_by = $1, locked_at = now()
    WHERE id IN (
      SELECT id FROM ${FLOOR_JOBS}
      WHERE status = 'pending' AND run_at <= now()
      ORDER BY priority, run_at, id
      LIMIT $2
      FOR UPDATE SKIP LOCKED)
    RETURNING id, type, payload, attempts`,
};

const COMPLETE: pg.QueryConfig = {
  name: "floor_complete",
  text: `UPDATE ${FLOOR_JOBS} SET status = 'completed', locked_by = NULL WHERE id = ANY($1::bigint[]) AND locked_by = $2`,
};

const INSERT_ONE: pg.QueryConfig = { name: "floor_insert", text: `INSERT INTO ${FLOOR_JOBS} (type, payload) VALUES ($1, $2) RETURNING id` };
// The notify variant: the wake in the same statement, so it is sent at commit and only then.
const INSERT_ONE_NOTIFY: pg.QueryConfig = {
  name: "floor_insert_notify",
  text: `INSERT INTO ${FLOOR_JOBS} (type, payload) VALUES ($1, $2) RETURNING id, pg_notify('${FLOOR_CHANNEL}', '')`,
};
const INSERT_MANY: pg.QueryConfig = {
  name: "floor_insert_many",
  text: `INSERT INTO ${FLOOR_JOBS} (type, payload) SELECT * FROM unnest($1::text[], $2::jsonb[])`,
};

export interface FloorJob {
  id: string;
  type: string;
  payload: unknown;
  attempts: number;
}

type Db = pg.Pool | pg.PoolClient | pg.Client;

export async function floorClaim(db: Db, workerId: string, limit: number): Promise<FloorJob[]> {
  return (await db.query<FloorJob>({ ...CLAIM, values: [workerId, limit] })).rows;
}

export async function floorComplete(db: Db, workerId: string, jobs: FloorJob[]): Promise<number> {
  const r = await db.query({ ...COMPLETE, values: [jobs.map((j) => j.id), workerId] });
  return r.rowCount ?? 0;
}

export async function floorEnqueue(db: Db, type: string, payload: unknown, notify = false): Promise<string> {
  return (await db.query<{ id: string }>({ ...(notify ? INSERT_ONE_NOTIFY : INSERT_ONE), values: [type, JSON.stringify(payload)] })).rows[0].id;
}

export async function floorEnqueueMany(db: Db, items: { type: string; payload: unknown }[]): Promise<void> {
  await db.query({ ...INSERT_MANY, values: [items.map((i) => i.type), items.map((i) => JSON.stringify(i.payload))] });
}

/**
 * Drain: one loop claiming `concurrency` jobs, running them together, completing the batch
 * in one statement, on one connection checked out for the run (as a hand-written worker does).
 * Returns ms from the first claim to the last completion.
 */
export async function floorDrain(
  pool: pg.Pool,
  workerId: string,
  concurrency: number,
  handler: (payload: unknown) => Promise<unknown>,
): Promise<{ ms: number; completed: number }> {
  const client = await pool.connect();
  let completed = 0;
  const t0 = performance.now();
  try {
    for (;;) {
      const jobs = await floorClaim(client, workerId, concurrency);
      if (!jobs.length) break;
      await Promise.all(jobs.map((j) => handler(j.payload)));
      completed += await floorComplete(client, workerId, jobs);
    }
  } finally {
    client.release();
  }
  return { ms: performance.now() - t0, completed };
}

/**
 * The floor's long-running worker with a wake: LISTEN on its own connection; on a
 * notification (or every `pollMs`) claim until the queue is empty. `onStart` runs as each
 * handler starts. Returns a stop function.
 */
export async function floorWorker(
  pool: pg.Pool,
  listener: pg.Client | null,
  workerId: string,
  concurrency: number,
  pollMs: number,
  onStart: (job: FloorJob) => void,
): Promise<() => Promise<void>> {
  let stopped = false;
  let wake: () => void = () => {};
  let timer: NodeJS.Timeout | undefined;
  if (listener) {
    listener.on("notification", () => wake());
    await listener.query(`LISTEN ${FLOOR_CHANNEL}`);
  }
  const client = await pool.connect();
  const loop = (async () => {
    while (!stopped) {
      for (;;) {
        const jobs = await floorClaim(client, workerId, concurrency);
        if (!jobs.length) break;
        await Promise.all(jobs.map(async (j) => onStart(j)));
        await floorComplete(client, workerId, jobs);
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, pollMs);
      });
      clearTimeout(timer);
    }
  })();
  return async () => {
    stopped = true;
    wake();
    await loop;
    client.release();
    if (listener) await listener.query(`UNLISTEN ${FLOOR_CHANNEL}`);
  };
}
