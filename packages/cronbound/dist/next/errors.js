import { errorFields } from "../logger.js";
import { problem } from "./respond.js";
const CONNECTION_CODES = /^(ECONNREFUSED|ECONNRESET|ENOTFOUND|ETIMEDOUT|EPIPE|EAI_AGAIN|EHOSTUNREACH)$/;
// SQLSTATE classes that mean "the database cannot serve this now": connection exception (08),
// insufficient resources (53), operator intervention (57: shutdown, cannot connect now).
const UNAVAILABLE_SQLSTATE = /^(08|53|57)/;
/**
 * True for anything the database layer threw: Prisma wraps every driver error (unreachable,
 * connection closed, SQL errors) in a PrismaClient* error; a bare `pg` error carries a
 * SQLSTATE or a socket code.
 */
export function isDatabaseError(err) {
    let e = err;
    for (let depth = 0; e && typeof e === "object" && depth < 5; depth++, e = e.cause) {
        if (typeof e.name === "string" && (e.name.startsWith("PrismaClient") || e.name === "DriverAdapterError"))
            return true;
        if (typeof e.code === "string" && (CONNECTION_CODES.test(e.code) || UNAVAILABLE_SQLSTATE.test(e.code)))
            return true;
        // pg's own connection errors carry no code, only these messages.
        if (typeof e.message === "string" && /Connection terminated|timeout exceeded when trying to connect/i.test(e.message))
            return true;
    }
    return false;
}
/** A configuration error (cronbound's ConfigError, or an app's EnvError): its message names variables, never values. */
function isConfigError(err) {
    return err instanceof Error && (err.name === "ConfigError" || err.name === "EnvError");
}
/**
 * The answer for an unexpected error in a machine endpoint, logged with its context.
 * - database errors: 503, retryable. Nothing is lost: enqueue wrote nothing, and a tick's
 *   claimed jobs keep their leases, so rescue brings them back once the lease expires.
 * - an invalid configuration: 500 naming the variables (names only, never values).
 * - anything else: 500.
 */
export function errorResponse(queue, err, context) {
    const log = queue.logger;
    if (isConfigError(err)) {
        log.error({ event: "route_failed", route: context, ...errorFields(err) }, `${context}: ${err.message}`);
        return problem(500, "internal", err.message);
    }
    if (isDatabaseError(err)) {
        log.error({ event: "route_failed", route: context, kind: "database", ...errorFields(err) }, `${context}: database error`);
        return problem(503, "database_unavailable", `${context} failed: the database is unavailable or returned an error; try again. No job was lost.`, {
            headers: { "retry-after": "5" },
        });
    }
    log.error({ event: "route_failed", route: context, ...errorFields(err), stack: err instanceof Error ? err.stack : undefined }, `${context}: unexpected error`);
    return problem(500, "internal", `${context} failed with an unexpected error; see the server log`);
}
