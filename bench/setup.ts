import path from "node:path";
import pg from "pg";
import { migrate, silentLogger } from "cronbound";
import { startEmbeddedPostgres, type EmbeddedServer } from "../lib/embedded-postgres.ts";
import { FLOOR_DDL } from "./floor.ts";

export const DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/postgres";

/** The engine's schema in the bench database (cronbound's default): the floor names its tables. */
export const SCHEMA = "cronbound";

export interface BenchServer {
  /** URL of the fresh benchmark database, with cronbound's tables in schema SCHEMA. */
  url: string;
  name: string;
  serverVersion: string;
  embedded: boolean;
  /** Drops the database and stops an embedded server. */
  drop(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function reachable(url: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await c.connect();
    await c.end();
    return true;
  } catch {
    await c.end().catch(() => {});
    return false;
  }
}

/**
 * A fresh database for this run, cronbound_bench_<pid>, on BENCH_DATABASE_URL, DATABASE_URL or
 * the local default; when none answers, on an embedded PostgreSQL started here. Set up with
 * cronbound's own `migrate` (schema SCHEMA) only: no scenario touches the app's outbox.
 */
export async function createBenchDatabase(log: (line: string) => void): Promise<BenchServer> {
  const given = process.env.BENCH_DATABASE_URL || process.env.DATABASE_URL;
  let adminUrl = given || DEFAULT_URL;
  let server: EmbeddedServer | undefined;
  if (!(await reachable(adminUrl))) {
    if (given) throw new Error(`cannot connect to ${given.replace(/\/\/[^@]*@/, "//***@")}`);
    log(`no server at ${DEFAULT_URL}: starting an embedded PostgreSQL`);
    server = await startEmbeddedPostgres(path.resolve(".data/bench-embedded-pg"), { log });
    adminUrl = server.url;
  }
  const name = `cronbound_bench_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  let serverVersion: string;
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name}`);
    await admin.query(`CREATE DATABASE ${name}`);
    serverVersion = (await admin.query<{ server_version: string }>("SHOW server_version")).rows[0].server_version;
  } finally {
    await admin.end();
  }
  const url = withDatabase(adminUrl, name);
  await migrate(url, { schema: SCHEMA, logger: silentLogger });
  // The floor's own table (bench/floor.ts), beside the engine's schema.
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(FLOOR_DDL);
  } finally {
    await c.end();
  }
  return {
    url,
    name,
    serverVersion,
    embedded: Boolean(server),
    async drop() {
      const a = new pg.Client({ connectionString: adminUrl });
      await a.connect();
      try {
        await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await a.end();
      }
      await server?.stop();
    },
  };
}
