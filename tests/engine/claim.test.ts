import { beforeAll, describe, expect, it } from "vitest";
import { claimJobs, engineOf, enqueue, enqueueMany, jobColumns, runTick, type Engine } from "cronbound/engine";
import { useTestDatabase } from "../helpers/db.ts";
import { flowRegistry } from "../flow-control/registry.ts";
import { testRegistry } from "../helpers/registry.ts";

const t = useTestDatabase();
let e: Engine;
beforeAll(() => {
  e = engineOf(t.queue(testRegistry));
});

const claimOpts = (workerId: string, limit: number) => ({ workerId, limit, maxTimeoutMs: 60_000, graceMs: 1_000 });

describe("claim", () => {
  it("hands each of 2,000 jobs to exactly one of 8 concurrent claimers on separate connections", async () => {
    await t.sql("TRUNCATE jobs");
    const items = Array.from({ length: 2000 }, (_, n) => ({ type: "noop", payload: { n } }));
    await enqueueMany(e, items);
    // Eight clients, each on its own pool, so the claims really run at once in Postgres.
    const claimers = Array.from({ length: 8 }, () => engineOf(t.queue(testRegistry, {}, { pool: t.newPool(1) })));
    const claimedBy = await Promise.all(
      claimers.map(async (c, i) => {
        const ids: string[] = [];
        for (;;) {
          const jobs = await claimJobs(c, claimOpts(`claimer-${i}`, 7));
          if (!jobs.length) return ids;
          ids.push(...jobs.map((j) => j.id));
        }
      }),
    );
    const all = claimedBy.flat();
    expect(all).toHaveLength(2000);
    expect(new Set(all).size).toBe(2000);
    // More than one claimer did real work: the test exercised contention, not a single winner.
    expect(claimedBy.filter((ids) => ids.length > 0).length).toBeGreaterThan(1);
    const rows = await t.sql<{ status: string; attempts: number; n: string }>(
      "SELECT status::text, attempts, count(*)::text AS n FROM jobs GROUP BY 1, 2",
    );
    expect(rows).toEqual([{ status: "processing", attempts: 1, n: "2000" }]);
  });

  it("sets the lease from the database clock: lockedUntil = now + timeout + grace", async () => {
    await t.sql("TRUNCATE jobs");
    await enqueue(e, "noop", {}, {});
    const now = new Date("2030-01-01T00:00:00.000Z");
    const [job] = await claimJobs(e, { ...claimOpts("w", 1), now });
    expect(job.lockedBy).toBe("w");
    expect(job.lockedAt?.toISOString()).toBe(now.toISOString());
    expect(job.lockedUntil?.getTime()).toBe(now.getTime() + 5_000 + 1_000);
    expect(job.attempts).toBe(1);
    expect(job.status).toBe("processing");
  });

  it("a claimed job is the row as every other read gives it: the same fields and values, nothing of the statement's own", async () => {
    // The plain claim (its rows also carry the completed ids) and the flow claim (the key).
    const flow = engineOf(t.queue(flowRegistry));
    for (const [engine, type, payload] of [[e, "noop", {}], [flow, "per-tenant", { tenant: "a", n: 1 }]] as const) {
      await t.sql("TRUNCATE jobs");
      await enqueue(engine, type, payload, { idempotencyKey: `read-${type}` });
      const [job] = await claimJobs(engine, claimOpts("w", 1));
      expect(job.type).toBe(type);
      const [read] = await engine.db.query(`SELECT ${jobColumns().text} FROM ${engine.t.jobs.text} jobs WHERE id = $1::bigint`, [job.id]);
      expect(job).toStrictEqual(read);
      expect(Object.keys(job)).toEqual(Object.keys(read));
    }
  });

  it("takes jobs by priority, then runAt, then id, and skips jobs not yet due", async () => {
    await t.sql("TRUNCATE jobs");
    const now = new Date("2030-01-01T00:00:00Z");
    const at = (s: number) => new Date(now.getTime() + s * 1000);
    const a = await enqueue(e, "noop", {}, { runAt: at(-10), priority: 5 });
    const b = await enqueue(e, "noop", {}, { runAt: at(-5), priority: 0 });
    const c = await enqueue(e, "noop", {}, { runAt: at(-20), priority: 0 });
    await enqueue(e, "noop", {}, { runAt: at(1), priority: -100 }); // not due
    const jobs = await claimJobs(e, { ...claimOpts("w", 10), now });
    expect(jobs.map((j) => j.id)).toEqual([c.job.id, b.job.id, a.job.id]);
  });

  it("never claims a job whose timeout does not fit in the time left", async () => {
    await t.sql("TRUNCATE jobs");
    const fits = await enqueue(e, "noop", {}, { timeoutMs: 1_000 });
    const tooLong = await enqueue(e, "noop", {}, { timeoutMs: 1_001 });
    const jobs = await claimJobs(e, { ...claimOpts("w", 10), maxTimeoutMs: 1_000 });
    expect(jobs.map((j) => j.id)).toEqual([fits.job.id]);
    const [left] = await t.sql<{ status: string }>("SELECT status::text FROM jobs WHERE id = $1", [tooLong.job.id]);
    expect(left.status).toBe("pending");
  });

  it("a tick skips (and reports) jobs whose timeout exceeds its budget, and runs those that fit", async () => {
    await t.sql("TRUNCATE jobs");
    const slow = await enqueue(e, "slow-type", {}); // 120 s timeout
    const quick = await enqueue(e, "noop", {}); // 5 s timeout
    const report = await runTick(e, { budgetMs: 10_000, skipMaintenance: true });
    expect(report.claimed).toBe(1);
    expect(report.completed).toBe(1);
    expect(report.skippedForBudget).toBe(1);
    const rows = await t.sql<{ id: string; status: string; attempts: number }>("SELECT id::text, status::text, attempts FROM jobs ORDER BY jobs.id");
    expect(rows).toEqual([
      { id: slow.job.id, status: "pending", attempts: 0 },
      { id: quick.job.id, status: "completed", attempts: 1 },
    ]);
  });

  it("narrows a claim to the given job types", async () => {
    await t.sql("TRUNCATE jobs");
    await enqueue(e, "noop", {});
    const w = await enqueue(e, "work", { ms: 0 });
    const jobs = await claimJobs(e, { ...claimOpts("w", 10), types: ["work"] });
    expect(jobs.map((j) => j.id)).toEqual([w.job.id]);
  });
});
