// cronbound/pg: the engine over a `pg` Pool. The fast path: each statement is one pool.query.
import { isPgQueryable, pgListen, pgQueryExecutor, type Executor, type NamedStatements, type PgPoolLike, type PgQueryable } from "./db.ts";
import { engineTypes, type PgTypes } from "./timestamps.ts";

export type { Executor, NamedStatements, PgPoolLike } from "./db.ts";

export interface PgExecutorOptions {
  /**
   * How statements are sent. "auto" (the default): as named prepared statements, parsed and
   * planned once per connection (one-at-a-time enqueues a fifth to a half faster, and the
   * claim's plan is kept), until the server answers that a connection does not have one (a
   * transaction-mode pooler without prepared-statement support, such as PgBouncer before 1.21
   * or without `max_prepared_statements`); that statement is sent again unnamed, nothing having
   * run, and the executor stays unnamed from then on. true: always named (a direct connection,
   * a session-mode pooler, PgBouncer 1.21+ with `max_prepared_statements`). false: never.
   * The engine's own transactions (the flow claim, durable steps' waits, events, schedules)
   * follow the same rule; a refusal inside one rolls it back and runs it once more unnamed.
   * Statements in your transaction (`tx`) are always unnamed.
   */
  namedStatements?: NamedStatements;
}

/**
 * `pgExecutor(pool)`: statements go straight to the pool. `queue.enqueue(..., { tx: client })`
 * with a pg client on which you ran BEGIN puts the job in your transaction. The engine's
 * statements read `timestamptz` with a reader of their own (always a Date, as the engine needs);
 * every other type keeps the pool's readers, yours included.
 */
export function pgExecutor(pool: PgPoolLike, options: PgExecutorOptions = {}): Executor {
  if (!isPgQueryable(pool) || typeof (pool as { connect?: unknown }).connect !== "function") {
    throw new TypeError("pgExecutor(pool): expected a pg Pool (new pg.Pool({ connectionString }))");
  }
  const types = engineTypes(pool);
  // A client inside a transaction: the engine's own (named as the pool's executor is, the
  // engine's readers), or the caller's (`tx`: unnamed, the client's own readers).
  const onClient = (client: PgQueryable, named = false, readers?: PgTypes): Executor =>
    pgQueryExecutor(client, {
      kind: "pg",
      // Already inside a transaction: run the block in it.
      transaction: (fn) => fn(onClient(client, named, readers)),
      join: joinPg,
      named,
      ...(readers ? { types: readers } : {}),
    });
  const joinPg = (tx: unknown): Executor => {
    if (!isPgQueryable(tx)) throw new TypeError("tx: expected a pg client inside a transaction (const c = await pool.connect(); await c.query('BEGIN'))");
    return onClient(tx);
  };
  return pgQueryExecutor(pool, {
    kind: "pg",
    onClient: (client, named) => onClient(client, named, types),
    join: joinPg,
    listen: pgListen(pool),
    named: options.namedStatements ?? "auto",
    types,
  });
}
