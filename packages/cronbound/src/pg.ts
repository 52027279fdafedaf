// cronbound/pg: the engine over a `pg` Pool. The fast path: each statement is one pool.query.
import { isPgQueryable, pgListen, pgQueryExecutor, pgTransaction, type Executor, type PgPoolLike, type PgQueryable } from "./db.ts";

export type { Executor, PgPoolLike } from "./db.ts";

export interface PgExecutorOptions {
  /**
   * Send every statement as a named prepared statement (parsed and planned once per
   * connection). Only for a pool on a direct connection, a session-mode pooler, or PgBouncer
   * 1.21+ with `max_prepared_statements` set: a transaction-mode pooler without that hands the
   * next statement to a server connection that never saw the name. Default false. (The
   * long-running worker names its own statements once its wake probe proved a session.)
   */
  namedStatements?: boolean;
}

/**
 * `pgExecutor(pool)`: statements go straight to the pool. `queue.enqueue(..., { tx: client })`
 * with a pg client on which you ran BEGIN puts the job in your transaction.
 */
export function pgExecutor(pool: PgPoolLike, options: PgExecutorOptions = {}): Executor {
  if (!isPgQueryable(pool) || typeof (pool as { connect?: unknown }).connect !== "function") {
    throw new TypeError("pgExecutor(pool): expected a pg Pool (new pg.Pool({ connectionString }))");
  }
  const onClient = (client: PgQueryable): Executor =>
    pgQueryExecutor(client, {
      kind: "pg",
      // Already inside a transaction: run the block in it.
      transaction: (fn) => fn(onClient(client)),
      join: joinPg,
    });
  const joinPg = (tx: unknown): Executor => {
    if (!isPgQueryable(tx)) throw new TypeError("tx: expected a pg client inside a transaction (const c = await pool.connect(); await c.query('BEGIN'))");
    return onClient(tx);
  };
  return pgQueryExecutor(pool, {
    kind: "pg",
    transaction: (fn) => pgTransaction(pool, onClient, fn),
    join: joinPg,
    listen: pgListen(pool),
    named: options.namedStatements === true,
  });
}
