// npm run worker: the long-running worker (Procfile `worker:`). One JSON line per event on
// stdout. SIGTERM/SIGINT: stop claiming, let running jobs finish within
// WORKER_SHUTDOWN_GRACE_MS, release the rest, exit 0. A second signal exits at once (the
// jobs still running keep their leases until they expire, and rescue brings them back).
import { createDatabase } from "../lib/db.ts";
import { NO_DATABASE, resolveDatabaseUrl } from "../lib/dev/database-url.ts";
import { env, EnvError } from "../lib/env.ts";
import { registry } from "../lib/job-types/index.ts";
import { defaultWorkerId } from "../lib/jobs/tick.ts";
import { runWorker, type LogRecord, type WorkerConfig } from "../lib/worker.ts";

const log = (r: LogRecord) => {
  const line = JSON.stringify({ time: new Date().toISOString(), ...r, workerId: config?.workerId });
  (r.level === "error" ? process.stderr : process.stdout).write(`${line}\n`);
};
let config: WorkerConfig | undefined;

const source = resolveDatabaseUrl();
if (!source) {
  log({ level: "error", event: "config", error: NO_DATABASE });
  process.exit(1);
}
let e;
try {
  e = env();
} catch (err) {
  log({ level: "error", event: "config", error: err instanceof EnvError ? err.problems.join("; ") : String(err) });
  process.exit(1);
}
config = {
  workerId: e.WORKER_ID ?? `worker-${defaultWorkerId()}`,
  tickBudgetMs: e.WORKER_TICK_BUDGET_MS,
  batchSize: e.TICK_BATCH_SIZE,
  concurrency: e.TICK_CONCURRENCY,
  leaseGraceMs: e.LEASE_GRACE_MS,
  busyPauseMs: e.WORKER_BUSY_PAUSE_MS,
  idlePauseMs: e.WORKER_IDLE_PAUSE_MS,
  shutdownGraceMs: e.WORKER_SHUTDOWN_GRACE_MS,
};

const database = createDatabase(e.DATABASE_URL, { max: e.DB_POOL_MAX });
const stop = new AbortController();
let firstSignalAt = 0;
const onSignal = (signal: NodeJS.Signals) => {
  // A Ctrl-C reaches this process several times within milliseconds: from the terminal (the
  // whole process group) and relayed by npm and tsx. Only a later signal means "now".
  if (stop.signal.aborted && Date.now() - firstSignalAt < 1_000) return;
  if (stop.signal.aborted) {
    log({ level: "warn", event: "exit_now", signal, message: "second signal: exiting without waiting; running jobs keep their leases until they expire" });
    process.exit(1);
  }
  firstSignalAt = Date.now();
  log({ level: "info", event: "stopping", signal, graceMs: config!.shutdownGraceMs });
  stop.abort();
};
process.on("SIGTERM", onSignal);
process.on("SIGINT", onSignal);
// Something threw outside any job's promise (a handler's stray timer, a library bug). The
// process state is unknown, so exit as a crash does; the leases it holds bring the jobs back.
process.on("uncaughtException", (err) => {
  log({ level: "error", event: "crashed", error: err?.stack ?? String(err) });
  process.exit(1);
});

const { workerId: _id, ...settings } = config;
log({ level: "info", event: "started", database: source.source, types: registry.names(), ...settings });
const summary = await runWorker({ db: database.prisma, registry, config, signal: stop.signal, log });
await database.close().catch(() => {});
log({ level: "info", event: "stopped", ticks: summary.ticks, jobs: summary.jobs });
// Stopping was asked for and done; a database that was down meanwhile is in the log, not the exit code.
process.exit(0);
