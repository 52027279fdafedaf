import type { Engine } from "./context.ts";
import { type RetentionOptions } from "./retention.ts";
export interface MaintenanceResult {
    rescued: number;
    /** Counts by step name, for the tick report. */
    steps: Record<string, number>;
}
export interface MaintenanceOptions {
    now?: Date;
    /** Retention settings; default: the queue's `config.retention`. */
    retention?: Partial<RetentionOptions>;
    /** Most schedules fired per tick. Default 100. */
    scheduleLimit?: number;
}
/**
 * The tick's maintenance, run before claiming. Each step is bounded, idempotent, and safe when
 * ticks overlap (SKIP LOCKED or a unique key decides who does what):
 *   1. rescue expired leases                       (rescue.ts)
 *   2. fire due schedules, exactly once per fire   (schedules/fire.ts)
 *   3. unblock or cancel dependents                (dependencies.ts; after 1 and 2, so a job
 *      rescued to failed cancels its dependents in the same tick)
 *   4. prune finished jobs past retention          (retention.ts)
 * A failing step 2-4 is logged and counted in `maintenanceErrors`; it does not stop the tick
 * from running jobs. A failing rescue throws, as the claim would fail the same way.
 */
export declare function runMaintenance(e: Engine, options?: MaintenanceOptions): Promise<MaintenanceResult>;
