import { NonRetryableError } from "../errors.ts";

/** Longest step id, in characters. */
export const MAX_STEP_ID_CHARS = 200;
/** Largest step result (and event data), as JSON text: every replay loads a job's results, so keep ids, not documents. */
export const MAX_STEP_RESULT_BYTES = 64 * 1024;
/** Longest event name, in characters. */
export const MAX_EVENT_NAME_CHARS = 200;
/** Largest `match` of a waitForEvent, as JSON text. */
export const MAX_MATCH_BYTES = 4 * 1024;
/** Longest sleep or event wait. */
export const MAX_WAIT_MS = 366 * 24 * 3_600_000;
/**
 * A parent waiting for a child is woken when the child finishes (a trigger in migration 0005);
 * it also looks again this long after it began waiting, a safety net that costs one replay.
 */
export const INVOKE_RECHECK_MS = 3_600_000;

/**
 * A step used wrongly (a bad or repeated id, a result that cannot be stored, a sleep into the
 * past). Non-retryable: the same code would fail the same way on the next attempt, so the job
 * fails at once, with this message, unless the handler catches it.
 */
export class StepError extends NonRetryableError {
  constructor(message: string) {
    super(message);
    this.name = "StepError";
  }
}

/** A child job of ctx.invoke failed (or was cancelled) for good: its retries are spent, so the parent does not retry it. */
export class ChildJobFailed extends NonRetryableError {
  constructor(
    readonly childId: string,
    readonly childType: string,
    readonly childError: string,
  ) {
    super(`child job ${childId} (${childType}) failed: ${childError}`);
    this.name = "ChildJobFailed";
  }
}

/** Bad input to sendEvent; nothing was written. `code` tells the HTTP route which status to answer. */
export class EventError extends Error {
  constructor(
    readonly code: "invalid_event" | "too_large",
    message: string,
  ) {
    super(message);
    this.name = "EventError";
  }
}

// Control characters, U+0000 included (PostgreSQL text cannot hold it).
const CONTROL = /[\u0000-\u001f\u007f]/;

export function checkStepId(id: unknown): string {
  if (typeof id !== "string") throw new StepError(`a step id must be a string, got ${typeof id}`);
  if (id.length === 0) throw new StepError("a step id must not be empty");
  if (id.length > MAX_STEP_ID_CHARS) throw new StepError(`step id "${id.slice(0, 40)}..." is ${id.length} characters; the limit is ${MAX_STEP_ID_CHARS}`);
  if (CONTROL.test(id)) throw new StepError(`step id ${JSON.stringify(id)} contains a control character`);
  return id;
}

/** The event name problem, or null when the name is valid. */
export function eventNameProblem(name: unknown): string | null {
  if (typeof name !== "string") return `an event name must be a string, got ${name === null ? "null" : typeof name}`;
  if (name.length === 0) return "an event name must not be empty";
  if (name.length > MAX_EVENT_NAME_CHARS) return `event name "${name.slice(0, 40)}..." is ${name.length} characters; the limit is ${MAX_EVENT_NAME_CHARS}`;
  if (CONTROL.test(name)) return `event name ${JSON.stringify(name.slice(0, 40))} contains a control character`;
  return null;
}

/**
 * A value as stored: its JSON text, or the reason it cannot be stored (not serializable, over
 * the cap, or holding U+0000, which jsonb cannot). `undefined` is stored as null.
 */
export function encodeJson(
  value: unknown,
  limit = MAX_STEP_RESULT_BYTES,
): { ok: true; json: string; bytes: number } | { ok: false; tooLarge: boolean; problem: string } {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (err) {
    return { ok: false, tooLarge: false, problem: `is not JSON-serializable (${String((err as Error).message).split("\n")[0]})` };
  }
  if (json === undefined) json = "null";
  const bytes = Buffer.byteLength(json);
  if (bytes > limit) return { ok: false, tooLarge: true, problem: `is ${bytes} bytes as JSON; the limit is ${limit}` };
  if (json.includes("\\u0000")) return { ok: false, tooLarge: false, problem: "contains a NUL character (U+0000), which PostgreSQL cannot store" };
  return { ok: true, json, bytes };
}

/** A wait's length: a whole number of milliseconds from 1 to MAX_WAIT_MS. */
export function waitMsProblem(ms: unknown): string | null {
  if (typeof ms !== "number" || !Number.isFinite(ms)) return "must be a number of milliseconds";
  if (ms <= 0) return `must be in the future (got ${ms} ms)`;
  if (!Number.isInteger(ms)) return `must be a whole number of milliseconds (got ${ms})`;
  if (ms > MAX_WAIT_MS) return `must be at most ${MAX_WAIT_MS} ms (366 days), got ${ms}`;
  return null;
}

/**
 * Thrown by a step, sleep, wait or invoke that ends the attempt here (the job waits, or
 * continues in a later slice). The attempt's outcome is the suspension whatever the handler does
 * with it; a handler that catches errors around steps should rethrow this one so its own code
 * after the catch does not run needlessly.
 */
export class JobSuspended extends Error {
  constructor(message: string) {
    super(message);
    this.name = "JobSuspended";
  }
}
