// npm run soak -- [--jobs 100000] [--workers 4] [--http-ticks 2] [--job-ms 10] [--no-freeze] [--json]
//
// The long crash soak (scripts/soak/soak.ts) as a program that prints its figures. It creates
// a database of its own on SOAK_DATABASE_URL / TEST_DATABASE_URL / DATABASE_URL's server (an
// embedded PostgreSQL when none is set), migrates it, runs the soak, prints the report and
// drops the database. With --http-ticks > 0 it also runs the app (`next start`, built into
// .next-test when no build is there) and calls GET /api/jobs/tick in that many loops.
// Exit status: 0 when every invariant held, 1 otherwise.
import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, rmSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { freePort, startEmbeddedPostgres, type EmbeddedServer } from "../../lib/embedded-postgres.ts";
import { migrateDatabase } from "../../lib/migrate.ts";
import { runSoak } from "./soak.ts";

const root = path.resolve(import.meta.dirname, "../..");
const { values } = parseArgs({
  options: {
    jobs: { type: "string", default: "100000" },
    workers: { type: "string", default: "4" },
    "http-ticks": { type: "string", default: "2" },
    "job-ms": { type: "string", default: "10" },
    concurrency: { type: "string", default: "10" },
    "max-minutes": { type: "string", default: "30" },
    json: { type: "boolean", default: false },
    "no-freeze": { type: "boolean", default: false },
  },
});
const int = (name: keyof typeof values) => {
  const n = Number(values[name]);
  if (!Number.isInteger(n) || n < 0) {
    console.error(`soak: --${name} takes a non-negative integer`);
    process.exit(2);
  }
  return n;
};
// Ctrl-C or `timeout`: exit through process.exit, so the soak's exit hook kills its workers.
for (const sig of ["SIGINT", "SIGTERM"] as const) process.on(sig, () => process.exit(130));
const log = (line: string) => console.error(`[soak ${new Date().toISOString().slice(11, 19)}] ${line}`);

let embedded: EmbeddedServer | undefined;
let server = process.env.SOAK_DATABASE_URL || process.env.TEST_DATABASE_URL || process.env.DATABASE_URL;
if (!server) {
  embedded = await startEmbeddedPostgres(path.join(root, "tests/.tmp/soak-pg"), { log });
  server = embedded.url;
}
const name = `cronbound_soak_${process.pid}`;
const admin = new pg.Client({ connectionString: server });
await admin.connect();
await admin.query(`CREATE DATABASE ${name}`);
const u = new URL(server);
u.pathname = `/${name}`;
const url = u.toString();
await migrateDatabase(url); // the engine's schema (cronbound) and the app's outbox
log(`database ${name} on ${u.host}`);

const SECRET = "soak-cron-secret-0123456789";
let stopApp = async () => {};
let app: { url: string; secret: string } | undefined;
const httpTicks = int("http-ticks");
if (httpTicks > 0) {
  const distDir = ".next-test";
  const nextBin = path.join(root, "node_modules/next/dist/bin/next");
  const env = { ...process.env, NODE_ENV: "production" as const, NEXT_DIST_DIR: distDir, NEXT_TELEMETRY_DISABLED: "1" };
  if (!existsSync(path.join(root, distDir, "BUILD_ID"))) {
    log("next build");
    const b = spawnSync(process.execPath, [nextBin, "build"], { cwd: root, env, stdio: "inherit" });
    if (b.status !== 0) process.exit(1);
  }
  // Serve a private copy of the build: a test run rebuilding .next-test meanwhile must not
  // pull files from under a server that loads route code lazily.
  const copy = "tests/.tmp/soak-next";
  rmSync(path.join(root, copy), { recursive: true, force: true });
  cpSync(path.join(root, distDir), path.join(root, copy), { recursive: true });
  const port = await freePort();
  const proc = spawn(process.execPath, [nextBin, "start", "-H", "127.0.0.1", "-p", String(port)], {
    cwd: root,
    env: {
      ...env,
      NEXT_DIST_DIR: copy,
      DATABASE_URL: url,
      CRON_SECRET: SECRET,
      DEMO_JOB_DELAY_MS: values["job-ms"],
      LEASE_GRACE_MS: "300",
      TICK_BUDGET_MS: "3000",
      TICK_CONCURRENCY: values.concurrency,
      TICK_BATCH_SIZE: values.concurrency,
      RETENTION_BATCH_SIZE: "0",
    },
    stdio: "ignore",
    detached: true,
  });
  stopApp = async () => {
    try {
      process.kill(-(proc.pid as number), "SIGKILL");
    } catch {
      // gone
    }
  };
  for (let i = 0; ; i++) {
    try {
      await fetch(`http://127.0.0.1:${port}`, { signal: AbortSignal.timeout(1000) });
      break;
    } catch {
      if (i > 300) throw new Error("next start did not answer within 30 s");
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  app = { url: `http://127.0.0.1:${port}`, secret: SECRET };
  log(`app on ${app.url}; ${httpTicks} HTTP tick loops`);
}

let code = 1;
try {
  const report = await runSoak({
    databaseUrl: url,
    jobs: int("jobs"),
    workers: int("workers"),
    app,
    httpTicks,
    jobMs: int("job-ms"),
    freeze: !values["no-freeze"],
    concurrency: int("concurrency"),
    maxDurationMs: int("max-minutes") * 60_000,
    log,
  });
  if (values.json) console.log(JSON.stringify(report, null, 2));
  else {
    const { violations, ...figures } = report;
    for (const [k, v] of Object.entries(figures)) console.log(`${k.padEnd(26)} ${v}`);
    console.log(violations.length ? `VIOLATIONS:\n  ${violations.join("\n  ")}` : "all invariants held");
  }
  code = report.violations.length ? 1 : 0;
} finally {
  await stopApp();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch((e) => log(`drop: ${e.message}`));
  await admin.end();
  await embedded?.stop();
}
process.exit(code);
