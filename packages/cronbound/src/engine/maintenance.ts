import { errorFields } from "../logger.ts";
import type { Engine } from "./context.ts";
import { settleDependencies } from "./dependencies.ts";
import { pruneFlow } from "./flow/prune.ts";
import { rescueExpiredLeases } from "./rescue.ts";
import { pruneFinishedJobs, type RetentionOptions } from "./retention.ts";
import { fireDueSchedules } from "./schedules/fire.ts";

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
 *   5. prune rate-limit starts and idle fair-claiming turns; release keyed jobs of types
 *      that no longer declare a limit                 (flow/prune.ts)
 * A failing step 2-4 is logged and counted in `maintenanceErrors`; it does not stop the tick
 * from running jobs. A failing rescue throws, as the claim would fail the same way.
 */
export async function runMaintenance(e: Engine, options: MaintenanceOptions = {}): Promise<MaintenanceResult> {
  const now = options.now;
  const rescue = await rescueExpiredLeases(e, { now });
  const steps: Record<string, number> = { rescuedToPending: rescue.pending, rescuedToFailed: rescue.failed };
  const step = async (name: string, fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (err) {
      steps.maintenanceErrors = (steps.maintenanceErrors ?? 0) + 1;
      e.log.error({ event: "maintenance_failed", step: name, ...errorFields(err) }, `maintenance step "${name}" failed; the tick goes on`);
    }
  };

  await step("schedules", async () => {
    const fired = await fireDueSchedules(e, { now, limit: options.scheduleLimit });
    steps.scheduled = fired.enqueued;
    if (fired.errors) steps.scheduleErrors = fired.errors;
  });
  await step("dependencies", async () => {
    const settled = await settleDependencies(e, { now });
    steps.unblocked = settled.unblocked;
    steps.dependentsCancelled = settled.cancelled;
  });
  await step("retention", async () => {
    const pruned = await pruneFinishedJobs(e, { ...options.retention, now });
    steps.prunedCompleted = pruned.completed;
    steps.prunedFailed = pruned.failed;
  });
  await step("flow", async () => {
    const pruned = await pruneFlow(e, { now });
    if (pruned.starts) steps.prunedFlowStarts = pruned.starts;
    if (pruned.released) steps.releasedFromLimits = pruned.released;
  });
  return { rescued: rescue.pending + rescue.failed, steps };
}
