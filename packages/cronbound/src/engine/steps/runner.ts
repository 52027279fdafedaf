import type { Engine } from "../context.ts";
import { EnqueueError, errorMessage } from "../errors.ts";
import { prepareJob } from "../enqueue.ts";
import { JobStopped, type StopKind } from "../execute.ts";
import type { Job } from "../types.ts";
import type { InvokeOptions, StepApi, StepOptions, WaitForEventOptions } from "./api.ts";
import {
  ChildJobFailed,
  checkStepId,
  encodeJson,
  eventNameProblem,
  JobSuspended,
  MAX_MATCH_BYTES,
  MAX_WAIT_MS,
  StepError,
  waitMsProblem,
} from "./limits.ts";
import {
  enqueueChild,
  findEvent,
  loadSteps,
  readStep,
  writeStep,
  type ChildState,
  type ExistingWait,
  type Lease,
  type Loaded,
  type NewWait,
  type StepKind,
  type StepWrite,
  type StoredStep,
  type Suspension,
} from "./store.ts";

/** What the executor gives the runner of one attempt. */
export interface AttemptControl {
  /** Epoch ms when the attempt's signal fires: min(its timeout, the tick's deadline). */
  attemptEnd: number;
  signal: AbortSignal;
  stop(kind: StopKind, message: string): void;
}

export interface StepRunner {
  api: StepApi;
  /**
   * The handler has settled (or was stopped): wait for step work already started (its result
   * writes), bounded by `stopped`, and say whether the attempt suspended.
   */
  finish(stopped: Promise<unknown>): Promise<Suspension | null>;
}

/** Made once per attempt by the tick (tick/run.ts) and handed to executeJob. */
export type StepRunnerFactory = (job: Job, control: AttemptControl) => StepRunner;

export function stepRunnerFactory(e: Engine, workerId: string, now?: Date): StepRunnerFactory {
  return (job, control) => new Runner(e, { workerId, job }, control, now);
}

/** The step API of a run without a runner (executeJob called directly, without `steps`). */
export const noSteps: StepApi = {
  step: () => Promise.reject(missing()),
  sleep: () => Promise.reject(missing()),
  waitForEvent: () => Promise.reject(missing()),
  invoke: () => Promise.reject(missing()),
};

function missing(): Error {
  return new StepError("durable steps need the tick's step runner: run jobs with runTick (or pass `steps` to executeJob)");
}

/**
 * The steps of one attempt. A handler runs from the top on every attempt and every resumption;
 * each step, sleep, wait and invoke looks up its id among the job's stored steps (read once, on
 * the first call) and returns what is stored, or does its work now and stores it.
 *
 * A call that must wait (a sleep, an event not yet sent, a child not yet finished) or that would
 * not fit in the time left records why and rejects with JobSuspended; the attempt's outcome is
 * then the suspension (finish()), written by suspendAttempt with every wait of this run. Calls
 * made before a suspension still do their work (Promise.all over invokes enqueues every child in
 * the first attempt); calls made after it do nothing.
 */
class Runner implements StepRunner {
  private loading?: Promise<Loaded & { localAt: number }>;
  private readonly seen = new Set<string>();
  private readonly inflight = new Set<Promise<unknown>>();
  private continued = false;
  private readonly waits: NewWait[] = [];
  private readonly existing: ExistingWait[] = [];
  /** Steps that ran their function in this attempt (not replayed). */
  private ran = 0;
  private ended = false;

  constructor(
    private readonly e: Engine,
    private readonly lease: Lease,
    private readonly control: AttemptControl,
    private readonly now?: Date,
  ) {}

  readonly api: StepApi = {
    step: (id, fn, options) => this.track(() => this.step(id, fn, options)),
    sleep: (id, duration) => this.track(() => this.sleep(id, duration)),
    waitForEvent: (id, options) => this.track(() => this.waitForEvent(id, options)),
    invoke: (id, type, payload, options) => this.track(() => this.invoke(id, type, payload, options)),
  } as StepApi;

  async finish(stopped: Promise<unknown>): Promise<Suspension | null> {
    this.ended = true;
    if (this.inflight.size) await Promise.race([Promise.allSettled([...this.inflight]), stopped]);
    if (!this.suspending()) return null;
    return { continued: this.continued, waits: [...this.waits], existing: [...this.existing] };
  }

  private get job() {
    return this.lease.job as Job;
  }

  private suspending(): boolean {
    return this.continued || this.waits.length > 0 || this.existing.length > 0;
  }

  private track<T>(op: () => Promise<T>): Promise<T> {
    const p = op();
    this.inflight.add(p);
    p.then(
      () => this.inflight.delete(p),
      () => this.inflight.delete(p),
    );
    return p;
  }

  /** Checks made when the call is made (synchronously, before any await). */
  private begin(id: unknown): string {
    const sid = checkStepId(id);
    if (this.ended) throw new StepError(`step "${sid}" was called after its attempt ended; await every step inside the handler`);
    if (this.seen.has(sid)) {
      throw new StepError(`step id "${sid}" is used twice in one run; each step, sleep, wait and invoke needs its own id (in a loop: \`send-\${i}\`)`);
    }
    this.seen.add(sid);
    if (this.suspending()) throw new JobSuspended(`step "${sid}" was not started: this attempt is already ending (the job waits or continues)`);
    return sid;
  }

  private load() {
    this.loading ??= loadSteps(this.e, this.job.id, this.now).then((l) => ({ ...l, localAt: Date.now() }));
    return this.loading;
  }

  private stored(steps: Map<string, StoredStep>, id: string, kind: StepKind): StoredStep | undefined {
    const s = steps.get(id);
    if (s && s.kind !== kind) {
      throw new StepError(`step id "${id}" was a ${s.kind} step in an earlier run of this job and is a ${kind} step now; a step id must name the same step in every run`);
    }
    return s;
  }

  private suspend(message: string): never {
    throw new JobSuspended(message);
  }

  /** A fenced write: false when the lease is gone (the caller then stops the attempt as lost). */
  private async write(w: StepWrite, over: "unfinished" | "waiting"): Promise<boolean> {
    return writeStep(this.e, this.lease, w, over, this.now);
  }

  private lost(what: string): never {
    const message = `lease lost: ${what} found the job no longer held by this attempt`;
    this.control.stop("lost", message);
    throw new JobStopped("lost", message);
  }

  private async step<T>(id: string, fn: (step: { signal: AbortSignal }) => Promise<T> | T, options?: StepOptions): Promise<T> {
    const sid = this.begin(id);
    if (typeof fn !== "function") throw new StepError(`step "${sid}" needs a function to run`);
    const timeoutMs = this.stepTimeout(sid, options?.timeoutMs);
    const { steps } = await this.load();
    const s = this.stored(steps, sid, "run");
    if (s?.status === "completed") return s.result as T;

    // Continuation: the first new step of an attempt always runs (the claim made sure the job's
    // timeout fits); a later one starts only if its declared time fits in what is left.
    if (this.ran > 0 && this.control.attemptEnd - Date.now() < timeoutMs) {
      this.continued = true;
      this.suspend(`step "${sid}" (up to ${timeoutMs} ms) does not fit in the ${Math.max(0, this.control.attemptEnd - Date.now())} ms this attempt has left; the job continues in its next slice`);
    }
    this.ran++;
    const started = Date.now();
    let value: T;
    try {
      value = await fn({ signal: AbortSignal.any([this.control.signal, AbortSignal.timeout(timeoutMs)]) });
    } catch (err) {
      if (err instanceof JobSuspended || err instanceof JobStopped) throw err;
      await this.recordFailure(sid, "run", errorMessage(err), Date.now() - started);
      throw err;
    }
    const durationMs = Date.now() - started;
    const enc = encodeJson(value);
    if (!enc.ok) {
      const err = new StepError(`step "${sid}" returned a value that ${enc.problem}`);
      await this.recordFailure(sid, "run", errorMessage(err), durationMs);
      throw err;
    }
    if (!(await this.write({ stepId: sid, kind: "run", status: "completed", json: enc.json, bytes: enc.bytes, durationMs }, "unfinished"))) {
      this.lost(`storing the result of step "${sid}"`);
    }
    return JSON.parse(enc.json) as T;
  }

  private async recordFailure(stepId: string, kind: StepKind, error: string, durationMs: number | null, extra: Partial<StepWrite> = {}): Promise<void> {
    // Kept for the job's timeline; a failed step runs again on the next attempt.
    const ok = await this.write({ stepId, kind, status: "failed", json: null, bytes: null, error: error.slice(0, 4_000), durationMs, ...extra }, "unfinished");
    if (!ok) this.lost(`recording the failure of step "${stepId}"`);
  }

  private stepTimeout(sid: string, given: unknown): number {
    if (given === undefined) return this.job.timeoutMs;
    if (typeof given !== "number" || !Number.isInteger(given) || given <= 0) {
      throw new StepError(`step "${sid}": timeoutMs must be a positive whole number of milliseconds, got ${String(given)}`);
    }
    return Math.min(given, this.job.timeoutMs);
  }

  private async sleep(id: string, duration: number | Date): Promise<void> {
    const sid = this.begin(id);
    let ms: number | undefined;
    let until: Date | undefined;
    if (duration instanceof Date) {
      if (Number.isNaN(duration.getTime())) throw new StepError(`sleep "${sid}": the wake time is an invalid Date`);
      until = duration;
    } else {
      const problem = waitMsProblem(duration);
      if (problem) throw new StepError(`sleep "${sid}": the duration ${problem}`);
      ms = duration;
    }
    const { steps, dbNow, localAt } = await this.load();
    const s = this.stored(steps, sid, "sleep");
    if (s) {
      if (s.status !== "waiting") return;
      if (s.due) {
        if (!(await this.write({ stepId: sid, kind: "sleep", status: "completed", json: "null", bytes: 4 }, "waiting"))) this.lost(`ending sleep "${sid}"`);
        return;
      }
      this.existing.push({ kind: "sleep", stepId: sid });
      this.suspend(`sleep "${sid}" lasts until ${s.wakeAt?.toISOString()}`);
    }
    if (until) {
      const dbMs = dbNow.getTime() + (Date.now() - localAt);
      if (until.getTime() <= dbMs) {
        throw new StepError(`sleep "${sid}" until ${until.toISOString()} is in the past (the database's clock says ${new Date(dbMs).toISOString()})`);
      }
      if (until.getTime() - dbMs > MAX_WAIT_MS) throw new StepError(`sleep "${sid}" until ${until.toISOString()} is more than 366 days away`);
    }
    this.waits.push({ kind: "sleep", stepId: sid, ms, until });
    this.suspend(`sleep "${sid}" begins`);
  }

  private async waitForEvent<T>(id: string, options: WaitForEventOptions): Promise<T | null> {
    const sid = this.begin(id);
    if (!options || typeof options !== "object") throw new StepError(`waitForEvent "${sid}" needs { event, timeoutMs, match? }`);
    const nameProblem = eventNameProblem(options.event);
    if (nameProblem) throw new StepError(`waitForEvent "${sid}": ${nameProblem}`);
    const timeoutProblem = waitMsProblem(options.timeoutMs);
    if (timeoutProblem) throw new StepError(`waitForEvent "${sid}": timeoutMs ${timeoutProblem}`);
    let match: string | null = null;
    if (options.match !== undefined && options.match !== null) {
      if (typeof options.match !== "object" || Array.isArray(options.match)) throw new StepError(`waitForEvent "${sid}": match must be a plain object`);
      const enc = encodeJson(options.match, MAX_MATCH_BYTES);
      if (!enc.ok) throw new StepError(`waitForEvent "${sid}": match ${enc.problem}`);
      match = enc.json;
    }
    const event = options.event;
    const { steps } = await this.load();
    const s = this.stored(steps, sid, "event");
    if (s) {
      if (s.status !== "waiting") return s.result as T | null;
      if (!s.due) {
        this.existing.push({ kind: "event", stepId: sid, event: s.event ?? event });
        this.suspend(`waitForEvent "${sid}" waits for "${s.event}" until ${s.wakeAt?.toISOString()}`);
      }
      // Timed out, unless an event resumed it just now: the write only replaces a row still waiting.
      if (await this.write({ stepId: sid, kind: "event", status: "completed", json: "null", bytes: 4, event: s.event }, "waiting")) return null;
      const now = await readStep(this.e, this.job.id, sid);
      if (now && now.status !== "waiting") return now.result as T | null;
      this.lost(`ending the wait "${sid}" at its timeout`);
    }
    // An event sent shortly before the wait began (within the window) is not lost.
    const found = await findEvent(this.e, this.job.id, event, match, this.e.config.eventWindowMs, this.now);
    if (found) {
      const json = JSON.stringify(found.data);
      const ok = await this.write(
        { stepId: sid, kind: "event", status: "completed", json, bytes: Buffer.byteLength(json), event, match, eventId: found.id },
        "unfinished",
      );
      if (!ok) this.lost(`storing the event that resumed "${sid}"`);
      return found.data as T;
    }
    this.waits.push({ kind: "event", stepId: sid, event, match, timeoutMs: options.timeoutMs });
    this.suspend(`waitForEvent "${sid}" waits for "${event}"`);
  }

  private async invoke<R>(id: string, type: string, payload: unknown, options: InvokeOptions = {}): Promise<R> {
    const sid = this.begin(id);
    const { steps } = await this.load();
    const s = this.stored(steps, sid, "invoke");
    if (s) {
      if (s.child) return this.fromChild(sid, s.child, s);
      // The child no longer exists (retention): what the step recorded stands.
      if (s.status === "completed") return s.result as R;
      throw new ChildJobFailed(s.childId ?? "?", "?", s.status === "failed" ? (s.error ?? "failed") : "the child job no longer exists");
    }
    if (options === null || typeof options !== "object") throw new StepError(`invoke "${sid}": options must be an object`);
    const { priority, maxAttempts, timeoutMs } = options;
    let prepared;
    try {
      prepared = prepareJob(this.e.registry, type, payload, { priority, maxAttempts, timeoutMs });
    } catch (err) {
      if (err instanceof EnqueueError) throw new StepError(`invoke "${sid}": ${err.message}`);
      throw err;
    }
    const child = await enqueueChild(this.e, this.lease, prepared, sid, this.now);
    if (!child) this.lost(`enqueueing the child of invoke "${sid}"`);
    return this.fromChild(sid, child, undefined);
  }

  private async fromChild<R>(sid: string, child: ChildState, s: StoredStep | undefined): Promise<R> {
    if (child.status === "completed") {
      if (s?.status !== "completed") {
        const enc = encodeJson(child.result);
        const json = enc.ok ? enc.json : "null";
        const ok = await this.write({ stepId: sid, kind: "invoke", status: "completed", json, bytes: Buffer.byteLength(json), childId: child.id }, "unfinished");
        if (!ok) this.lost(`storing the result of invoke "${sid}"`);
      }
      return child.result as R;
    }
    if (child.status === "failed" || child.status === "cancelled") {
      const error = child.lastError ?? child.status;
      if (s?.status !== "failed") await this.recordFailure(sid, "invoke", `child job ${child.id} (${child.type}) ${child.status}: ${error}`, null, { childId: child.id });
      throw new ChildJobFailed(child.id, child.type, error);
    }
    // Still running. A wait whose look-again time has come is written anew, an hour further on.
    if (s?.status === "waiting" && !s.due) this.existing.push({ kind: "invoke", stepId: sid, childId: child.id });
    else this.waits.push({ kind: "invoke", stepId: sid, childId: child.id });
    this.suspend(`invoke "${sid}" waits for job ${child.id} (${child.type}, ${child.status})`);
  }
}
