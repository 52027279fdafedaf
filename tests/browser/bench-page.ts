// How long /jobs takes to render with a million finished jobs. A program that prints numbers,
// not a test:
//
//   BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres npx tsx tests/browser/bench-page.ts [rows] [runs]
//
// The machine's load average is printed with the results: on a busy machine every number
// grows, so compare runs made under the same load.
//
// Creates a scratch database on that server (dropped at the end), migrates it, inserts `rows`
// finished jobs (default 1,000,000: 98 % completed, 2 % failed, one every 2.6 s over the last
// month) plus a small live backlog, VACUUM ANALYZEs, then:
//  1. times getStats (the page's counts, pending age and per-minute series) directly, median of
//     `runs`. The list and recent-failures queries are the dashboard's own (not exported by
//     cronbound/next/dashboard): their cost shows in step 2, where the pages differ only in them;
//  2. builds the app into .next-bench if it has no build there, starts `next start` in
//     production mode, and times the server's answer (time to first byte, median of `runs`)
//     for /jobs and a few variants, signed in with a session cookie.
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { createQueue, silentLogger } from "cronbound";
import { pgExecutor } from "cronbound/pg";
import { freePort } from "../../lib/embedded-postgres.ts";
import { registry } from "../../lib/job-types/index.ts";
import { migrateDatabase } from "../../lib/migrate.ts";
import { withDatabase } from "../helpers/url.ts";
import { createSession, engineOf } from "cronbound/engine";
import { SESSION_COOKIE } from "./browser.ts";

const admin = process.env.BENCH_DATABASE_URL || process.env.DATABASE_URL;
if (!admin) {
  console.error("set BENCH_DATABASE_URL to a PostgreSQL server (a scratch database is created there)");
  process.exit(2);
}
const rows = Number(process.argv[2] ?? 1_000_000);
const runs = Number(process.argv[3] ?? 15);
const root = path.resolve(import.meta.dirname, "../..");
const DIST = ".next-bench";
const SECRET = "bench-dashboard-secret";

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p90 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.9))];
const ms = (x: number) => `${x.toFixed(1)} ms`;

async function time(fn: () => Promise<unknown>): Promise<number[]> {
  await fn(); // warm-up: plan cache, buffer cache
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return out;
}

const name = `cb_dash_bench_${process.pid}`;
const server = new pg.Client({ connectionString: admin });
await server.connect();
await server.query(`CREATE DATABASE ${name}`);
const url = withDatabase(admin, name);
let app: ReturnType<typeof spawn> | undefined;
try {
  await migrateDatabase(url);
  // The engine's tables live in schema cronbound: the seeding SQL names them plainly.
  const sql = new pg.Client({ connectionString: url, options: "-c search_path=cronbound,public" });
  await sql.connect();
  let t = performance.now();
  await sql.query(`
    INSERT INTO jobs (type, payload, status, attempts, max_attempts, timeout_ms, last_error, errors, result, run_at, created_at, updated_at, started_at, finished_at)
    SELECT CASE WHEN g % 3 = 0 THEN 'process-upload' ELSE 'send-email' END,
           jsonb_build_object('to', 'user' || g || '@example.com', 'subject', 'hello'),
           CASE WHEN g % 50 = 0 THEN 'failed'::job_status ELSE 'completed'::job_status END,
           CASE WHEN g % 50 = 0 THEN 3 ELSE 1 END, 3, 10000,
           CASE WHEN g % 50 = 0 THEN 'SMTP 550: mailbox unavailable' END,
           CASE WHEN g % 50 = 0 THEN '[{"attempt":3,"error":"SMTP 550: mailbox unavailable","at":"2026-01-01T00:00:00Z"}]'::jsonb ELSE '[]'::jsonb END,
           CASE WHEN g % 50 = 0 THEN NULL ELSE '{"ok":true}'::jsonb END,
           t, t, t + interval '1 second', t, t + interval '1 second'
    FROM (SELECT g, now() - ($1 - g) * interval '2.6 seconds' AS t FROM generate_series(1, $1::int) g) s`, [rows]);
  await sql.query(`
    INSERT INTO jobs (type, payload, status, timeout_ms, run_at)
    SELECT 'send-email', jsonb_build_object('to', 'q' || g || '@example.com', 'subject', 'hi'), 'pending', 10000, now() + (g - 100) * interval '1 second'
    FROM generate_series(1, 200) g`);
  // BENCH_EXTRA_SQL: try an index (or any change) before measuring, e.g.
  // BENCH_EXTRA_SQL='DROP INDEX cronbound.jobs_status_type_idx' (the page without that index)
  if (process.env.BENCH_EXTRA_SQL) {
    await sql.query(process.env.BENCH_EXTRA_SQL);
    console.log(`ran BENCH_EXTRA_SQL: ${process.env.BENCH_EXTRA_SQL}`);
  }
  await sql.query("VACUUM ANALYZE jobs");
  console.log(`seeded ${rows.toLocaleString("en-US")} finished jobs + 200 pending in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  console.log(`load average ${os.loadavg().map((l) => l.toFixed(1)).join(" ")} on ${os.cpus().length} CPUs`);
  await sql.end();

  const pool = new pg.Pool({ connectionString: url, max: 5 });
  const queue = createQueue({ db: pgExecutor(pool), registry, config: { production: false }, logger: silentLogger });
  const queries: [string, () => Promise<unknown>][] = [
    ["getStats (counts, pending, per minute)", () => queue.getStats()],
  ];
  console.log("\nqueries (median / p90 of %d runs):", runs);
  for (const [label, fn] of queries) {
    const xs = await time(fn);
    console.log(`  ${label.padEnd(42)} ${ms(median(xs)).padStart(10)} ${ms(p90(xs)).padStart(10)}`);
  }
  // A dashboard session made the way signing in makes one (a row in cronbound.sessions).
  const sessionId = await createSession(engineOf(queue), SECRET, 3_600_000);
  await pool.end();

  const nextBin = path.join(root, "node_modules", "next", "dist", "bin", "next");
  if (!existsSync(path.join(root, DIST, "BUILD_ID"))) {
    t = performance.now();
    const b = spawnSync(process.execPath, [nextBin, "build"], {
      cwd: root, env: { ...process.env, NEXT_DIST_DIR: DIST, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production" }, encoding: "utf8",
    });
    if (b.status !== 0) throw new Error(`next build failed:\n${b.stdout}\n${b.stderr}`);
    console.log(`\nbuilt into ${DIST} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
  const port = await freePort();
  app = spawn(process.execPath, [nextBin, "start", "-H", "127.0.0.1", "-p", String(port)], {
    cwd: root,
    env: { ...process.env, NODE_ENV: "production", NEXT_DIST_DIR: DIST, NEXT_TELEMETRY_DISABLED: "1", DATABASE_URL: url, DASHBOARD_SECRET: SECRET },
    stdio: "ignore",
    detached: true,
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      await fetch(base, { signal: AbortSignal.timeout(1000) });
      break;
    } catch {
      if (i > 300) throw new Error("next start did not answer");
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const cookie = `${SESSION_COOKIE}=${sessionId}`;
  const page = async (p: string) => {
    const res = await fetch(base + p, { headers: { cookie }, redirect: "manual" });
    if (res.status !== 200) throw new Error(`${p}: ${res.status}`);
    await res.arrayBuffer();
  };
  console.log("\nnext start, signed in: server time to the whole HTML (median / p90 of %d runs):", runs);
  for (const p of ["/jobs", "/jobs?status=pending", "/jobs?status=failed&type=process-upload", `/jobs?before=${rows - 50_000}`, `/jobs/${Math.floor(rows / 2)}`]) {
    const xs = await time(() => page(p));
    console.log(`  ${p.padEnd(42)} ${ms(median(xs)).padStart(10)} ${ms(p90(xs)).padStart(10)}`);
  }
  console.log(`load average ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}`);
} finally {
  if (app?.pid) {
    try {
      process.kill(-app.pid, "SIGKILL");
    } catch {
      // gone already
    }
  }
  await server.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await server.end();
}
