import { z } from "zod";
import type { Engine } from "../../engine/context.ts";
import { type JobStatus } from "../../engine/types.ts";
export declare const PAGE_SIZE = 50;
/** The list's filters as they arrive in the URL; anything malformed is dropped, not an error. */
export declare const listFilterSchema: z.ZodObject<{
    status: z.ZodCatch<z.ZodOptional<z.ZodEnum<{
        pending: "pending";
        processing: "processing";
        completed: "completed";
        failed: "failed";
        cancelled: "cancelled";
    }>>>;
    type: z.ZodCatch<z.ZodOptional<z.ZodString>>;
    before: z.ZodCatch<z.ZodOptional<z.ZodString>>;
}, z.core.$strip>;
export type ListFilter = z.infer<typeof listFilterSchema>;
export interface JobRow {
    id: string;
    type: string;
    status: JobStatus;
    attempts: number;
    maxAttempts: number;
    runAt: Date;
    createdAt: Date;
    finishedAt: Date | null;
    lastError: string | null;
}
export interface JobPage {
    jobs: JobRow[];
    /** Cursor for the next (older) page: pass it as `before`. Null on the last page. */
    nextBefore: string | null;
}
/** The database clock, for "5 min ago" on pages. */
export declare function dbNow(e: Engine): Promise<Date>;
/** Newest first, `limit` at a time, keyset on id: page 1,000 costs what page 1 costs. */
export declare function listJobs(e: Engine, filter: ListFilter, limit?: number): Promise<JobPage>;
export interface FailureRow {
    id: string;
    type: string;
    attempts: number;
    finishedAt: Date;
    lastError: string | null;
}
/** The last `limit` jobs that failed for good, most recent first, with their last error. */
export declare function recentFailures(e: Engine, limit?: number): Promise<FailureRow[]>;
export interface DependencyRow {
    id: string;
    type: string;
    status: JobStatus;
}
/** The jobs one job waits on, by primary key; a pruned dependency is simply absent. */
export declare function dependencies(e: Engine, ids: string[]): Promise<DependencyRow[]>;
