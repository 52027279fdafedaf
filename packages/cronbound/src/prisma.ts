// cronbound/prisma: the engine over the app's PrismaClient (Prisma 7 with @prisma/adapter-pg).
import { isPgQueryable, pgListen, pgQueryExecutor, type Executor, type NamedStatements, type PgPoolLike, type PgQueryable } from "./db.ts";
import { engineTypes, type PgTypes } from "./timestamps.ts";

export type { Executor, NamedStatements, PgPoolLike } from "./db.ts";

/** The part of a PrismaClient (or a `$transaction` client, or an `$extends()`ed one) used here. */
export interface PrismaRawClient {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  $queryRawUnsafe<T = unknown>(query: string, ...values: any[]): Promise<T>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  $executeRawUnsafe(query: string, ...values: any[]): Promise<number>;
}

export interface PrismaClientLike extends PrismaRawClient {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  $transaction(fn: (tx: any) => Promise<any>, options?: { maxWait?: number; timeout?: number }): Promise<any>;
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
  /** With `pool`: how the pool's statements are sent; "auto" (the default), true or false (PgExecutorOptions in cronbound/pg). */
  namedStatements?: NamedStatements;
}

const isPrismaRaw = (x: unknown): x is PrismaRawClient =>
  typeof x === "object" && x !== null && typeof (x as PrismaRawClient).$queryRawUnsafe === "function";

/** Statements on one Prisma client (the root client or a `$transaction` client). */
function onPrisma(client: PrismaRawClient, kind: string, transaction: Executor["transaction"], join: Executor["join"], slowPath?: string): Executor {
  return {
    kind,
    slowPath,
    query: <R>(text: string, values: readonly unknown[] = []) => client.$queryRawUnsafe<R[]>(text, ...values),
    execute: (text: string, values: readonly unknown[] = []) => client.$executeRawUnsafe(text, ...values),
    transaction,
    join,
  };
}

/** `prismaExecutor(prisma, { pool })`: the engine on the app's own client and pool. */
export function prismaExecutor(prisma: PrismaClientLike, options: PrismaExecutorOptions = {}): Executor {
  if (!isPrismaRaw(prisma)) throw new TypeError("prismaExecutor(prisma): expected a PrismaClient");
  const { pool } = options;
  if (pool !== undefined && (!isPgQueryable(pool) || typeof pool.connect !== "function")) {
    throw new TypeError("prismaExecutor(prisma, { pool }): pool must be the pg Pool given to new PrismaPg(pool)");
  }

  const join = (tx: unknown): Executor => {
    if (isPrismaRaw(tx)) return onPrisma(tx, "prisma", (fn) => fn(join(tx)), join);
    if (isPgQueryable(tx)) return onPgClient(tx);
    throw new TypeError("tx: expected the client Prisma passes to $transaction(async (tx) => ...)");
  };
  // A pg client inside a transaction: the engine's own (named as the pool's executor is, the
  // engine's readers), or the caller's (unnamed, the client's own readers).
  const onPgClient = (client: PgQueryable, named = false, types?: PgTypes): Executor =>
    pgQueryExecutor(client, { kind: "prisma+pg", transaction: (fn) => fn(onPgClient(client, named, types)), join, named, ...(types ? { types } : {}) });

  if (pool) {
    const types = engineTypes(pool);
    return pgQueryExecutor(pool, {
      kind: "prisma+pg",
      onClient: (client, named) => onPgClient(client, named, types),
      join,
      listen: pgListen(pool),
      named: options.namedStatements ?? "auto",
      types,
    });
  }
  return onPrisma(
    prisma,
    "prisma",
    (fn) => prisma.$transaction((tx) => fn(join(tx)), { maxWait: 10_000, timeout: 60_000 }),
    join,
    "cronbound/prisma: no pg pool was given, so every engine statement goes through Prisma's $queryRawUnsafe " +
      "(about half the drain rate of short jobs). Pass the pool under the driver adapter: prismaExecutor(prisma, { pool }).",
  );
}
