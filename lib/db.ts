import { PrismaPg } from "@prisma/adapter-pg";
import { attachDatabasePool } from "@vercel/functions";
import pg from "pg";
import { PrismaClient } from "./generated/prisma/client.ts";
import { borrowDevDatabase, NO_DATABASE } from "./dev/database-url.ts";
import { env, EnvError } from "./env.ts";

export interface Database {
  prisma: PrismaClient;
  pool: pg.Pool;
  close(): Promise<void>;
}

/**
 * The app's Prisma client over its own small `pg` pool. The queue (lib/cronbound.ts) is given
 * both: the engine sends its statements straight to the pool, the fast path. Nothing here
 * keeps session state (no LISTEN, no SET), so it works through transaction-mode poolers.
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
  pool.on("error", (err) => console.error(`[app] idle database connection lost: ${err.message}`));
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

const globalForDb = globalThis as unknown as { appDb?: Database };

/**
 * The app's database: one client and one small pool per instance (module reloads in
 * development reuse it). On Vercel, attachDatabasePool closes idle connections before the
 * instance is suspended, so a frozen function does not hold connections open.
 */
export function database(): Database {
  if (!globalForDb.appDb) {
    // The CLI and the worker in a second terminal borrow a running `npm run dev`'s database.
    if (!borrowDevDatabase()) throw new EnvError([NO_DATABASE]);
    const e = env();
    globalForDb.appDb = createDatabase(e.DATABASE_URL, { max: e.DB_POOL_MAX });
    attachDatabasePool(globalForDb.appDb.pool);
  }
  return globalForDb.appDb;
}

export function db(): PrismaClient {
  return database().prisma;
}
