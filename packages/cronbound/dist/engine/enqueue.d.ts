import { z } from "zod";
import type { Engine } from "./context.ts";
import { type Job } from "./types.ts";
/** Largest payload accepted, as JSON text. Jobs carry ids and small data, not files. */
export declare const MAX_PAYLOAD_BYTES: number;
/** Most rows one `enqueueMany` inserts (one statement). */
export declare const MAX_BATCH = 10000;
export declare const enqueueOptionsSchema: z.ZodObject<{
    runAt: z.ZodOptional<z.ZodCoercedDate<unknown>>;
    delayMs: z.ZodOptional<z.ZodNumber>;
    priority: z.ZodOptional<z.ZodNumber>;
    maxAttempts: z.ZodOptional<z.ZodNumber>;
    timeoutMs: z.ZodOptional<z.ZodNumber>;
    idempotencyKey: z.ZodOptional<z.ZodString>;
    dependsOn: z.ZodOptional<z.ZodArray<z.ZodPipe<z.ZodUnion<readonly [z.ZodString, z.ZodNumber]>, z.ZodTransform<string, string | number>>>>;
}, z.core.$strict>;
export type EnqueueOptions = z.input<typeof enqueueOptionsSchema>;
export interface EnqueueResult {
    job: Job;
    /** False when an idempotency key matched an existing job: that job is returned, nothing is written. */
    created: boolean;
}
/**
 * Validate and insert one job, in `db` (the client, or the caller's transaction so the job
 * commits or rolls back with the app's own writes). Unknown type, invalid payload or options:
 * an EnqueueError and nothing written. A repeated idempotencyKey returns the existing job,
 * also when two enqueues race (the unique index decides; the loser reads the winner's row).
 */
export declare function enqueue(e: Engine, type: string, payload: unknown, options?: EnqueueOptions & {
    now?: Date;
}): Promise<EnqueueResult>;
export interface EnqueueManyItem {
    type: string;
    payload: unknown;
    options?: EnqueueOptions;
}
/**
 * Validate every item, then insert them all in one statement. One invalid item: an
 * EnqueueError naming its index, nothing written. Items whose idempotencyKey already exists
 * are skipped. Returns the ids of the jobs created, in input order.
 */
export declare function enqueueMany(e: Engine, items: EnqueueManyItem[], options?: {
    now?: Date;
}): Promise<string[]>;
