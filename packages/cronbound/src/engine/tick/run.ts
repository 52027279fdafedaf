import os from "node:os";
import { randomBytes } from "node:crypto";
import { errorFields } from "../../logger.ts";
import { countSkippedForBudget } from "../claim.ts";
import type { Engine } from "../context.ts";
import { releaseDependentsOf } from "../dependencies.ts";
import { countHeldBack } from "../flow/claim.ts";
import { executeJob, type Execution, type Outcome } from "../execute.ts";
import { runMaintenance, type MaintenanceOptions } from "../maintenance.ts";
import { observeTick, type TickObserver } from "../observe.ts";
import { progressWriter, type ProgressWriter } from "../progress.ts";
import { stepRunnerFactory } from "../steps/runner.ts";
import type { Job, TickReport } from "../types.ts";
import { watchRunning } from "../watch.ts";
import { Completer } from "./completer.ts";
import { settle, type Settled } from "./settle.ts";

export interface TickOptions {
  /** Time this tick may take, ms. It never starts a job whose timeout does not fit in what is left. */
  budgetMs: number;
  /**
   * Most jobs one claim statement takes. Default: config.batchSize, else `concurrency`, so a
   * claim fills the free slots in one statement (bench/, concurrency 50: batch 50 drains 2-3x
   * faster than batch 10, whose claims take turns one round trip each).
   */
  batchSize?: number;
  /** Jobs run at once. Default: config.concurrency (10). */
  concurrency?: number;
  /** Written into every lease; stable per worker process. Default: host-pid-random. */
  workerId?: string;
  /** Run only these job types. */
  types?: string[];
  /** Lease = timeout + graceMs. Default: config.leaseGraceMs (15 s). */
  graceMs?: number;
  /** Skip maintenance (rescue, schedules, dependencies, retention). Default: run it. */
  skipMaintenance?: boolean;
  /** Retention settings for maintenance; default: config.retention. */
  retention?: MaintenanceOptions["retention"];
  /** Aborting stops claiming; running jobs get `shutdownGraceMs` to finish, then are released. */
  signal?: AbortSignal;
  /** Default: config.worker.shutdownGraceMs (8 s). */
  shutdownGraceMs?: number;
  /** How often running jobs are checked for a cancel or a lost lease, ms. Default 2000. */
  watchIntervalMs?: number;
  /** Injected clock for every SQL timestamp (tests); default the database's now(). */
  now?: Date;
  /** One event per finished attempt, for structured logs. */
  onJob?: (event: JobEvent) => void;
  /**
   * The worker's wake on enqueue: called once with a function that makes the tick look for
   * claimable jobs again (when a slot is free); returns what unsubscribes it.
   */
  wakeups?: (nudge: () => void) => () => void;
  random?: () => number;
}

export interface JobEvent {
  id: string;
  type: string;
  attempt: number;
  outcome: Settled;
  durationMs: number;
  error?: string;
}

export function defaultWorkerId(): string {
  return `${os.hostname()}-${process.pid}-${randomBytes(3).toString("hex")}`;
}

// The report field each settled attempt is counted in.
const COUNTED: Record<Settled, "completed" | "retried" | "failed" | "released" | "cancelled" | "lost" | "continued" | "waiting"> = {
  completed: "completed",
  continued: "continued",
  waiting: "waiting",
  retry: "retried",
  failed: "failed",
  released: "released",
  discarded: "cancelled",
  lost: "lost",
};

/**
 * tick: maintenance, then claim/execute/finalize until the budget is spent or nothing
 * claimable fits. The cron route, the manual trigger, the kick, the worker and the tests all
 * run this one function.
 *
 * Errors: a finalize write that fails (the database went away) leaves the job processing
 * under its lease, so rescue brings it back: at-least-once, never lost. The tick still lets
 * every running job settle, then rethrows the first database error so callers can report it.
 */
export async function runTick(e: Engine, options: TickOptions): Promise<TickReport> {
  // Spans and attempt metrics (observe.ts): hooks at the claim, the start and the settling of
  // each attempt, and here at the end.
  const o = { ...options, workerId: options.workerId ?? defaultWorkerId() };
  const observer = observeTick(e, { workerId: o.workerId, budgetMs: o.budgetMs, types: o.types, now: o.now, maintenance: !o.skipMaintenance });
  let report: TickReport;
  try {
    report = await tickObserved(e, o, observer);
  } catch (err) {
    await observer.end(undefined, err);
    throw err;
  }
  await observer.end(report);
  return report;
}

async function tickObserved(e: Engine, options: TickOptions, observer: TickObserver): Promise<TickReport> {
  const started = Date.now();
  const deadline = started + options.budgetMs;
  const workerId = options.workerId ?? defaultWorkerId();
  const concurrency = options.concurrency ?? e.config.concurrency;
  const batchSize = options.batchSize ?? e.config.batchSize ?? concurrency;
  const graceMs = options.graceMs ?? e.config.leaseGraceMs;
  const now = options.now;
  const report: TickReport = {
    workerId, claimed: 0, completed: 0, retried: 0, failed: 0, rescued: 0, lost: 0, released: 0,
    continued: 0, waiting: 0, cancelled: 0, skippedForBudget: 0, heldBack: 0, maintenance: {}, durationMs: 0,
  };
  const addMaintenance = (counts: Record<string, number>) => {
    for (const [k, v] of Object.entries(counts)) report.maintenance[k] = (report.maintenance[k] ?? 0) + v;
  };

  if (!options.skipMaintenance) {
    const m = await runMaintenance(e, { now, retention: options.retention });
    report.rescued = m.rescued;
    report.maintenance = m.steps;
  }

  const running = new Map<string, { job: Job; exec: Execution; done: Promise<void> }>();
  // Every started job until its finalize write has landed (running, then settling).
  const settling = new Set<Promise<void>>();
  const completer = new Completer(e, workerId, now);
  const steps = stepRunnerFactory(e, workerId, now);
  const finishedSinceRelease: string[] = [];
  // Work that became due after the last claim looked: a continued job (due now), a wait that
  // ended as it began (an event or a child already there), a parent woken by its child's end.
  let lookAgain = false;
  let firstError: unknown;
  let wake: () => void = () => {};
  const woken = () => new Promise<void>((resolve) => (wake = resolve));

  // Dependents of jobs that finished move on now, not at the next maintenance sweep.
  const releaseFinished = async () => {
    const settled = await releaseDependentsOf(e, finishedSinceRelease.splice(0), { now });
    addMaintenance({ unblocked: settled.unblocked, dependentsCancelled: settled.cancelled });
    return settled.unblocked;
  };

  const finalize = async (job: Job, outcome: Outcome, startedAt: number) => {
    let settled: Settled;
    try {
      settled = await settle(e, completer, workerId, job, outcome, now);
      (report[COUNTED[settled]] as number)++;
      if (settled === "completed" || settled === "failed") finishedSinceRelease.push(job.id);
      if (settled === "continued" || settled === "waiting" || ((settled === "completed" || settled === "failed") && job.parentId)) lookAgain = true;
    } catch (err) {
      firstError ??= err;
      settled = outcome.kind; // not lost: the lease is intact and rescue will bring the job back
      e.log.error(
        { event: "finalize_failed", jobId: job.id, type: job.type, outcome: outcome.kind, ...errorFields(err) },
        `finalizing job ${job.id} failed; its lease will expire and it will run again`,
      );
    }
    observer.settled(job, settled, outcome, Date.now() - startedAt);
    options.onJob?.({
      id: job.id, type: job.type, attempt: job.attempts, outcome: settled,
      durationMs: Date.now() - startedAt, error: "error" in outcome ? outcome.error : undefined,
    });
  };

  const start = (job: Job) => {
    const startedAt = Date.now();
    // Made on the first ctx.progress call: most handlers never report progress.
    let progress: ProgressWriter | undefined;
    const exec = observer.execute(job, () => executeJob(job, e.registry.get(job.type), {
      deadline,
      progress: (value) => (progress ??= progressWriter(e, workerId, job, now)).report(value),
      db: e.db,
      random: options.random,
      steps,
    }));
    const done: Promise<void> = exec.outcome
      .then(async (outcome) => {
        // The slot is free once the handler is done: its write goes on in the background
        // (batched by the Completer, or carried by the next claim) while the loop claims the
        // next jobs, instead of the claim waiting for every completion to land first.
        running.delete(job.id);
        wake();
        if (progress) await progress.flush().catch(() => {});
        await finalize(job, outcome, startedAt);
      })
      .finally(() => {
        // A continued job may already run again here, claimed by the next slice: leave its entry.
        if (running.get(job.id)?.exec === exec) running.delete(job.id);
        settling.delete(done);
        wake();
      });
    running.set(job.id, { job, exec, done });
    settling.add(done);
  };

  // Worker shutdown: stop claiming at once; after the grace period, stop what still runs.
  let stopping = options.signal?.aborted ?? false;
  let shutdownTimer: NodeJS.Timeout | undefined;
  const onAbort = () => {
    stopping = true;
    wake();
    shutdownTimer = setTimeout(() => {
      for (const r of running.values()) r.exec.stop("shutdown", "worker shutting down");
    }, options.shutdownGraceMs ?? e.config.worker.shutdownGraceMs);
  };
  if (stopping) onAbort();
  else options.signal?.addEventListener("abort", onAbort, { once: true });

  const watcher = watchRunning(e, workerId, () => running, options.watchIntervalMs ?? 2_000);

  // Refill when half the slots are free, so a busy tick claims in batches, not one by one.
  const refillAt = Math.max(1, Math.floor(Math.min(batchSize, concurrency) / 2));
  let drained = false;
  const unsubscribe = options.wakeups?.(() => {
    drained = false;
    wake();
  });
  try {
    while (!stopping && firstError === undefined) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      // At most `concurrency` handlers run, and at most `concurrency` more jobs wait for their
      // finalize write: a slow database slows claiming instead of piling up finished jobs.
      const free = Math.min(concurrency - running.size, 2 * concurrency - settling.size);
      if (!drained && free > 0 && (running.size === 0 || free >= refillAt)) {
        const limit = Math.min(batchSize, free);
        const jobs = await observer.claim(limit, () => completer.claim({ workerId, limit, maxTimeoutMs: left, graceMs, types: options.types, now }));
        report.claimed += jobs.length;
        for (const job of jobs) start(job);
        if (jobs.length === limit) continue;
        // The queue ran dry: release the dependents of jobs that finished meanwhile, so a chain
        // A -> B -> C runs in this tick instead of one cron minute per link.
        if (finishedSinceRelease.length && (await releaseFinished())) continue;
        if (lookAgain) {
          lookAgain = false;
          continue;
        }
        drained = true; // nothing more claimable right now; look again when a job ends
      }
      if (settling.size === 0) break;
      await woken();
      drained = false;
    }
  } catch (err) {
    firstError ??= err;
  } finally {
    await Promise.all([...settling]);
    await completer.idle();
    watcher.stop();
    unsubscribe?.();
    clearTimeout(shutdownTimer);
    options.signal?.removeEventListener("abort", onAbort);
  }

  if (firstError !== undefined) throw firstError;
  // Jobs that finished after the last release (the budget ran out): their dependents need not wait for the sweep.
  if (finishedSinceRelease.length) await releaseFinished();
  if (!stopping) {
    const left = Math.max(0, deadline - Date.now());
    report.skippedForBudget = await countSkippedForBudget(e, left, options.types, now);
    report.heldBack = await countHeldBack(e, left, options.types, now);
  }
  report.durationMs = Date.now() - started;
  return report;
}
