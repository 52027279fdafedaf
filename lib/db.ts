import { PrismaPg } from "@prisma/adapter-pg";
import { attachDatabasePool } from "@vercel/functions";
import pg from "pg";
import { PrismaClient, Prisma } from "./generated/prisma/client.ts";
import { env } from "./env.ts";

export { Prisma };

/** Anything that runs raw SQL: the client itself or a transaction handle from `$transaction`. */
export type Db = PrismaClient | Prisma.TransactionClient;

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
