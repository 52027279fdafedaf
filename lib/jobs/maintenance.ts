import type { Db } from "../db.ts";
import { env } from "../env.ts";
import type { Registry } from "./define.ts";
import { settleDependencies } from "./dependencies.ts";
import { rescueExpiredLeases } from "./rescue.ts";
import { DEFAULT_RETENTION, pruneFinishedJobs, type RetentionOptions } from "./retention.ts";
import { fireDueSchedules } from "./schedules.ts";

export interface MaintenanceResult {
  rescued: number;
  /** Counts by step name, for the tick report. */
  steps: Record<string, number>;
}

export interface MaintenanceOptions {
  now?: Date;
  /** Needed to fire schedules (their payloads are validated like any enqueue); without it, schedules wait. */
  registry?: Registry;
  /** Retention settings; default: RETENTION_* from the app's environment, else 7 days / 30 days / 1000. */
  retention?: Partial<RetentionOptions>;
  /** Most schedules fired per tick. Default 100. */
  scheduleLimit?: number;
}

/**
 * Retention from RETENTION_* when the app's environment is there (the routes, the worker).
 * Without DATABASE_URL the tick was handed its database directly (tests, scripts): defaults.
 */
function retentionFromEnv(): Partial<RetentionOptions> {
  if (!process.env.DATABASE_URL) return {};
  const e = env();
  return { completedAfterMs: e.RETENTION_COMPLETED_MS, failedAfterMs: e.RETENTION_FAILED_MS, limit: e.RETENTION_BATCH_SIZE };
}

/**
 * The tick's maintenance, run before claiming. Each step is bounded, idempotent, and safe when
 * ticks overlap (SKIP LOCKED or a unique key decides who does what):
 *   1. rescue expired leases                       (rescue.ts)
 *   2. fire due schedules, exactly once per fire   (schedules.ts)
 *   3. unblock or cancel dependents                (dependencies.ts; after 1 and 2, so a job
 *      rescued to failed cancels its dependents in the same tick)
 *   4. prune finished jobs past retention          (retention.ts)
 * A failing step 2-4 is logged and counted in `maintenanceErrors`; it does not stop the tick
 * from running jobs. A failing rescue throws, as the claim would fail the same way.
 */
export async function runMaintenance(db: Db, options: MaintenanceOptions = {}): Promise<MaintenanceResult> {
  const now = options.now;
  const rescue = await rescueExpiredLeases(db, { now });
  const steps: Record<string, number> = { rescuedToPending: rescue.pending, rescuedToFailed: rescue.failed };
  const step = async (name: string, fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (err) {
      steps.maintenanceErrors = (steps.maintenanceErrors ?? 0) + 1;
      console.error(`[cronbound] maintenance step "${name}" failed; the tick goes on:`, err);
    }
  };

  if (options.registry) {
    const registry = options.registry;
    await step("schedules", async () => {
      const fired = await fireDueSchedules(db, registry, { now, limit: options.scheduleLimit });
      steps.scheduled = fired.enqueued;
      if (fired.errors) steps.scheduleErrors = fired.errors;
    });
  }
  await step("dependencies", async () => {
    const settled = await settleDependencies(db, { now });
    steps.unblocked = settled.unblocked;
    steps.dependentsCancelled = settled.cancelled;
  });
  await step("retention", async () => {
    const pruned = await pruneFinishedJobs(db, { ...DEFAULT_RETENTION, ...retentionFromEnv(), ...options.retention, now });
    steps.prunedCompleted = pruned.completed;
    steps.prunedFailed = pruned.failed;
  });
  return { rescued: rescue.pending + rescue.failed, steps };
}
