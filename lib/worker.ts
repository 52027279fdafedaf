import type { Db } from "./db.ts";
import type { Registry } from "./jobs/define.ts";
import { sleep } from "./jobs/sleep.ts";
import { runTick, type JobEvent } from "./jobs/tick.ts";
import type { TickReport } from "./jobs/types.ts";

// The long-running worker (`npm run worker`, the Procfile's `worker:` line): the article's
// runner loop, built on the same tick as the cron route. It only loops; claiming, running,
// finalizing and releasing are the tick's.

export interface WorkerConfig {
  /** Written into every lease this process takes; fixed for the process's life. */
  workerId: string;
  /** Longest one tick runs, ms. Jobs whose timeout is longer are never claimed here. */
  tickBudgetMs: number;
  batchSize: number;
  concurrency: number;
  /** Lease = job timeout + this. */
  leaseGraceMs: number;
  /** Pause after a tick that ran or rescued something, ms. */
  busyPauseMs: number;
  /** Pause after a tick that found nothing, ms. Each pause ends in one claim query. */
  idlePauseMs: number;
  /** On shutdown, how long running jobs may finish before they are released, ms. */
  shutdownGraceMs: number;
  /** Only these job types (all when empty). */
  types?: string[];
}

/** One structured log record; the script prints each as a JSON line. */
export type LogRecord = { level: "info" | "warn" | "error"; event: string } & Record<string, unknown>;

export interface WorkerOptions {
  db: Db;
  registry: Registry;
  config: WorkerConfig;
  /** Aborting stops claiming; the running tick releases what does not finish within the grace. */
  signal: AbortSignal;
  log: (record: LogRecord) => void;
}

export interface WorkerSummary {
  ticks: number;
  jobs: Record<JobEvent["outcome"], number>;
  /** True when the last tick failed (the database was unreachable while stopping). */
  failed: boolean;
}

// A database outage backs off from 1 s to 30 s: frequent enough to resume quickly, rare
// enough not to flood the log (or a recovering server) with connection attempts.
const ERROR_BACKOFF_MIN_MS = 1_000;
const ERROR_BACKOFF_MAX_MS = 30_000;

export function errorBackoffMs(consecutiveFailures: number): number {
  return Math.min(ERROR_BACKOFF_MAX_MS, ERROR_BACKOFF_MIN_MS * 2 ** Math.max(0, consecutiveFailures - 1));
}

/**
 * Loop ticks until `signal` aborts. Never throws: a failing tick (database down, a bad
 * network) is logged and retried after a backoff, and the jobs it held keep their leases,
 * so rescue brings them back if this process never gets to finalize them.
 */
export async function runWorker(o: WorkerOptions): Promise<WorkerSummary> {
  const { config: c, log } = o;
  const summary: WorkerSummary = {
    ticks: 0,
    jobs: { completed: 0, retry: 0, failed: 0, released: 0, discarded: 0, lost: 0 },
    failed: false,
  };
  let failures = 0;
  let warnedBudget = false;

  while (!o.signal.aborted) {
    let report: TickReport;
    try {
      report = await runTick(o.db, o.registry, {
        budgetMs: c.tickBudgetMs,
        batchSize: c.batchSize,
        concurrency: c.concurrency,
        workerId: c.workerId,
        graceMs: c.leaseGraceMs,
        types: c.types,
        signal: o.signal,
        shutdownGraceMs: c.shutdownGraceMs,
        onJob: (e) => {
          summary.jobs[e.outcome]++;
          log({
            level: e.outcome === "failed" || e.outcome === "lost" ? "warn" : "info",
            event: "job",
            type: e.type,
            id: e.id,
            attempt: e.attempt,
            outcome: e.outcome,
            durationMs: e.durationMs,
            ...(e.error ? { error: e.error } : {}),
          });
        },
      });
    } catch (err) {
      failures++;
      summary.failed = true;
      const retryInMs = errorBackoffMs(failures);
      log({ level: "error", event: "tick_failed", error: (err as Error)?.message ?? String(err), failures, retryInMs });
      await pause(retryInMs, o.signal);
      continue;
    }
    summary.ticks++;
    summary.failed = false;
    if (failures) log({ level: "info", event: "recovered", afterFailures: failures });
    failures = 0;

    const busy = report.claimed > 0 || report.rescued > 0;
    if (busy) {
      const { workerId: _w, maintenance: _m, ...counts } = report;
      log({ level: "info", event: "tick", ...counts });
    }
    if (report.skippedForBudget > 0 && !warnedBudget) {
      warnedBudget = true;
      log({
        level: "warn",
        event: "skipped_for_budget",
        jobs: report.skippedForBudget,
        message: `due jobs have a timeout longer than WORKER_TICK_BUDGET_MS (${c.tickBudgetMs} ms); this worker will never claim them`,
      });
    }
    await pause(busy ? c.busyPauseMs : c.idlePauseMs, o.signal);
  }
  return summary;
}

/** Sleep, cut short by the signal. */
async function pause(ms: number, signal: AbortSignal): Promise<void> {
  await sleep(ms, signal).catch(() => {});
}
