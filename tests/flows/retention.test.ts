import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { engineOf, pruneFinishedJobs, runMaintenance, runTick, type Engine } from "cronbound/engine";
import { useTestDatabase } from "../helpers/db.ts";
import { testRegistry } from "../helpers/registry.ts";

const t = useTestDatabase();
let e: Engine;
beforeAll(() => {
  e = engineOf(t.queue(testRegistry));
});
beforeEach(async () => {
  await t.sql("TRUNCATE jobs");
});

const now = new Date("2030-06-01T12:00:00.000Z");
const DAY = 86_400_000;

/** `n` jobs in `status`, finished `agoMs` before `now` (pending/processing ones created then). */
async function rows(n: number, status: string, agoMs: number, tag = ""): Promise<void> {
  const at = new Date(now.getTime() - agoMs);
  await t.sql(
    `INSERT INTO jobs (type, payload, status, timeout_ms, attempts, created_at, run_at, finished_at, locked_by, locked_at, locked_until)
     SELECT 'noop', jsonb_build_object('tag', $4::text, 'i', i), $2::job_status, 1000, 1, $3, $3,
            CASE WHEN $2 IN ('completed', 'failed', 'cancelled') THEN $3::timestamptz END,
            CASE WHEN $2 = 'processing' THEN 'w' END, CASE WHEN $2 = 'processing' THEN $3::timestamptz END,
            CASE WHEN $2 = 'processing' THEN $3::timestamptz + interval '100 years' END
     FROM generate_series(1, $1) AS i`,
    [n, status, at, tag],
  );
}
const left = async () =>
  Object.fromEntries(
    (await t.sql<{ k: string; n: number }>("SELECT status || ':' || (payload->>'tag') AS k, count(*)::int AS n FROM jobs GROUP BY 1 ORDER BY 1")).map((r) => [r.k, r.n]),
  );

describe("retention: pruneFinishedJobs", () => {
  it("deletes completed jobs after 7 days and failed or cancelled ones after 30, on each side of the boundary", async () => {
    await rows(1, "completed", 7 * DAY + 1, "old");
    await rows(1, "completed", 7 * DAY, "edge"); // exactly 7 days: kept until the next millisecond
    await rows(1, "failed", 8 * DAY, "young");
    await rows(1, "cancelled", 8 * DAY, "young");
    await rows(1, "failed", 30 * DAY + 1, "old");
    await rows(1, "cancelled", 30 * DAY + 1, "old");
    await rows(1, "failed", 30 * DAY, "edge");
    await rows(1, "pending", 400 * DAY, "ancient");
    await rows(1, "processing", 400 * DAY, "ancient");
    expect(await pruneFinishedJobs(e, { now })).toEqual({ completed: 1, failed: 2 });
    expect(await left()).toEqual({
      "cancelled:young": 1, "completed:edge": 1, "failed:edge": 1, "failed:young": 1, "pending:ancient": 1, "processing:ancient": 1,
    });
    expect(await pruneFinishedJobs(e, { now })).toEqual({ completed: 0, failed: 0 });
  });

  it("is bounded per tick: a backlog drains over several ticks, completed first, failed with what is left", async () => {
    await rows(2_500, "completed", 10 * DAY);
    await rows(10, "failed", 40 * DAY);
    const prune = async () => (await runMaintenance(e, { now, retention: { limit: 1_000 } })).steps;
    expect(await prune()).toMatchObject({ prunedCompleted: 1_000, prunedFailed: 0 });
    expect(await prune()).toMatchObject({ prunedCompleted: 1_000, prunedFailed: 0 });
    expect(await prune()).toMatchObject({ prunedCompleted: 500, prunedFailed: 10 });
    expect(await prune()).toMatchObject({ prunedCompleted: 0, prunedFailed: 0 });
  });

  it("takes its settings from the tick (and limit 0 turns it off)", async () => {
    await rows(5, "completed", 2 * DAY);
    const off = await runTick(e, { budgetMs: 1_000, now, retention: { limit: 0 } });
    expect(off.maintenance).toMatchObject({ prunedCompleted: 0, prunedFailed: 0 });
    const on = await runTick(e, { budgetMs: 1_000, now, retention: { completedAfterMs: DAY } });
    expect(on.maintenance).toMatchObject({ prunedCompleted: 5 });
  });

  it("4 overlapping ticks delete each row once and together delete them all", async () => {
    await rows(3_000, "completed", 10 * DAY);
    const clients = Array.from({ length: 4 }, () => engineOf(t.queue(testRegistry, {}, { pool: t.newPool(1) })));
    const drain = async (c: Engine) => {
      let total = 0;
      for (let n = -1; n !== 0; total += n) n = (await pruneFinishedJobs(c, { now, limit: 200 })).completed;
      return total;
    };
    const deleted = await Promise.all(clients.map(drain));
    expect(deleted.reduce((a, b) => a + b, 0)).toBe(3_000);
    expect(deleted.filter((n) => n > 0).length).toBeGreaterThan(1);
    expect(await left()).toEqual({});
  });
});
