import type { Db } from "../db.ts";
import { JOB_STATUSES, type JobStatus } from "./types.ts";

export interface Stats {
  /** The article's four counts plus cancelled. */
  counts: Record<JobStatus, number>;
  /** Pending jobs whose runAt is still in the future (delayed or backing off). */
  scheduled: number;
  /** Pending jobs waiting on a dependency. */
  blocked: number;
  byType: Record<string, Record<JobStatus, number>>;
  /** Seconds since the oldest due pending job became due; 0 when none is waiting. */
  oldestPendingAgeSeconds: number;
  now: string;
}

const zero = (): Record<JobStatus, number> => Object.fromEntries(JOB_STATUSES.map((s) => [s, 0])) as Record<JobStatus, number>;

export async function getStats(db: Db): Promise<Stats> {
  const [rows, pending] = await Promise.all([
    db.$queryRaw<{ type: string; status: JobStatus; n: number }[]>`
      SELECT type, status::text AS status, count(*)::int AS n FROM jobs GROUP BY type, status`,
    db.$queryRaw<{ scheduled: number; blocked: number; age: number | null; now: Date }[]>`
      SELECT count(*) FILTER (WHERE run_at > now() AND NOT blocked)::int AS scheduled,
             count(*) FILTER (WHERE blocked)::int AS blocked,
             extract(epoch FROM now() - min(run_at) FILTER (WHERE run_at <= now() AND NOT blocked))::float8 AS age,
             now() AS now
      FROM jobs WHERE status = 'pending'`,
  ]);
  const counts = zero();
  const byType: Stats["byType"] = {};
  for (const r of rows) {
    counts[r.status] += r.n;
    (byType[r.type] ??= zero())[r.status] += r.n;
  }
  const p = pending[0];
  return {
    counts,
    scheduled: p.scheduled,
    blocked: p.blocked,
    byType,
    oldestPendingAgeSeconds: Math.max(0, Math.round((p.age ?? 0) * 10) / 10),
    now: p.now.toISOString(),
  };
}
