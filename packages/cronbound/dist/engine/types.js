import { raw, sql } from "../sql.js";
export const JOB_STATUSES = ["pending", "processing", "completed", "failed", "cancelled"];
/** The column list that reads a row as a `Job`; `alias` qualifies it inside UPDATE ... FROM. */
export function jobColumns(alias = "jobs") {
    const a = alias;
    return raw(`${a}.id::text AS id, ${a}.type, ${a}.payload, ${a}.status::text AS status, ${a}.priority,
     ${a}.run_at AS "runAt", ${a}.attempts, ${a}.max_attempts AS "maxAttempts",
     ${a}.timeout_ms AS "timeoutMs", ${a}.locked_at AS "lockedAt", ${a}.locked_by AS "lockedBy",
     ${a}.locked_until AS "lockedUntil", ${a}.last_error AS "lastError", ${a}.errors,
     ${a}.result, ${a}.progress, ${a}.idempotency_key AS "idempotencyKey",
     coalesce(${a}.depends_on, '{}')::text[] AS "dependsOn", ${a}.blocked,
     ${a}.created_at AS "createdAt", ${a}.updated_at AS "updatedAt",
     ${a}.started_at AS "startedAt", ${a}.finished_at AS "finishedAt"`);
}
/**
 * The database's clock, or an injected one. Every timestamp the engine writes comes from here:
 * never from a function instance's clock, which can drift between instances.
 */
export function clock(now) {
    return now ? sql `${now}::timestamptz` : sql `now()`;
}
