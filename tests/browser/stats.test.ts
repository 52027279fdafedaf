// getStats' per-minute series and failure rate (what the dashboard's chart and
// GET /api/jobs/stats show), checked on both sides of the window's edge.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDatabase, type TestDatabase } from "../helpers/db.ts";
import { testRegistry } from "../helpers/registry.ts";

let t: TestDatabase;
beforeAll(async () => {
  t = await testDatabase();
});
afterAll(async () => t?.close());

const finished = (status: string, at: string) =>
  t.sql(
    `INSERT INTO jobs (type, payload, status, attempts, timeout_ms, finished_at) VALUES ('noop', '{}', $1::job_status, 1, 1000, $2::timestamptz)`,
    [status, at],
  );

/**
 * Seeds relative to the database's current minute and reads the stats; if the minute turned
 * in between (the window moved), starts over, so the edge cases stay exact.
 */
async function statsWithin(seed: (minute: Date) => Promise<void>) {
  for (let i = 0; i < 3; i++) {
    await t.sql("TRUNCATE jobs");
    const [{ m }] = await t.sql<{ m: Date }>("SELECT date_trunc('minute', now()) AS m");
    await seed(m);
    const stats = await t.queue(testRegistry).getStats();
    if (stats.perMinute[59].minute === m.toISOString()) return { stats, minute: m };
  }
  throw new Error("the minute kept turning");
}

const iso = (d: Date, deltaMs: number) => new Date(d.getTime() + deltaMs).toISOString();

describe("getStats perMinute and failureRate", () => {
  it("has 60 one-minute buckets ending with the current minute, zeros included", async () => {
    const { stats, minute } = await statsWithin(async () => {});
    expect(stats.perMinute).toHaveLength(60);
    expect(stats.perMinute[0].minute).toBe(iso(minute, -59 * 60_000));
    expect(stats.perMinute.every((b) => b.completed === 0 && b.failed === 0)).toBe(true);
    expect(stats.failureRate).toBeNull();
  });

  it("counts a job finished at the window's first instant and not one a millisecond earlier", async () => {
    const { stats } = await statsWithin(async (m) => {
      await finished("completed", iso(m, -59 * 60_000));
      await finished("failed", iso(m, -59 * 60_000 - 1));
      await finished("completed", iso(m, -59 * 60_000 - 1));
    });
    expect(stats.perMinute[0]).toMatchObject({ completed: 1, failed: 0 });
    expect(stats.perMinute.reduce((n, b) => n + b.completed + b.failed, 0)).toBe(1);
    expect(stats.failureRate).toBe(0);
  });

  it("puts each job in its minute, leaves cancelled jobs out, and rates failures over the hour", async () => {
    const { stats } = await statsWithin(async (m) => {
      await finished("completed", iso(m, 0));
      await finished("failed", iso(m, 1));
      await finished("completed", iso(m, -60_000 + 59_999));
      await finished("completed", iso(m, -60_000));
      await finished("cancelled", iso(m, -60_000));
      await finished("failed", iso(m, -30 * 60_000));
    });
    expect(stats.perMinute[59]).toMatchObject({ completed: 1, failed: 1 });
    expect(stats.perMinute[58]).toMatchObject({ completed: 2, failed: 0 });
    expect(stats.perMinute[29]).toMatchObject({ completed: 0, failed: 1 });
    // 2 failed of 5 completed or failed; cancelled is neither
    expect(stats.failureRate).toBe(0.4);
    expect(stats.counts.cancelled).toBe(1);
  });
});
