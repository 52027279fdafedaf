import type { Engine } from "./context.ts";
/**
 * rescue: processing jobs whose lease expired go back to pending, or to failed when the
 * expired attempt was their last. The attempt counts: a job that crashes its worker every time
 * must not loop forever. Bounded by `limit` and SKIP LOCKED, so overlapping ticks share the
 * work instead of waiting on each other.
 *
 * Rescue can run a job twice: if the old worker was only slow (not dead) it may still be
 * executing when the job is re-claimed. Its writes are fenced and will not land, but its side
 * effects may have happened; handlers must be idempotent.
 */
export declare function rescueExpiredLeases(e: Engine, options?: {
    limit?: number;
    now?: Date;
}): Promise<{
    pending: number;
    failed: number;
}>;
