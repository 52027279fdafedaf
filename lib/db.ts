import { PrismaPg } from "@prisma/adapter-pg";
import { attachDatabasePool } from "@vercel/functions";
import pg from "pg";
import { PrismaClient, Prisma } from "./generated/prisma/client.ts";
import { env } from "./env.ts";

export { Prisma };

/** Anything that runs raw SQL: the client itself or a transaction handle from `$transaction`. */
export type Db = PrismaClient | Prisma.TransactionClient;

// The pg pool under each client made by createDatabase, for the engine's hottest statements.
const pools = new WeakMap<object, pg.Pool>();

/**
 * Rows of one raw statement. The engine's hot statements (claim, complete, enqueue) go
 * straight to the client's own `pg` pool when `db` is a client made by createDatabase, and
 * through Prisma otherwise (a `$transaction` handle, so the statement stays in the caller's
 * transaction; a client made elsewhere).
 *
 * Why bypass Prisma here: on a 2-core machine with PostgreSQL 15 local, `$queryRaw` costs
 * 120-300 us more than `pool.query` for the same statement (SELECT $1: 56 vs 178 us; a
 * one-row INSERT: 423 vs 553 us; bench/, "prisma overhead"). A no-op job costs about 100 us
 * in all at 10,000 jobs/s, so that overhead on the claim and the completion alone would
 * halve throughput. Same SQL text, same parameters (Prisma.sql renders `$n` placeholders),
 * same row shapes (json parsed, timestamps as Date, int4 as number; ids are cast to text).
 */
export async function queryRows<T>(db: Db, sql: Prisma.Sql): Promise<T[]> {
  const pool = pools.get(db);
  if (!pool) return db.$queryRaw<T[]>(sql);
  return (await pool.query(sql.text, sql.values)).rows as T[];
}

/** Rows affected by one raw statement; the same routing as queryRows. */
export async function executeSql(db: Db, sql: Prisma.Sql): Promise<number> {
  const pool = pools.get(db);
  if (!pool) return db.$executeRaw(sql);
  return (await pool.query(sql.text, sql.values)).rowCount ?? 0;
}

export interface Database {
  prisma: PrismaClient;
  pool: pg.Pool;
  close(): Promise<void>;
}

/**
 * A Prisma client over its own small `pg` pool. Nothing here keeps session state (no LISTEN,
 * no session advisory locks, no SET), so it works through transaction-mode poolers.
 */
export function createDatabase(url: string, options: { max?: number } = {}): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 5,
    idleTimeoutMillis: 10_000,
    connectionTimeoutMillis: 10_000,
  });
  // An idle client that loses its server (a restart, a pooler recycling it) emits 'error' on
  // the pool; unhandled, that would crash the process. The next query reconnects.
  pool.on("error", (err) => console.error(`[cronbound] idle database connection lost: ${err.message}`));
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: false }) });
  pools.set(prisma, pool);
  return {
    prisma,
    pool,
    async close() {
      await prisma.$disconnect();
      await pool.end();
    },
  };
}

const globalForDb = globalThis as unknown as { cronboundDb?: Database };

/**
 * The app's database: one client and one small pool per instance (module reloads in
 * development reuse it). On Vercel, attachDatabasePool closes idle connections before the
 * instance is suspended, so a frozen function does not hold connections open.
 */
export function database(): Database {
  if (!globalForDb.cronboundDb) {
    const e = env();
    globalForDb.cronboundDb = createDatabase(e.DATABASE_URL, { max: e.DB_POOL_MAX });
    attachDatabasePool(globalForDb.cronboundDb.pool);
  }
  return globalForDb.cronboundDb;
}

export function db(): PrismaClient {
  return database().prisma;
}
