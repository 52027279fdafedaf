import type { WorkerConfig } from "./config.ts";
import { errorFields } from "./logger.ts";
import type { Queue } from "./queue.ts";
import { sleep } from "./engine/sleep.ts";
import { defaultWorkerId, runTick, type JobEvent } from "./engine/tick/run.ts";
import type { TickReport } from "./engine/types.ts";
import { openWake, type Wake } from "./engine/wake.ts";
import { withDb } from "./engine/context.ts";

// The long-running worker (`cronbound worker`, a Procfile's `worker:` line): the article's
// runner loop, built on the same tick as the cron route. It only loops; claiming, running,
// finalizing and releasing are the tick's.

export interface WorkerOptions extends Partial<WorkerConfig> {
  /** Aborting stops claiming; the running tick releases what does not finish within the grace. Without it the worker runs forever. */
  signal?: AbortSignal;
  /** Jobs run at once; default config.concurrency. */
  concurrency?: number;
  /** Jobs one claim takes; default config.batchSize, else concurrency. */
  batchSize?: number;
  /** Lease = job timeout + this; default config.leaseGraceMs. */
  leaseGraceMs?: number;
  /** Only these job types (all when absent). */
  types?: string[];
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
/** After its LISTEN connection is lost, the worker polls and opens it again this much later. */
const WAKE_REOPEN_MS = 5_000;

export function errorBackoffMs(consecutiveFailures: number): number {
  return Math.min(ERROR_BACKOFF_MAX_MS, ERROR_BACKOFF_MIN_MS * 2 ** Math.max(0, consecutiveFailures - 1));
}

/**
 * Loop ticks until `signal` aborts. Settings come from `options`, else the queue's config
 * (`config.worker`, `concurrency`, `batchSize`, `leaseGraceMs`), else their defaults. Never
 * throws: a failing tick (database down, a bad network) is logged and retried after a
 * backoff, and the jobs it held keep their leases, so rescue brings them back if this process
 * never gets to finalize them. One log record per job, per busy tick, per problem.
 */
export async function runWorker(queue: Queue, options: WorkerOptions = {}): Promise<WorkerSummary> {
  const e = queue.engine();
  const log = queue.logger;
  const w = { ...e.config.worker, ...defined(options) };
  const workerId = w.workerId ?? `worker-${defaultWorkerId()}`;
  const concurrency = options.concurrency ?? e.config.concurrency;
  const batchSize = options.batchSize ?? e.config.batchSize ?? concurrency;
  const signal = options.signal ?? new AbortController().signal;
  const summary: WorkerSummary = {
    ticks: 0,
    jobs: { completed: 0, retry: 0, failed: 0, released: 0, discarded: 0, lost: 0, continued: 0, waiting: 0 },
    failed: false,
  };
  let failures = 0;
  let warnedBudget = false;

  // Wake on enqueue (engine/wake.ts): a notification ends the pause at once, and a running
  // tick looks for claimable jobs again. `notified` says one came since the last tick began.
  let notified = false;
  let endPause: (() => void) | null = null;
  const nudges = new Set<() => void>();
  const onWake = () => {
    notified = true;
    endPause?.();
    for (const nudge of nudges) nudge();
  };
  let reopenAt = 0;
  let reopenTimer: NodeJS.Timeout | undefined;
  let reopenFailures = 0;
  // Open the wake again in `ms`: the timer ends the pause then, so a worker in a long idle
  // pause does not poll without its wake for the rest of that pause.
  const reopenIn = (ms: number) => {
    reopenAt = Date.now() + ms;
    clearTimeout(reopenTimer);
    reopenTimer = setTimeout(() => endPause?.(), ms);
  };
  let lastMaintenance = 0;
  const open = () =>
    openWake(e, w.wake, {
      types: options.types,
      onWake,
      onLost: (err) => {
        log.warn({ event: "wake_lost", workerId, ...errorFields(err), retryInMs: WAKE_REOPEN_MS }, "the LISTEN connection was lost; polling until it is back");
        const lost = wake;
        wake = { mode: "poll", reason: "the LISTEN connection was lost", close: async () => {} };
        reopenIn(WAKE_REOPEN_MS);
        void lost.close();
      },
    });
  let wake: Wake = await open();
  // True once a wake has listened: a LISTEN connection of this database was proven to work.
  let listened = wake.mode === "listen";
  if (wake.retry) reopenIn(WAKE_REOPEN_MS * 6); // the database was unreachable: try again later
  // A probe that came back proved a session connection: the ticks' statements are then always
  // named prepared statements, parsed and planned once per connection instead of every time
  // (an executor over a pool already names them by default, "auto", but gives up at the first
  // sign of a transaction-mode pooler; here there is none).
  const named = wake.mode === "listen" && e.db.named ? e.db.named() : undefined;
  const te = named ? withDb(e, named) : e;
  const wakeLine = wake.mode === "listen" ? "listen (LISTEN/NOTIFY, polling behind it)" : `poll (${wake.reason})`;
  log.info(
    {
      event: "worker_started", workerId, types: options.types ?? e.registry.names(), concurrency, batchSize,
      tickBudgetMs: w.tickBudgetMs, busyPauseMs: w.busyPauseMs, idlePauseMs: w.idlePauseMs, shutdownGraceMs: w.shutdownGraceMs,
      schema: e.config.schema, executor: e.db.kind, wake: wake.mode, ...(wake.reason ? { wakeReason: wake.reason } : {}),
      statements: te.db.statements ?? (te.db.namedStatements ? "named" : "unnamed"),
    },
    `cronbound worker started; wake: ${wakeLine}`,
  );

  /**
   * The pause between ticks, ended early by the signal or by a wake, and never past the time
   * to open the wake again: the reopen timer ends a pause already under way, but when it fires
   * during a tick there is none to end yet.
   */
  const rest = (pauseMs: number) => {
    const ms = reopenAt ? Math.min(pauseMs, Math.max(0, reopenAt - Date.now())) : pauseMs;
    // Aborted during the tick: an abort listener added now would never fire.
    return notified || signal.aborted
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer);
            signal.removeEventListener("abort", done);
            endPause = null;
            resolve();
          };
          const timer = setTimeout(done, ms);
          endPause = done;
          signal.addEventListener("abort", done, { once: true });
        });
  };

  while (!signal.aborted) {
    if (reopenAt && Date.now() >= reopenAt) {
      reopenAt = 0;
      wake = await open();
      if (wake.mode === "listen") {
        listened = true;
        reopenFailures = 0;
        log.info({ event: "wake_restored", workerId }, "listening for enqueued jobs again");
      } else {
        // After a wake that listened (the database answers LISTEN on a connection of its own),
        // a probe that did not come back is more likely a slow moment than a pooler: the first
        // retry comes 5 s later. After that, when the database was unreachable, or when no wake
        // has listened yet: every 30 s.
        const retryInMs = listened && !wake.retry && reopenFailures === 0 ? WAKE_REOPEN_MS : WAKE_REOPEN_MS * 6;
        reopenFailures++;
        log.warn({ event: "wake_reopen_failed", workerId, reason: wake.reason, retryInMs }, "could not listen again; polling until the next try");
        reopenIn(retryInMs);
      }
    }
    // A tick a notification started skips maintenance when the last one ran within an idle
    // pause: the job just enqueued starts after one claim instead of after the maintenance
    // statements, and maintenance still runs at least once per idle pause.
    const skipMaintenance = notified && Date.now() - lastMaintenance < w.idlePauseMs;
    if (!skipMaintenance) lastMaintenance = Date.now();
    notified = false;
    let report: TickReport;
    try {
      report = await runTick(te, {
        skipMaintenance,
        wakeups: (nudge) => {
          nudges.add(nudge);
          return () => nudges.delete(nudge);
        },
        budgetMs: w.tickBudgetMs,
        batchSize,
        concurrency,
        workerId,
        graceMs: options.leaseGraceMs,
        types: options.types,
        signal,
        shutdownGraceMs: w.shutdownGraceMs,
        onJob: (j) => {
          summary.jobs[j.outcome]++;
          const fields = { event: "job", workerId, type: j.type, id: j.id, attempt: j.attempt, outcome: j.outcome, durationMs: j.durationMs, ...(j.error ? { error: j.error } : {}) };
          if (j.outcome === "failed" || j.outcome === "lost") log.warn(fields);
          else log.info(fields);
        },
      });
    } catch (err) {
      failures++;
      summary.failed = true;
      const retryInMs = errorBackoffMs(failures);
      log.error({ event: "tick_failed", workerId, ...errorFields(err), failures, retryInMs }, "tick failed; retrying after a pause");
      await pause(retryInMs, signal);
      continue;
    }
    summary.ticks++;
    summary.failed = false;
    if (failures) log.info({ event: "recovered", workerId, afterFailures: failures });
    failures = 0;

    const busy = report.claimed > 0 || report.rescued > 0;
    if (busy) {
      const { maintenance: _m, ...counts } = report;
      log.info({ event: "tick", ...counts });
    }
    if (report.skippedForBudget > 0 && !warnedBudget) {
      warnedBudget = true;
      log.warn(
        { event: "skipped_for_budget", workerId, jobs: report.skippedForBudget },
        `due jobs have a timeout longer than the worker's tick budget (${w.tickBudgetMs} ms); this worker will never claim them`,
      );
    }
    await rest(busy ? w.busyPauseMs : w.idlePauseMs);
  }
  clearTimeout(reopenTimer);
  await wake.close();
  log.info({ event: "worker_stopped", workerId, ticks: summary.ticks, jobs: summary.jobs }, "cronbound worker stopped");
  return summary;
}

function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Sleep, cut short by the signal. */
async function pause(ms: number, signal: AbortSignal): Promise<void> {
  await sleep(ms, signal).catch(() => {});
}
