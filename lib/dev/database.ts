import { existsSync, readFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import pg from "pg";
import { freePort, startEmbeddedPostgres } from "../embedded-postgres.ts";
import { migrateDatabase, type MigrationResult } from "../migrate.ts";
import { embeddedPostgresModule } from "./runtime.ts";
import { reachableDataDir } from "./data-dir.ts";

export interface DevDatabase {
  url: string;
  /** Set when this process started an embedded server. */
  embedded?: { dataDir: string; port: number; created: boolean };
  migrations: MigrationResult;
  stop(): Promise<void>;
}

export interface DevDatabaseOptions {
  /** Use this database (migrate it, start nothing). */
  databaseUrl?: string;
  /** Migrations need a direct connection when databaseUrl goes through a pooler. */
  directUrl?: string;
  /** Embedded server's data folder and preferred port (another free port when it is taken). */
  dataDir: string;
  /** The project folder (names the fallback data folder when dataDir is closed to postgres). */
  projectRoot?: string;
  port: number;
  log: (line: string) => void;
}

/** The app's own database on the embedded server; `postgres` stays the maintenance database. */
export const DEV_DATABASE_NAME = "cronbound";

/**
 * The database `npm run dev` uses: DATABASE_URL when given, else an embedded PostgreSQL whose
 * data survives in `dataDir`. Either way, migrations are applied before the app starts.
 */
export async function startDevDatabase(o: DevDatabaseOptions): Promise<DevDatabase> {
  if (o.databaseUrl) {
    const migrations = await migrateDatabase(o.directUrl || o.databaseUrl, { log: o.log });
    return { url: o.databaseUrl, migrations, stop: async () => {} };
  }

  const dataDir = reachableDataDir(path.resolve(o.dataDir), o.projectRoot ?? process.cwd(), o.log);
  await stopLeftoverServer(dataDir, o.log);
  await importWithoutSignalHooks(o.log);
  const created = !existsSync(path.join(dataDir, "PG_VERSION"));
  const port = (await portIsFree(o.port)) ? o.port : await freePort();
  if (port !== o.port) o.log(`port ${o.port} is taken; the embedded PostgreSQL uses ${port}`);
  let server;
  try {
    server = await startEmbeddedPostgres(dataDir, { port, log: o.log });
  } catch (err) {
    const why = (err as Error)?.message || "it exited during start-up";
    throw new Error(
      /^(cannot run|.* is closed to the postgres OS user|.* is not installed)/.test(why)
        ? `the embedded PostgreSQL did not start: ${why}`
        : `the embedded PostgreSQL in ${dataDir} did not start (${why}). ` +
            `If the folder is damaged, remove it to start from an empty database, or set DATABASE_URL to use another server.`,
    );
  }
  const stop = () => stopServer(server.stop, dataDir);
  try {
    await ensureDatabase(server.url, DEV_DATABASE_NAME);
    const url = withDatabase(server.url, DEV_DATABASE_NAME);
    const migrations = await migrateDatabase(url, { log: o.log });
    return { url, embedded: { dataDir, port, created }, migrations, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * embedded-postgres registers SIGINT/SIGTERM/SIGHUP handlers (async-exit-hook) that stop the
 * server and call process.exit() on their own schedule, racing our ordered shutdown (app
 * first, then the database). Import it once here and drop those three; its `exit` hook stays
 * as a last resort that stops the server if this process dies another way.
 */
async function importWithoutSignalHooks(log: (line: string) => void): Promise<void> {
  const signals = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
  const before = new Map(signals.map((s) => [s, new Set(process.listeners(s))]));
  // The copy startEmbeddedPostgres will use (as root under a closed folder: a copy outside it).
  await import(await embeddedPostgresModule(log));
  for (const s of signals) {
    for (const l of process.listeners(s)) if (!before.get(s)!.has(l)) process.removeListener(s, l);
  }
}

/**
 * Stop the server and wait until it is gone. A Ctrl-C in the terminal reaches the postgres
 * process too (same process group), and it starts a fast shutdown by itself; then the
 * library's stop() would wait forever for an exit that already happened. Postgres removes
 * postmaster.pid as the last step of a clean shutdown, so that file is the signal we wait on.
 */
async function stopServer(stop: () => Promise<void>, dataDir: string): Promise<void> {
  const pidFile = path.join(dataDir, "postmaster.pid");
  const gone = async () => {
    for (let i = 0; i < 300 && existsSync(pidFile); i++) await new Promise((r) => setTimeout(r, 50));
  };
  await Promise.race([stop().catch(() => {}), gone()]);
  await gone();
}

/**
 * A server left running by a dev process that was killed (SIGKILL, a closed terminal) still
 * holds the data folder, and a new one would refuse to start. Its pid and port are on the
 * first lines of postmaster.pid; a fast shutdown (SIGINT) stops it cleanly.
 */
async function stopLeftoverServer(dataDir: string, log: (l: string) => void): Promise<void> {
  const pidFile = path.join(dataDir, "postmaster.pid");
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, "utf8").split("\n")[0]);
  if (!Number.isInteger(pid) || pid <= 0) return;
  try {
    process.kill(pid, "SIGINT");
  } catch {
    return; // not running: postgres clears a stale pid file itself
  }
  log(`stopping a PostgreSQL left running from an earlier run (pid ${pid})`);
  for (let i = 0; i < 200 && existsSync(pidFile); i++) await new Promise((r) => setTimeout(r, 50));
}

async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rows } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (!rows.length) await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** Free on IPv4 and IPv6 loopback/any (next dev listens on `::`, postgres on localhost). */
export async function portIsFree(port: number): Promise<boolean> {
  const tryListen = (host: string) =>
    new Promise<boolean>((resolve) => {
      const srv = net.createServer();
      srv.unref();
      srv.once("error", (err: NodeJS.ErrnoException) => resolve(err.code === "EAFNOSUPPORT" || err.code === "EADDRNOTAVAIL"));
      srv.listen(port, host, () => srv.close(() => resolve(true)));
    });
  return (await tryListen("127.0.0.1")) && (await tryListen("::"));
}
