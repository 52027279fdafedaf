import { backoffDelay } from "./backoff.ts";
import type { AnyJobType, JobContext } from "./define.ts";
import { errorMessage, isNonRetryable, toIssues } from "./errors.ts";
import type { Job } from "./types.ts";
import type { StepApi } from "./steps/api.ts";
import { noSteps, type StepRunner, type StepRunnerFactory } from "./steps/runner.ts";
import type { Suspension } from "./steps/store.ts";

/** Why a running job's signal fired. */
export type StopKind = "timeout" | "cancelled" | "lost" | "shutdown";

/** The signal's reason, so a handler can tell a timeout from a cancel. */
export class JobStopped extends Error {
  constructor(public readonly kind: StopKind, message: string) {
    super(message);
    this.name = "JobStopped";
  }
}

/** A run ends in exactly one outcome; finalizing maps each to one transition. */
export type Outcome =
  | { kind: "completed"; result: unknown }
  | { kind: "retry"; error: string; delayMs: number }
  | { kind: "failed"; error: string }
  /** Worker shutdown: hand the attempt back uncounted. */
  | { kind: "released" }
  /** Cancelled, or lease lost, while running: the row already moved on; write nothing. */
  | { kind: "discarded"; why: "cancelled" | "lost"; reason: string }
  /** A step did not fit in the time left: back to pending, due now, the attempt not counted (engine/steps/). */
  | { kind: "continued"; suspension: Suspension }
  /** A sleep, a wait for an event or a child: back to pending until the wake time, no lease, not counted. */
  | { kind: "waiting"; suspension: Suspension };

export interface Execution {
  outcome: Promise<Outcome>;
  stop(kind: StopKind, message: string): void;
}

export interface ExecuteOptions {
  /** Epoch ms after which the tick must not be running anything. */
  deadline: number;
  progress: JobContext["progress"];
  db: JobContext["db"];
  random?: () => number;
  /** Durable steps for this attempt (steps/runner.ts); without it ctx.step and the waits reject. */
  steps?: StepRunnerFactory;
}

/**
 * execute: resolve the type, re-validate the payload, run the handler under an AbortSignal
 * that fires at min(timeout, deadline), and normalize whatever happens into one Outcome.
 * A handler that ignores its signal is raced: at the timeout the outcome is decided, and
 * whatever it returns later is discarded. Never rejects.
 *
 * The AbortController is made when someone first reads the signal (the handler's
 * `ctx.signal`, a step): a handler that never looks at it costs no controller, no abort event
 * and no JobStopped error per attempt (bench/: about a tenth of Node's CPU per no-op job).
 * Read after the attempt ended, the signal is already aborted, as it would have been.
 */
export function executeJob(job: Job, def: AnyJobType | undefined, o: ExecuteOptions): Execution {
  const a = new Attempt();
  return { outcome: run(job, def, o, a), stop: a.stop };
}

class Attempt {
  private controller: AbortController | undefined;
  private reason: JobStopped | undefined;
  private ended = false;
  private onStop: ((reason: JobStopped) => void) | undefined;
  /** Resolves with the reason when the attempt is stopped (timeout, cancel, lost lease, shutdown). */
  readonly stopped = new Promise<JobStopped>((resolve) => (this.onStop = resolve));

  readonly stop = (kind: StopKind, message: string): void => {
    if (this.reason) return;
    this.reason = new JobStopped(kind, message);
    this.controller?.abort(this.reason);
    this.onStop?.(this.reason);
  };

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (!this.reason && this.ended) this.reason = new JobStopped("timeout", "the attempt already ended");
      if (this.reason) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  /** The attempt is over: tell a handler still running (one that read its signal) to give up. */
  end(): void {
    this.ended = true;
    if (this.controller) this.stop("timeout", "the attempt already ended");
  }
}

async function run(job: Job, def: AnyJobType | undefined, o: ExecuteOptions, a: Attempt): Promise<Outcome> {
  if (!def) return { kind: "failed", error: `unknown job type "${job.type}": no handler is registered for it` };

  const parsed = def.schema.safeParse(job.payload);
  if (!parsed.success) {
    // Retrying cannot fix a payload; fail once, with the reason, and keep the remaining attempts.
    const issues = toIssues(parsed.error).map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
    return { kind: "failed", error: `payload no longer matches the schema of "${job.type}": ${issues.join("; ")}` };
  }

  const limitMs = Math.max(0, Math.min(job.timeoutMs, o.deadline - Date.now()));
  const timer = setTimeout(() => a.stop("timeout", `timed out after ${limitMs} ms (attempt ${job.attempts} of ${job.maxAttempts})`), limitMs);
  const stopped = a.stopped;
  // The step runner is made on the first step call: most handlers never use steps, and an
  // attempt without one costs no runner (no stored steps read, nothing to wait for at the end).
  const attemptEnd = Date.now() + limitMs;
  let steps: StepRunner | undefined;
  let over = false;
  const runner = (): StepApi => {
    if (!o.steps) return noSteps;
    if (!steps) {
      steps = o.steps(job, {
        attemptEnd,
        get signal() {
          return a.signal;
        },
        stop: a.stop,
      });
      // A first step call after the attempt ended is refused like any later one: finish()
      // marks the runner ended before its first await.
      if (over) void steps.finish(stopped);
    }
    return steps.api;
  };
  const ctx: JobContext = {
    get signal() {
      return a.signal;
    },
    job,
    db: o.db,
    progress: o.progress,
    step: (id, fn, options) => runner().step(id, fn, options),
    sleep: (id, duration) => runner().sleep(id, duration),
    waitForEvent: (id, options) => runner().waitForEvent(id, options),
    invoke: (id, type, payload, options) => runner().invoke(id, type, payload, options),
  };
  const handled = Promise.resolve()
    .then(() => def.handler(parsed.data, ctx))
    .then(
      (result) => ({ ok: true as const, result }),
      (error: unknown) => ({ ok: false as const, error }),
    );

  try {
    const first = await Promise.race([handled, stopped]);
    over = true;
    // A step that suspended the attempt decides its outcome, whatever the handler did with it.
    // (`steps` is assigned inside runner(), which the compiler's narrowing cannot see.)
    const suspension = steps ? await (steps as StepRunner).finish(stopped) : null;
    if (first instanceof JobStopped && (first.kind === "cancelled" || first.kind === "lost")) {
      return { kind: "discarded", why: first.kind, reason: first.message };
    }
    if (suspension) return { kind: suspension.waits.length || suspension.existing.length ? "waiting" : "continued", suspension };
    if (first instanceof JobStopped) {
      if (first.kind === "shutdown") return { kind: "released" };
      return failure(job, def, first.message, false, o.random);
    }
    if (first.ok) return { kind: "completed", result: first.result };
    return failure(job, def, errorMessage(first.error), isNonRetryable(first.error), o.random);
  } finally {
    clearTimeout(timer);
    a.end();
  }
}

function failure(job: Job, def: AnyJobType, error: string, permanent: boolean, random?: () => number): Outcome {
  if (permanent || job.attempts >= job.maxAttempts) return { kind: "failed", error };
  return { kind: "retry", error, delayMs: backoffDelay(job.attempts, def.backoff, random) };
}
