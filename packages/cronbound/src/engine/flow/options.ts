// Flow control declared on a job type (docs/FLOW-CONTROL.md): checked once in defineJob, and the
// key of each job computed once at enqueue. Nothing here touches the database.

/** At most `limit` jobs of the type (of each key, with `key`) in `processing` at any instant. */
export interface ConcurrencyOptions<P = unknown> {
  limit: number;
  key?: (payload: P) => string;
}

/** At most `limit` starts (claims) of the type (of each key, with `key`) in any window of `periodMs`. */
export interface RateLimitOptions<P = unknown> {
  limit: number;
  periodMs: number;
  key?: (payload: P) => string;
}

/**
 * Enqueues of the type with the same key while a job of that key is pending and not yet claimed
 * collapse into that job. The job runs `delayMs` after the first enqueue of the window. "last":
 * each enqueue replaces the payload; "first": the first payload is kept. Default "last".
 */
export interface DebounceOptions<P = unknown> {
  key: (payload: P) => string;
  delayMs: number;
  mode?: "last" | "first";
}

export interface FlowOptions<P = unknown> {
  concurrency?: ConcurrencyOptions<P>;
  rateLimit?: RateLimitOptions<P>;
  debounce?: DebounceOptions<P>;
}

/** What a job type keeps of its flow options, frozen. */
export interface FlowDeclaration {
  concurrency?: { limit: number; perKey: boolean };
  rateLimit?: { limit: number; periodMs: number; perKey: boolean };
  /** The key a limited job is counted under (concurrency's or rateLimit's `key`); absent: ''. */
  key?: (payload: unknown) => string;
  debounce?: { key: (payload: unknown) => string; delayMs: number; mode: "last" | "first" };
}

export const MAX_LIMIT = 100_000;
export const MAX_RATE_LIMIT = 1_000_000;
export const MAX_PERIOD_MS = 24 * 3600 * 1000;
export const MAX_KEY_LENGTH = 200;

const posInt = (v: unknown, max: number) => typeof v === "number" && Number.isInteger(v) && v >= 1 && v <= max;

/** Checks the options of `defineJob`: a clear Error for anything that could not be enforced. */
export function flowDeclaration(name: string, o: FlowOptions): FlowDeclaration {
  const fail = (msg: string): never => {
    throw new Error(`defineJob(${name}): ${msg}`);
  };
  const d: FlowDeclaration = {};
  const keyFn = (v: unknown, at: string) => {
    if (v !== undefined && typeof v !== "function") fail(`${at}.key must be a function of the payload returning a string`);
    return v as ((p: unknown) => string) | undefined;
  };
  if (o.concurrency !== undefined) {
    const c = o.concurrency;
    if (!c || typeof c !== "object") fail("concurrency must be { limit, key? }");
    if (!posInt(c.limit, MAX_LIMIT)) fail(`concurrency.limit must be an integer from 1 to ${MAX_LIMIT} (got ${String(c.limit)})`);
    const key = keyFn(c.key, "concurrency");
    d.concurrency = { limit: c.limit, perKey: key !== undefined };
    d.key = key;
  }
  if (o.rateLimit !== undefined) {
    const r = o.rateLimit;
    if (!r || typeof r !== "object") fail("rateLimit must be { limit, periodMs, key? }");
    if (!posInt(r.limit, MAX_RATE_LIMIT)) fail(`rateLimit.limit must be an integer from 1 to ${MAX_RATE_LIMIT} (got ${String(r.limit)})`);
    if (!posInt(r.periodMs, MAX_PERIOD_MS)) fail(`rateLimit.periodMs must be an integer from 1 to ${MAX_PERIOD_MS} (got ${String(r.periodMs)})`);
    const key = keyFn(r.key, "rateLimit");
    // One key per job: a limit without a key counts the whole type, so a type may combine a
    // per-key limit with a type-wide one, but not two different keys.
    if (key && d.key && key !== d.key) fail("concurrency.key and rateLimit.key must be the same function (a job has one key)");
    d.rateLimit = { limit: r.limit, periodMs: r.periodMs, perKey: key !== undefined };
    d.key = d.key ?? key;
  }
  if (o.debounce !== undefined) {
    const b = o.debounce;
    if (!b || typeof b !== "object") fail("debounce must be { key, delayMs, mode? }");
    if (typeof b.key !== "function") fail("debounce.key must be a function of the payload returning a string");
    if (!posInt(b.delayMs, MAX_PERIOD_MS)) fail(`debounce.delayMs must be an integer from 1 to ${MAX_PERIOD_MS} (got ${String(b.delayMs)})`);
    const mode = b.mode ?? "last";
    if (mode !== "last" && mode !== "first") fail(`debounce.mode must be "last" or "first" (got ${JSON.stringify(mode)})`);
    d.debounce = { key: b.key as (p: unknown) => string, delayMs: b.delayMs, mode };
  }
  return Object.freeze(d);
}

/** True when jobs of this type are claimed by the flow claim (they carry a flow key). */
export function isLimited(d: FlowDeclaration | undefined): boolean {
  return !!(d?.concurrency || d?.rateLimit);
}

/**
 * Run a key function on a validated payload: a string of 1 to 200 characters without NUL, or an
 * error message (the key function threw, or returned something else).
 */
export function runKey(fn: (p: unknown) => string, payload: unknown): { ok: true; key: string } | { ok: false; message: string } {
  let key: unknown;
  try {
    key = fn(payload);
  } catch (err) {
    return { ok: false, message: `the key function threw: ${err instanceof Error ? err.message : String(err)}` };
  }
  if (typeof key !== "string") return { ok: false, message: `the key function must return a string (got ${key === null ? "null" : typeof key})` };
  if (key.length < 1 || key.length > MAX_KEY_LENGTH) return { ok: false, message: `the key must be 1 to ${MAX_KEY_LENGTH} characters (got ${key.length})` };
  if (key.includes("\0")) return { ok: false, message: "the key contains a NUL character (U+0000), which PostgreSQL cannot store" };
  return { ok: true, key };
}
