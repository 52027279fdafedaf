// The durable-step part of a handler's context (JobContext in define.ts). docs/STEPS.md in the
// repository explains the model: replay, at-least-once steps, continuation, waits.

export interface StepOptions {
  /**
   * The longest this step may take, ms: before it starts, an attempt with less time left than
   * this ends as "continued" and the job resumes in the next slice (a step always runs when it
   * is the first new step of an attempt). Also the step's signal fires at this timeout. Default,
   * and at most: the job's timeout, so by default each attempt runs one new step.
   */
  timeoutMs?: number;
}

export interface WaitForEventOptions {
  /** The event's name, as sendEvent gives it (1 to 200 characters). */
  event: string;
  /**
   * Only an event whose data contains this object resumes the wait (jsonb containment:
   * `{ userId: 42 }` matches `{ userId: 42, plan: "pro" }`). At most 4 KiB as JSON.
   */
  match?: Record<string, unknown>;
  /** How long to wait, ms (up to 366 days); then the wait resumes with null. */
  timeoutMs: number;
}

export interface InvokeOptions {
  priority?: number;
  maxAttempts?: number;
  timeoutMs?: number;
}

export interface StepApi {
  /**
   * Run `fn` once and store its result (JSON, at most 64 KiB) under `id`: when the handler runs
   * again (a retry, a resumption after a continuation or a wait), a step that finished returns
   * its stored result without running. Each step is at-least-once (a crash after `fn` but before
   * its result is stored runs it again); the job as a whole completes exactly once. The value
   * returned is the stored JSON, also on the first run (a Date comes back as a string).
   */
  step<T>(id: string, fn: (step: { signal: AbortSignal }) => Promise<T> | T, options?: StepOptions): Promise<T>;
  /**
   * Wait `duration` ms, or until a Date, holding no lease and no connection: the attempt ends
   * here and the job is due again at the wake time (the database's clock).
   */
  sleep(id: string, duration: number | Date): Promise<void>;
  /**
   * Wait for an event sent with `queue.sendEvent(event, data)` (or `POST /api/jobs/events`):
   * resolves with its data, or with null after `timeoutMs`. An event sent before the wait began
   * is received if it was sent within the event window (config.eventWindowMs, 5 minutes).
   */
  waitForEvent<T = unknown>(id: string, options: WaitForEventOptions): Promise<T | null>;
  /**
   * Enqueue a child job (once per parent and step id) and wait for it: resolves with its result,
   * or throws ChildJobFailed with its final error. Several at once (Promise.all) fan out.
   */
  invoke<R = unknown>(id: string, type: string, payload: unknown, options?: InvokeOptions): Promise<R>;
}
