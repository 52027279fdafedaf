import { EnvError } from "../env.ts";
import { problem } from "./respond.ts";

const CONNECTION_CODES = /^(ECONNREFUSED|ECONNRESET|ENOTFOUND|ETIMEDOUT|EPIPE|EAI_AGAIN|EHOSTUNREACH)$/;
// SQLSTATE classes that mean "the database cannot serve this now": connection exception (08),
// insufficient resources (53), operator intervention (57: shutdown, cannot connect now).
const UNAVAILABLE_SQLSTATE = /^(08|53|57)/;

/**
 * True for anything the database layer threw: Prisma wraps every driver error (unreachable,
 * connection closed, SQL errors) in a PrismaClient* error; a bare `pg` error carries a
 * SQLSTATE or a socket code.
 */
export function isDatabaseError(err: unknown): boolean {
  let e = err as { name?: string; code?: unknown; message?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; e && typeof e === "object" && depth < 5; depth++, e = e.cause as typeof e) {
    if (typeof e.name === "string" && (e.name.startsWith("PrismaClient") || e.name === "DriverAdapterError")) return true;
    if (typeof e.code === "string" && (CONNECTION_CODES.test(e.code) || UNAVAILABLE_SQLSTATE.test(e.code))) return true;
    // pg's own connection errors carry no code, only these messages.
    if (typeof e.message === "string" && /Connection terminated|timeout exceeded when trying to connect/i.test(e.message)) return true;
  }
  return false;
}

/**
 * The answer for an unexpected error in a machine endpoint, logged with its context.
 * - database errors: 503, retryable. Nothing is lost: enqueue wrote nothing, and a tick's
 *   claimed jobs keep their leases, so rescue brings them back once the lease expires.
 * - an invalid environment: 500 naming the variables (names only, never values).
 * - anything else: 500.
 */
export function errorResponse(err: unknown, context: string): Response {
  if (err instanceof EnvError) {
    console.error(`[cronbound] ${context}: ${err.message}`);
    return problem(500, "internal", err.message);
  }
  if (isDatabaseError(err)) {
    console.error(`[cronbound] ${context}: database error:`, err);
    return problem(503, "database_unavailable", `${context} failed: the database is unavailable or returned an error; try again. No job was lost.`, {
      headers: { "retry-after": "5" },
    });
  }
  console.error(`[cronbound] ${context}: unexpected error:`, err);
  return problem(500, "internal", `${context} failed with an unexpected error; see the server log`);
}
