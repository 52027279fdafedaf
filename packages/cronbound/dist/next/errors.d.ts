import type { Queue } from "../queue.ts";
/**
 * True for anything the database layer threw: Prisma wraps every driver error (unreachable,
 * connection closed, SQL errors) in a PrismaClient* error; a bare `pg` error carries a
 * SQLSTATE or a socket code.
 */
export declare function isDatabaseError(err: unknown): boolean;
/**
 * The answer for an unexpected error in a machine endpoint, logged with its context.
 * - database errors: 503, retryable. Nothing is lost: enqueue wrote nothing, and a tick's
 *   claimed jobs keep their leases, so rescue brings them back once the lease expires.
 * - an invalid configuration: 500 naming the variables (names only, never values).
 * - anything else: 500.
 */
export declare function errorResponse(queue: Queue, err: unknown, context: string): Response;
