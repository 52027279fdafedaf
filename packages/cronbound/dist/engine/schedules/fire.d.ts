import { type Engine } from "../context.ts";
/** The job idempotency key of one fire time: what makes a fire time enqueue at most once. */
export declare function fireKey(name: string, fire: Date): string;
export interface FireResult {
    /** Schedules that were due and were advanced. */
    schedules: number;
    /** Jobs enqueued. */
    enqueued: number;
    /** Due schedules whose fire could not be enqueued (see their lastError). */
    errors: number;
}
/**
 * Maintenance step: enqueue the due fire times of up to `limit` due schedules and advance
 * their cursors, in one transaction. Overlapping ticks skip each other's locked rows; a row
 * committed by another tick is no longer due when this one looks. A fire whose type is gone
 * or whose payload no longer validates enqueues nothing and records why on the schedule,
 * whose cursor still advances: a broken schedule never blocks the others or retries forever.
 */
export declare function fireDueSchedules(e: Engine, options?: {
    now?: Date;
    limit?: number;
    catchUpMs?: number;
}): Promise<FireResult>;
