import { type Executor, type PgPoolLike } from "./db.ts";
export type { Executor, PgPoolLike } from "./db.ts";
/** The part of a PrismaClient (or a `$transaction` client, or an `$extends()`ed one) used here. */
export interface PrismaRawClient {
    $queryRawUnsafe<T = unknown>(query: string, ...values: any[]): Promise<T>;
    $executeRawUnsafe(query: string, ...values: any[]): Promise<number>;
}
export interface PrismaClientLike extends PrismaRawClient {
    $transaction(fn: (tx: any) => Promise<any>, options?: {
        maxWait?: number;
        timeout?: number;
    }): Promise<any>;
}
export interface PrismaExecutorOptions {
    /**
     * The `pg` Pool under the client's driver adapter (`new PrismaPg(pool)`). Given, the engine
     * sends its statements straight to it: Prisma's raw-query path costs 120-300 us more per
     * statement on a 2-core machine (SELECT $1: 56 vs 178 us), which about halves the drain
     * rate of short jobs. Not given, everything goes through `$queryRawUnsafe` and the queue
     * logs a warning once. Statements in a caller's `$transaction` (enqueue's `tx`) always go
     * through that transaction's client.
     */
    pool?: PgPoolLike;
}
/** `prismaExecutor(prisma, { pool })`: the engine on the app's own client and pool. */
export declare function prismaExecutor(prisma: PrismaClientLike, options?: PrismaExecutorOptions): Executor;
