// npm run dev: the whole thing on one machine with no setup. Without DATABASE_URL it starts an
// embedded PostgreSQL (data kept in .data/postgres), applies the migrations, starts `next dev`,
// and calls GET /api/jobs/tick every few seconds with the cron secret, as Vercel Cron does
// every minute in production. Ctrl-C stops the app, then the database.
import { randomBytes } from "node:crypto";
import path from "node:path";
import { startDevDatabase, portIsFree, type DevDatabase } from "../lib/dev/database.ts";
import { loadEnvFiles } from "cronbound/cli";
import { startNextDev, waitForPort, type NextDev } from "../lib/dev/next-dev.ts";
import { clearDevState, readDevState, writeDevState } from "../lib/dev/state.ts";
import { runTicker } from "../lib/dev/ticker.ts";
import { EnvError, parseEnv } from "../lib/env.ts";

const PROJECT_ROOT = path.resolve(import.meta.dirname, "..");
const say = (line: string) => console.log(`[cronbound] ${line}`);
const fail = (message: string): never => {
  console.error(`[cronbound] ${message}`);
  process.exit(1);
};
const started = Date.now();

loadEnvFiles(PROJECT_ROOT);
// `npm run dev -- --hostname 0.0.0.0` (or -H) overrides DEV_HOST for one run.
const hostFlag = process.argv.findIndex((a) => a === "--hostname" || a === "-H");
if (hostFlag >= 0) {
  const value = process.argv[hostFlag + 1];
  if (!value || value.startsWith("-")) fail("--hostname takes an address: --hostname 0.0.0.0");
  process.env.DEV_HOST = value;
}
const givenUrl = process.env.DATABASE_URL || undefined;
let e;
try {
  // DATABASE_URL may not exist yet (the embedded server provides it): validate the rest now.
  e = parseEnv({ ...process.env, DATABASE_URL: givenUrl ?? "postgresql://embedded" });
} catch (err) {
  fail(err instanceof EnvError ? err.message : String(err));
}
const env = e!;
const dataDir = path.resolve(PROJECT_ROOT, env.DEV_DATABASE_DIR);
/** A folder as the user would type it: relative inside the project, absolute outside. */
const shown = (dir: string) => (dir.startsWith(PROJECT_ROOT + path.sep) ? path.relative(PROJECT_ROOT, dir) : dir);
const rel = shown(dataDir);

if (!givenUrl) {
  const running = readDevState(dataDir);
  if (running) fail(`npm run dev is already running (pid ${running.pid}, ${running.appUrl}); stop it first`);
}
const port = await choosePort();

let database: DevDatabase | undefined;
let starting: Promise<DevDatabase> | undefined;
let next: NextDev | undefined;
const ticker = new AbortController();
let stopping = false;

async function shutdown(code: number, why: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  say(`${why}: stopping`);
  ticker.abort();
  if (next) await next.stop();
  // A signal during start-up: let the database finish starting, then stop it properly.
  database ??= await starting?.catch(() => undefined);
  if (database?.embedded) {
    clearDevState(dataDir);
    await database.stop();
    say(`embedded PostgreSQL stopped; its data stays in ${shown(database.embedded.dataDir)} for the next run`);
  }
  process.exit(code);
}
for (const s of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(s, () => void shutdown(0, s));
process.on("exit", () => next?.kill());

try {
  if (givenUrl) say("DATABASE_URL is set: using that database (no embedded server)");
  else say(`no DATABASE_URL: starting the embedded PostgreSQL (data in ${rel})`);
  starting = startDevDatabase({
    databaseUrl: givenUrl,
    directUrl: process.env.DIRECT_DATABASE_URL || undefined,
    dataDir,
    projectRoot: PROJECT_ROOT,
    port: env.DEV_DATABASE_PORT,
    log: (l) => say(l),
  });
  database = await starting;
} catch (err) {
  fail(`could not prepare the database: ${(err as Error).message}`);
}
const db = database!;
const m = db.migrations;
say(
  `${db.embedded ? `embedded PostgreSQL on port ${db.embedded.port} (${db.embedded.created ? "new" : "existing data"}); ` : ""}` +
    `migrations: ${m.applied.length ? `${m.applied.length} applied` : "up to date"}`,
);
if (stopping) await new Promise(() => {}); // a signal arrived during start-up: shutdown() stops the database and exits

// The tick route needs a secret; a local one is made up per run unless you set yours.
const secret = process.env.CRON_SECRET || randomBytes(24).toString("base64url");
const appUrl = `http://localhost:${port}`;
if (db.embedded) {
  writeDevState(dataDir, { pid: process.pid, databaseUrl: db.url, appUrl, startedAt: new Date().toISOString() });
}

const loopbackOnly = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/.test(env.DEV_HOST);
// Where this process reaches the server (the ticker, the start-up probe): the address it listens
// on, or loopback when it listens on every interface.
const reachAt = /^(0\.0\.0\.0|::|\[::\])$/.test(env.DEV_HOST) ? "127.0.0.1" : env.DEV_HOST.replace("localhost", "127.0.0.1");
next = startNextDev(PROJECT_ROOT, port, { ...process.env, DATABASE_URL: db.url, CRON_SECRET: secret, PORT: String(port) }, env.DEV_HOST);
void next.exited.then((code) => shutdown(code || 1, `next dev exited (code ${code})`));
try {
  await waitForPort(port, () => next!.proc.exitCode === null, undefined, reachAt);
} catch (err) {
  await shutdown(1, (err as Error).message);
}

say(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
say(`  app        ${appUrl}${loopbackOnly ? " (this machine only; DEV_HOST=0.0.0.0 to open it to the network)" : ""}`);
if (!loopbackOnly) {
  say(`  listening on ${env.DEV_HOST}: other machines can reach it. The dashboard is open to this machine only;`);
  say(`  others need DASHBOARD_SECRET (and CRON_SECRET for the routes). See docs/SECURITY.md.`);
}
say(`  dashboard  ${appUrl}/jobs`);
say(`  ticking    GET /api/jobs/tick every ${env.DEV_TICK_INTERVAL_MS / 1000} s (DEV_TICK_INTERVAL_MS), like Vercel Cron`);
say(`  try        npm run jobs -- enqueue send-email '{"to":"you@example.com","subject":"Hello"}'`);
say(`Ctrl-C stops the app${db.embedded ? " and the database" : ""}.`);

await runTicker({
  baseUrl: `http://${reachAt.includes(":") ? `[${reachAt}]` : reachAt}:${port}`,
  secret,
  intervalMs: env.DEV_TICK_INTERVAL_MS,
  signal: ticker.signal,
  log: say,
});

/** PORT when set (it must be free), else 3000 or the next free port after it. */
async function choosePort(): Promise<number> {
  const given = process.env.PORT;
  if (given) {
    const p = Number(given);
    if (!Number.isInteger(p) || p < 1 || p > 65_535) fail(`PORT must be a port number; got ${JSON.stringify(given)}`);
    if (!(await portIsFree(p))) fail(`port ${p} (PORT) is in use; choose another with PORT=...`);
    return p;
  }
  for (let p = 3000; p < 3020; p++) {
    if (await portIsFree(p)) {
      if (p !== 3000) say(`port 3000 is in use; the app uses ${p}`);
      return p;
    }
  }
  return fail("ports 3000-3019 are all in use; set PORT");
}
