import type { Db } from "../db.ts";
import { rescueExpiredLeases } from "./rescue.ts";

export interface MaintenanceResult {
  rescued: number;
  /** Counts by step name, for the tick report. */
  steps: Record<string, number>;
}

/**
 * The tick's maintenance, run before claiming. Each step is one bounded statement (or a few),
 * idempotent, and safe when ticks overlap (SKIP LOCKED or a unique key decides who does what).
 */
export async function runMaintenance(db: Db, options: { now?: Date } = {}): Promise<MaintenanceResult> {
  const rescue = await rescueExpiredLeases(db, { now: options.now });
  return {
    rescued: rescue.pending + rescue.failed,
    steps: { rescuedToPending: rescue.pending, rescuedToFailed: rescue.failed },
  };
}
