import { errorFields } from "../logger.ts";
import type { Queue } from "../queue.ts";
import { problem } from "./respond.ts";

const CONNECTION_CODES = /^(ECONNREFUSED|ECONNRESET|ENOTFOUND|ETIMEDOUT|EPIPE|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH)$/;
// SQLSTATE classes that mean "the database cannot serve this now": connection exception (08),
// insufficient resources (53), operator intervention (57: shutdown, cannot connect now).
const UNAVAILABLE_SQLSTATE = /^(08|53|57)[0-9A-Z]{3}$/;
// Prisma's own codes for the same: cannot reach (P1001), timed out (P1002, P1008), server closed
// the connection (P1017), no connection from the pool in time (P2024).
const UNAVAILABLE_PRISMA = /^(P1001|P1002|P1008|P1017|P2024)$/;
// The driver adapter's error kinds for the same.
const UNAVAILABLE_KINDS = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections", "TlsConnectionError"]);

type ErrorLike = { name?: unknown; code?: unknown; message?: unknown; cause?: unknown; kind?: unknown; originalCode?: unknown; meta?: { driverAdapterError?: unknown } };

/**
 * True when the database cannot serve the request now and a retry may succeed: it is
 * unreachable, refused or dropped the connection, the pool had no connection in time, or it
 * answered a SQLSTATE of class 08, 53 or 57. Any other database error (a constraint, a bad
 * value, a syntax error: a bug) is false, so it answers 500, not "try again".
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  const seen = new Set<unknown>();
  const stack: unknown[] = [err];
  while (stack.length && seen.size < 20) {
    const e = stack.pop() as ErrorLike | undefined;
    if (!e || typeof e !== "object" || seen.has(e)) continue;
    seen.add(e);
    if (e.name === "PrismaClientInitializationError") return true;
    for (const code of [e.code, e.originalCode]) {
      if (typeof code !== "string") continue;
      if (CONNECTION_CODES.test(code) || UNAVAILABLE_SQLSTATE.test(code) || UNAVAILABLE_PRISMA.test(code)) return true;
    }
    if (typeof e.kind === "string" && UNAVAILABLE_KINDS.has(e.kind)) return true;
    // pg's own connection and pool errors carry no code, only these messages.
    if (typeof e.message === "string" && /Connection terminated|timeout exceeded when trying to connect|Cannot use a pool after calling end/i.test(e.message)) return true;
    stack.push(e.cause, e.meta?.driverAdapterError);
  }
  return false;
}

/** A configuration error (cronbound's ConfigError, or an app's EnvError): its message names variables, never values. */
function isConfigError(err: unknown): err is Error {
  return err instanceof Error && (err.name === "ConfigError" || err.name === "EnvError");
}

/**
 * The answer for an unexpected error in a machine endpoint, logged with its context.
 * - the database unavailable (isDatabaseUnavailable): 503, retryable. Nothing is lost: enqueue
 *   wrote nothing, and a tick's claimed jobs keep their leases, so rescue brings them back.
 * - anything else (an invalid configuration, another SQL error, a bug): 500 with a generic
 *   body; the detail (variable names, SQLSTATE, stack) goes to the log only, since the caller
 *   may not even have passed the secret check yet.
 */
export function errorResponse(queue: Queue, err: unknown, context: string): Response {
  const log = queue.logger;
  if (isConfigError(err)) {
    log.error({ event: "route_failed", route: context, kind: "config", ...errorFields(err) }, `${context}: ${err.message}`);
    return problem(500, "internal", `${context} failed: the server is misconfigured; see the server log`);
  }
  if (isDatabaseUnavailable(err)) {
    log.error({ event: "route_failed", route: context, kind: "database", ...errorFields(err) }, `${context}: database error`);
    return problem(503, "database_unavailable", `${context} failed: the database is unavailable; try again. No job was lost.`, {
      headers: { "retry-after": "5" },
    });
  }
  log.error({ event: "route_failed", route: context, ...errorFields(err), stack: err instanceof Error ? err.stack : undefined }, `${context}: unexpected error`);
  return problem(500, "internal", `${context} failed with an unexpected error; see the server log`);
}
