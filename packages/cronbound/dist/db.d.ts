import type { Sql } from "./sql.ts";
/**
 * The engine's only way to reach PostgreSQL. Every engine module takes one of these; none
 * imports a driver, an ORM or the host app. Two ship with the package: `pgExecutor` over a
 * `pg` Pool (cronbound/pg) and `prismaExecutor` over a PrismaClient (cronbound/prisma).
 *
 * Row shapes the engine relies on (both executors give them): json/jsonb parsed, timestamptz
 * as Date, int4 as number, text as string. The engine casts ids (bigint) to text and counts to
 * int itself, so bigint and numeric parsing never matter.
 *
 * Nothing the engine sends keeps session state (no SET, no LISTEN, no session advisory lock),
 * so an executor may sit on a transaction-mode pooler.
 */
export interface Executor {
    /** Rows of one statement (`$1`-style placeholders). */
    query<R = Record<string, unknown>>(text: string, values?: readonly unknown[]): Promise<R[]>;
    /** Rows affected by one statement. */
    execute(text: string, values?: readonly unknown[]): Promise<number>;
    /** Run `fn` in one transaction: committed when it resolves, rolled back when it throws. */
    transaction<T>(fn: (tx: Executor) => Promise<T>): Promise<T>;
    /**
     * An executor whose statements join the caller's own open transaction: a Prisma
     * `$transaction` client, or a `pg` client after BEGIN. What `enqueue(..., { tx })` uses.
     */
    join(tx: unknown): Executor;
    /** Short name for logs: "pg", "prisma+pg", "prisma". */
    readonly kind: string;
    /**
     * Set when this executor is on a path that costs noticeably more per statement than it
     * needs to (a PrismaClient without its pg pool); the queue logs it once.
     */
    readonly slowPath?: string;
}
export declare function queryRows<R>(db: Executor, q: Sql): Promise<R[]>;
export declare function execute(db: Executor, q: Sql): Promise<number>;
/** The smallest part of `pg`'s Pool/Client the executors use (no type dependency on `pg`). */
export interface PgQueryable {
    query(config: {
        text: string;
        values?: unknown[];
    }): Promise<{
        rows: unknown[];
        rowCount: number | null;
    }>;
}
export interface PgPoolLike extends PgQueryable {
    connect(): Promise<PgQueryable & {
        release(err?: Error | boolean): void;
    }>;
}
/** An executor over anything with pg's `query` (a Pool, a PoolClient, a Client). */
export declare function pgQueryExecutor(target: PgQueryable, o: {
    kind: string;
    transaction: Executor["transaction"];
    join: Executor["join"];
}): Executor;
/** BEGIN/COMMIT on one client checked out of `pool`; ROLLBACK when `fn` throws. */
export declare function pgTransaction<T>(pool: PgPoolLike, wrap: (client: PgQueryable) => Executor, fn: (tx: Executor) => Promise<T>): Promise<T>;
/** True when `x` looks like a pg Pool/Client (has `query`). */
export declare function isPgQueryable(x: unknown): x is PgQueryable;
