import type { Job, JobStatus } from "../engine/types.ts";
/** A job as the API returns it: ids are strings (the column is bigint), dates ISO 8601 (UTC). */
export interface JobJson {
    id: string;
    type: string;
    status: JobStatus;
    payload: unknown;
    priority: number;
    attempts: number;
    maxAttempts: number;
    timeoutMs: number;
    lastError: string | null;
    errors: Job["errors"];
    result: unknown;
    progress: unknown;
    idempotencyKey: string | null;
    dependsOn: string[];
    blocked: boolean;
    lockedBy: string | null;
    runAt: string;
    lockedAt: string | null;
    lockedUntil: string | null;
    createdAt: string;
    updatedAt: string;
    startedAt: string | null;
    finishedAt: string | null;
}
export declare function jobJson(job: Job): JobJson;
