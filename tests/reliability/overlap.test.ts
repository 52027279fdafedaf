// DESIGN.md invariant 2: ticks that overlap (Vercel delivering a cron twice, invocations that
// outlast a minute, several workers) never run the same job attempt twice. Several full ticks
// (maintenance, claim, execute, finalize), each on its own pool, work one backlog at once;
// every execution is recorded, and each (job, attempt) must appear exactly once.
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Queue, TickReport } from "cronbound";
import { useTestDatabase } from "../helpers/db.ts";
import { EXECUTIONS_SQL, reliabilityRegistry } from "./registry.ts";

const t = useTestDatabase();
let ticks: Queue[];
const TICKS = 6;

beforeAll(async () => {
  await t.sql(EXECUTIONS_SQL);
  // Each tick a queue on its own small pool (closed with the database), as separate instances.
  ticks = Array.from({ length: TICKS }, () => t.queue(reliabilityRegistry, {}, { pool: t.newPool(3) }));
});
beforeEach(async () => {
  await t.sql("TRUNCATE jobs, executions RESTART IDENTITY");
});

const sum = (reports: TickReport[], k: keyof TickReport) => reports.reduce((n, r) => n + (r[k] as number), 0);

/** Runs the overlapping ticks until nothing is left; returns every report. */
async function drain(round: number): Promise<TickReport[]> {
  const reports: TickReport[] = [];
  for (let pass = 0; pass < 10; pass++) {
    const r = await Promise.all(
      ticks.map((q, i) => q.runTick({ budgetMs: 20_000, batchSize: 7, concurrency: 5, workerId: `r${round}-p${pass}-t${i}`, graceMs: 1_000 })),
    );
    reports.push(...r);
    const [{ open }] = await t.sql<{ open: number }>("SELECT count(*)::int AS open FROM jobs WHERE status IN ('pending', 'processing')");
    if (open === 0) break;
  }
  return reports;
}

describe(`${TICKS} overlapping ticks over one backlog`, () => {
  it.each([1, 2, 3])("round %i: every attempt runs exactly once, every job completes once, rescues and retries are shared without doubling", async (round) => {
    const N = 400;
    // A third fail their first attempt (retried at once, by whichever tick claims first); one in
    // ten waits a little so ticks finish out of order.
    await ticks[0].enqueueMany(
      Array.from({ length: N }, (_, n) => ({ type: "recorded", payload: { failUntil: n % 3 === 0 ? 1 : 0, ms: n % 10 === 0 ? 15 : 0 } })),
    );
    // Twenty jobs a crashed worker held: their leases expired, so the overlapping maintenance
    // steps must rescue each exactly once (attempt 1 counted, the job runs as attempt 2).
    const crashed = 20;
    await t.sql(
      `UPDATE jobs SET status = 'processing', attempts = 1, locked_by = 'crashed', locked_at = now() - interval '1 minute',
         locked_until = now() - interval '1 second', started_at = now() - interval '1 minute'
       WHERE id IN (SELECT id FROM jobs WHERE (payload->>'failUntil')::int = 0 ORDER BY id LIMIT $1)`,
      [crashed],
    );

    const reports = await drain(round);

    const dup = await t.sql("SELECT job_id, attempt, count(*)::int AS n FROM executions GROUP BY 1, 2 HAVING count(*) > 1");
    expect(dup, "a (job, attempt) executed twice").toEqual([]);
    const states = await t.sql<{ status: string; n: number }>("SELECT status::text, count(*)::int AS n FROM jobs GROUP BY 1");
    expect(states).toEqual([{ status: "completed", n: N }]);
    // Completed by the attempt that ran last, and each attempt's result is its own.
    const wrong = await t.sql(
      `SELECT j.id FROM jobs j WHERE (j.result->>'attempt')::int <> j.attempts
         OR j.attempts <> (SELECT max(attempt) FROM executions e WHERE e.job_id = j.id)
         OR jsonb_array_length(j.errors) <> j.attempts - 1`,
    );
    expect(wrong).toEqual([]);

    const planned = Math.ceil(N / 3); // first attempts that fail on purpose
    const [{ runs }] = await t.sql<{ runs: number }>("SELECT count(*)::int AS runs FROM executions");
    // One run per job (a crashed attempt never ran here), plus the planned failures' second runs.
    expect(runs).toBe(N + planned);
    expect(sum(reports, "rescued")).toBe(crashed);
    expect(sum(reports, "completed")).toBe(N);
    expect(sum(reports, "retried")).toBe(planned);
    expect(sum(reports, "claimed")).toBe(runs);
    expect(sum(reports, "lost")).toBe(0);
    // The ticks really overlapped: the work was spread over several of them.
    const [{ workers }] = await t.sql<{ workers: number }>("SELECT count(DISTINCT worker)::int AS workers FROM executions");
    expect(workers).toBeGreaterThan(2);
  });
});
