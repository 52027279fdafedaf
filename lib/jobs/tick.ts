import os from "node:os";
import { randomBytes } from "node:crypto";
import type { Db } from "../db.ts";
import type { PrismaClient } from "../generated/prisma/client.ts";
import { claimJobs, claimJobsCompleting, countSkippedForBudget, type ClaimOptions } from "./claim.ts";
import type { Registry } from "./define.ts";
import { executeJob, type Execution, type Outcome } from "./execute.ts";
import { completeAttempts, failAttempt, releaseAttempts, retryAttempt, type Attempt } from "./finalize.ts";
import { releaseDependentsOf } from "./dependencies.ts";
import { runMaintenance, type MaintenanceOptions } from "./maintenance.ts";
import { progressWriter } from "./progress.ts";
import { watchRunning } from "./watch.ts";
import type { Job, TickReport } from "./types.ts";

export interface TickOptions {
  /** Time this tick may take, ms. It never starts a job whose timeout does not fit in what is left. */
  budgetMs: number;
  /**
   * Most jobs one claim statement takes. Default: `concurrency`, so a claim fills the free
   * slots in one statement (bench/, concurrency 50: batch 50 drains 2-3x faster than batch 10,
   * whose claims take turns one round trip each).
   */
  batchSize?: number;
  /** Jobs run at once. Default 10. */
  concurrency?: number;
  /** Written into every lease; stable per worker process. Default: host-pid-random. */
  workerId?: string;
  /** Run only these job types. */
  types?: string[];
  /** Lease = timeout + graceMs. Default 15 s. */
  graceMs?: number;
  /** Skip maintenance (rescue, schedules, dependencies, retention). Default: run it. */
  skipMaintenance?: boolean;
  /** Retention settings for maintenance; default RETENTION_* from the environment, else 7 d / 30 d / 1000. */
  retention?: MaintenanceOptions["retention"];
  /** Aborting stops claiming; running jobs get `shutdownGraceMs` to finish, then are released. */
  signal?: AbortSignal;
  /** Default 10 s. */
  shutdownGraceMs?: number;
  /** How often running jobs are checked for a cancel or a lost lease, ms. Default 2000. */
  watchIntervalMs?: number;
  /** Injected clock for every SQL timestamp (tests); default the database's now(). */
  now?: Date;
  /** One event per finished attempt, for structured logs. */
  onJob?: (event: JobEvent) => void;
  random?: () => number;
}

export interface JobEvent {
  id: string;
  type: string;
  attempt: number;
  outcome: Outcome["kind"] | "lost";
  durationMs: number;
  error?: string;
}

export function defaultWorkerId(): string {
  return `${os.hostname()}-${process.pid}-${randomBytes(3).toString("hex")}`;
}

/**
 * tick: maintenance, then claim/execute/finalize until the budget is spent or nothing
 * claimable fits. The cron route, the manual trigger, the kick, the worker and the tests all
 * run this one function.
 *
 * Errors: a finalize write that fails (the database went away) leaves the job processing
 * under its lease, so rescue brings it back: at-least-once, never lost. The tick still lets
 * every running job settle, then rethrows the first database error so callers can report it.
 */
export async function runTick(db: Db, registry: Registry, options: TickOptions): Promise<TickReport> {
  const started = Date.now();
  const deadline = started + options.budgetMs;
  const workerId = options.workerId ?? defaultWorkerId();
  const concurrency = options.concurrency ?? 10;
  const batchSize = options.batchSize ?? concurrency;
  const graceMs = options.graceMs ?? 15_000;
  const now = options.now;
  const report: TickReport = {
    workerId, claimed: 0, completed: 0, retried: 0, failed: 0, rescued: 0, lost: 0, released: 0,
    cancelled: 0, skippedForBudget: 0, maintenance: {}, durationMs: 0,
  };

  if (!options.skipMaintenance) {
    const m = await runMaintenance(db, { now, registry, retention: options.retention });
    report.rescued = m.rescued;
    report.maintenance = m.steps;
  }

  const running = new Map<string, { job: Job; exec: Execution; done: Promise<void> }>();
  // Every started job until its finalize write has landed (running, then settling).
  const settling = new Set<Promise<void>>();
  const completer = new Completer(db, workerId, now);
  const finishedSinceRelease: string[] = [];
  let firstError: unknown;
  let wake: () => void = () => {};
  const woken = () => new Promise<void>((resolve) => (wake = resolve));

  const finalize = async (job: Job, outcome: Outcome, startedAt: number) => {
    const a: Attempt = { id: job.id, attempt: job.attempts };
    let landed = true;
    try {
      switch (outcome.kind) {
        case "completed":
          landed = await completer.complete(a, outcome.result);
          if (landed) report.completed++;
          if (landed) finishedSinceRelease.push(job.id);
          break;
        case "retry":
          landed = await retryAttempt(db, workerId, a, outcome.error, outcome.delayMs, now);
          if (landed) report.retried++;
          break;
        case "failed":
          landed = await failAttempt(db, workerId, a, outcome.error, now);
          if (landed) report.failed++;
          if (landed) finishedSinceRelease.push(job.id);
          break;
        case "released":
          landed = (await releaseAttempts(db, workerId, [a], now)).has(a.id);
          if (landed) report.released++;
          break;
        case "discarded":
          if (outcome.why === "cancelled") report.cancelled++;
          else landed = false;
          break;
      }
    } catch (err) {
      firstError ??= err;
      landed = true; // not lost: the lease is intact and rescue will bring the job back
      console.error(`[cronbound] finalizing job ${job.id} (${outcome.kind}) failed; its lease will expire and it will be retried:`, err);
    }
    if (!landed) report.lost++;
    options.onJob?.({
      id: job.id, type: job.type, attempt: job.attempts, outcome: landed ? outcome.kind : "lost",
      durationMs: Date.now() - startedAt, error: "error" in outcome ? outcome.error : undefined,
    });
  };

  const start = (job: Job) => {
    const startedAt = Date.now();
    const progress = progressWriter(db, workerId, job, now);
    const exec = executeJob(job, registry.get(job.type), {
      deadline,
      progress: progress.report,
      db: db as PrismaClient,
      random: options.random,
    });
    const done: Promise<void> = exec.outcome
      .then(async (outcome) => {
        // The slot is free once the handler is done: its write goes on in the background
        // (batched by the Completer, or carried by the next claim) while the loop claims the
        // next jobs, instead of the claim waiting for every completion to land first.
        running.delete(job.id);
        wake();
        await progress.flush().catch(() => {});
        await finalize(job, outcome, startedAt);
      })
      .finally(() => {
        running.delete(job.id);
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
    }, options.shutdownGraceMs ?? 10_000);
  };
  if (stopping) onAbort();
  else options.signal?.addEventListener("abort", onAbort, { once: true });

  const watcher = watchRunning(db, workerId, () => running, options.watchIntervalMs ?? 2_000);

  // Refill when half the slots are free, so a busy tick claims in batches, not one by one.
  const refillAt = Math.max(1, Math.floor(Math.min(batchSize, concurrency) / 2));
  let drained = false;
  try {
    while (!stopping && firstError === undefined) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      // At most `concurrency` handlers run, and at most `concurrency` more jobs wait for their
      // finalize write: a slow database slows claiming instead of piling up finished jobs.
      const free = Math.min(concurrency - running.size, 2 * concurrency - settling.size);
      if (!drained && free > 0 && (running.size === 0 || free >= refillAt)) {
        const limit = Math.min(batchSize, free);
        const jobs = await completer.claim({ workerId, limit, maxTimeoutMs: left, graceMs, types: options.types, now });
        report.claimed += jobs.length;
        for (const job of jobs) start(job);
        if (jobs.length === limit) continue;
        // The queue ran dry: release the dependents of jobs that finished meanwhile, so a chain
        // A -> B -> C runs in this tick instead of one cron minute per link.
        if (finishedSinceRelease.length) {
          const settled = await releaseDependentsOf(db, finishedSinceRelease.splice(0), { now });
          report.maintenance.unblocked = (report.maintenance.unblocked ?? 0) + settled.unblocked;
          report.maintenance.dependentsCancelled = (report.maintenance.dependentsCancelled ?? 0) + settled.cancelled;
          if (settled.unblocked) continue;
        }
        drained = true; // nothing more claimable right now; look again when a job ends
      }
      if (settling.size === 0) break;
      const signal = woken();
      await signal;
      drained = false;
    }
  } catch (err) {
    firstError ??= err;
  } finally {
    await Promise.all([...settling]);
    await completer.idle();
    watcher.stop();
    clearTimeout(shutdownTimer);
    options.signal?.removeEventListener("abort", onAbort);
  }

  if (firstError !== undefined) throw firstError;
  if (finishedSinceRelease.length) {
    // Jobs that finished after the last release (the budget ran out): their dependents need not wait for the sweep.
    const settled = await releaseDependentsOf(db, finishedSinceRelease.splice(0), { now });
    report.maintenance.unblocked = (report.maintenance.unblocked ?? 0) + settled.unblocked;
    report.maintenance.dependentsCancelled = (report.maintenance.dependentsCancelled ?? 0) + settled.cancelled;
  }
  if (!stopping) report.skippedForBudget = await countSkippedForBudget(db, Math.max(0, deadline - Date.now()), options.types, now);
  report.durationMs = Date.now() - started;
  return report;
}

/**
 * Batches completions: a job that finishes while a completion write is in flight waits for
 * it and goes out with the others in the next statement. Idle, the write starts on the next
 * turn of the event loop (setImmediate), so jobs of one claim that finish together share one
 * statement instead of the first going alone; busy, N finishing jobs cost one round trip
 * instead of N. Each row is still fenced.
 *
 * When the tick is about to claim, the waiting completions ride along in the claim statement
 * instead (claimJobsCompleting): "finish these, take the next ones" is one round trip and one
 * commit. A no-op drain at concurrency 10 then costs one statement per 10 jobs instead of two.
 */
class Completer {
  private queue: { a: Attempt; result: unknown; resolve: (ok: boolean) => void; reject: (e: unknown) => void }[] = [];
  private flushing: Promise<void> | null = null;
  /** A claim is about to carry the queue (or is carrying it): no separate write for it. */
  private claiming = false;

  constructor(private db: Db, private workerId: string, private now?: Date) {}

  complete(a: Attempt, result: unknown): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.queue.push({ a, result, resolve, reject });
      this.schedule();
    });
  }

  /** claimJobs, carrying whatever completions are waiting (not those already being written). */
  async claim(o: ClaimOptions): Promise<Job[]> {
    this.claiming = true;
    try {
      await nextTurn(); // jobs that just ended queue their completions in this turn
      const batch = this.queue.splice(0, 500);
      if (!batch.length) return await claimJobs(this.db, o);
      try {
        const { jobs, completed } = await claimJobsCompleting(this.db, o, batch.map((b) => ({ ...b.a, result: b.result })));
        for (const b of batch) b.resolve(completed.has(b.a.id));
        return jobs;
      } catch (err) {
        for (const b of batch) b.reject(err);
        throw err;
      }
    } finally {
      this.claiming = false;
      this.schedule();
    }
  }

  async idle(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private schedule(): void {
    if (this.claiming || this.flushing || !this.queue.length) return;
    this.flushing = nextTurn().then(() => this.flush());
  }

  private async flush(): Promise<void> {
    while (this.queue.length && !this.claiming) {
      const batch = this.queue.splice(0, 500);
      try {
        const done = await completeAttempts(this.db, this.workerId, batch.map((b) => ({ ...b.a, result: b.result })), this.now);
        for (const b of batch) b.resolve(done.has(b.a.id));
      } catch (err) {
        for (const b of batch) b.reject(err);
      }
    }
    this.flushing = null;
  }
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
