import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, inject } from "vitest";
import { createQueue, silentLogger, type AnyJobType, type ConfigInput, type Logger, type Queue, type Registry } from "cronbound";
import { pgExecutor } from "cronbound/pg";
import { withDatabase } from "./url.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /**
     * Set by the pooled run (tests/reliability/pooler/global-setup.ts): the server itself, where
     * adminUrl is PgBouncer. `sql()` connects here; see below.
     */
    directUrl?: string;
  }
}

export interface TestDatabase {
  name: string;
  url: string;
  /**
   * The pool queues made by `queue()` run on: a plain connection, default search_path, so the
   * engine is tested as it runs in an app (every statement names its schema).
   */
  pool: pg.Pool;
  /**
   * Plain SQL for arranging and checking rows, on its own pool whose search_path is
   * `cronbound, public`: tests write `jobs` for cronbound.jobs and `outbox` for the app's table.
   */
  sql<T extends pg.QueryResultRow = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  /** A queue on this database through cronbound/pg (config.production false, silent logger unless given). */
  queue<Types extends Record<string, AnyJobType>>(registry: Registry<Types>, config?: ConfigInput, options?: { logger?: Logger; pool?: pg.Pool }): Queue<Types>;
  /** A separate pool of `max` connections (concurrent claimers); closed with the database. */
  newPool(max: number): pg.Pool;
  close(): Promise<void>;
}

/**
 * A fresh, migrated database for one test file, cloned from the run's template (global-setup.ts:
 * cronbound's migrations and the app's). Named cb_t<setup pid>_<random> so global teardown drops it.
 */
export async function testDatabase(options: { poolMax?: number } = {}): Promise<TestDatabase> {
  const adminUrl = inject("adminUrl");
  const template = inject("templateDb");
  const pid = template.replace("cb_template_", "");
  const name = `cb_t${pid}_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(adminUrl, name);
  const pools: pg.Pool[] = [];
  const newPool = (max: number, extra: pg.PoolConfig = {}) => {
    const p = new pg.Pool({ connectionString: url, max, ...extra });
    p.on("error", () => {}); // a server restart in an outage test; the next query reconnects
    pools.push(p);
    return p;
  };
  const pool = newPool(options.poolMax ?? 10);
  // A transaction-mode pooler drops the `options` startup parameter (PgBouncer 1.18 can only
  // ignore it), so in the pooled run this pool goes to the server directly; what the engine
  // runs on (pool, newPool, queue) still goes through the pooler.
  const direct = inject("directUrl");
  const plain = newPool(4, { ...(direct ? { connectionString: withDatabase(direct, name) } : {}), options: "-c search_path=cronbound,public" });
  return {
    name,
    url,
    pool,
    newPool: (max) => newPool(max),
    async sql(text, params) {
      return (await plain.query(text, params)).rows;
    },
    queue(registry, config = {}, o = {}) {
      return createQueue({ db: pgExecutor(o.pool ?? pool), registry, config: { production: false, ...config }, logger: o.logger ?? silentLogger });
    },
    async close() {
      await Promise.all(pools.map((p) => p.end().catch(() => {})));
    },
  };
}

/** An empty database (no migrations) on the test server, for migrator tests; dropped by global teardown. */
export async function emptyDatabase(): Promise<{ name: string; url: string; sql: TestDatabase["sql"]; close(): Promise<void> }> {
  const adminUrl = inject("adminUrl");
  const name = `cb_t${inject("templateDb").replace("cb_template_", "")}_e${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(adminUrl, name);
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  return { name, url, sql: async (text, params) => (await pool.query(text, params)).rows, close: () => pool.end() };
}

/**
 * The database of one test file: created before its tests, closed after. The returned object is
 * filled in by the beforeAll hook, so read its fields inside tests and hooks, not at import.
 */
export function useTestDatabase(options: { poolMax?: number } = {}): TestDatabase {
  const t = {} as TestDatabase;
  beforeAll(async () => {
    Object.assign(t, await testDatabase(options));
  });
  afterAll(async () => {
    await t.close?.();
  });
  return t;
}
