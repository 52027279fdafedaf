import { queryRows } from "../db.ts";
import { errorFields } from "../logger.ts";
import { sql } from "../sql.ts";
import type { Engine } from "./context.ts";
import type { Execution } from "./execute.ts";
import type { Job } from "./types.ts";

/**
 * While jobs run, look every `intervalMs` for those whose row no longer carries this
 * attempt's lease: cancelled (cancelJob), or rescued because the lease expired. Their signal
 * fires, so the handler can stop, and their result will be discarded. One indexed query per
 * interval for all running jobs, whatever their number.
 */
export function watchRunning(
  e: Engine,
  workerId: string,
  running: () => Map<string, { job: Job; exec: Execution }>,
  intervalMs: number,
): { stop(): void } {
  let busy = false;
  const timer = setInterval(async () => {
    const jobs = [...running().values()];
    if (busy || !jobs.length) return;
    busy = true;
    try {
      const rows = await queryRows<{ id: string; status: string }>(e.db, sql`
        SELECT j.id::text AS id, j.status::text AS status
        FROM ${e.t.jobs} j JOIN unnest(${jobs.map((r) => r.job.id)}::bigint[], ${jobs.map((r) => r.job.attempts)}::int[]) AS d(id, attempt)
          ON j.id = d.id
        WHERE NOT (j.status = 'processing' AND j.locked_by = ${workerId} AND j.attempts = d.attempt)`);
      for (const row of rows) {
        const r = running().get(row.id);
        if (!r) continue;
        if (row.status === "cancelled") r.exec.stop("cancelled", "cancelled while running");
        else r.exec.stop("lost", `lease lost (job is now ${row.status})`);
      }
    } catch (err) {
      // A failed look is retried next interval; the fenced writes protect the data regardless.
      e.log.warn({ event: "watch_failed", ...errorFields(err) }, "checking running jobs for a cancel or a lost lease failed; trying again next interval");
    } finally {
      busy = false;
    }
  }, intervalMs);
  timer.unref?.();
  return { stop: () => clearInterval(timer) };
}
