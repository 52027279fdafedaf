import { type Executor, type PgPoolLike } from "./db.ts";
export type { Executor, PgPoolLike } from "./db.ts";
/**
 * `pgExecutor(pool)`: statements go straight to the pool. `queue.enqueue(..., { tx: client })`
 * with a pg client on which you ran BEGIN puts the job in your transaction.
 */
export declare function pgExecutor(pool: PgPoolLike): Executor;
