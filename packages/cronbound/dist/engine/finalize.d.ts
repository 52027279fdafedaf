import { type Sql } from "../sql.ts";
import type { Engine } from "./context.ts";
/** An attempt the caller holds: the job id and the attempt number its claim returned. */
export interface Attempt {
    id: string;
    attempt: number;
}
/** The handler's value as stored: JSON, or a note saying why it could not be kept. */
export declare function resultJson(result: unknown): string;
/**
 * complete, for many attempts in one statement (the executor batches jobs that finish
 * together). Returns the ids that were completed; any other id lost its lease.
 */
export declare function completeAttempts(e: Engine, workerId: string, items: (Attempt & {
    result: unknown;
})[], now?: Date): Promise<Set<string>>;
/**
 * The completion statement, `RETURNING j.id::text AS id` for each row that landed. Also sent
 * as a data-modifying CTE in front of the next claim (claim.ts), so a busy tick pays one
 * statement, one round trip and one commit for "finish these, take the next ones".
 */
export declare function completeSql(e: Engine, workerId: string, items: (Attempt & {
    result: unknown;
})[], now?: Date): Sql;
/** retry: back to pending, due after `delayMs`; the error joins the job's history. */
export declare function retryAttempt(e: Engine, workerId: string, a: Attempt, error: string, delayMs: number, now?: Date): Promise<boolean>;
/** fail: for good (attempts exhausted, payload invalid, unknown type, non-retryable error). */
export declare function failAttempt(e: Engine, workerId: string, a: Attempt, error: string, now?: Date): Promise<boolean>;
/**
 * release: hand unfinished attempts back (a worker shutting down). The job is pending and
 * claimable at once, and the interrupted attempt is not counted. Returns the ids released.
 */
export declare function releaseAttempts(e: Engine, workerId: string, items: Attempt[], now?: Date): Promise<Set<string>>;
