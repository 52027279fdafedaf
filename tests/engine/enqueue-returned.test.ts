// enqueue's INSERT returns four columns (id, run_at, created_at, blocked) and builds the rest
// of the Job from what it wrote: the job it returns must be the row as stored, field for field.
import { beforeEach, describe, expect, it } from "vitest";
import { EnqueueError } from "cronbound";
import { useTestDatabase } from "../helpers/db.ts";
import { testRegistry } from "../helpers/registry.ts";

const t = useTestDatabase();
beforeEach(async () => {
  await t.sql("TRUNCATE jobs");
});

describe("the job enqueue returns", () => {
  it("equals getJob's row for every kind of enqueue", async () => {
    const q = t.queue(testRegistry);
    const first = await q.enqueue("noop", { n: 1 });
    const cases = [
      first,
      await q.enqueue("noop", {}),
      await q.enqueue("noop", { n: 2, text: "é \u2028 \"quoted\"" }, { delayMs: 60_000 }),
      await q.enqueue("work", { ms: 5 }, { runAt: new Date(Date.now() + 3_600_000), priority: -5, maxAttempts: 7, timeoutMs: 1_234 }),
      await q.enqueue("noop", { n: 3 }, { idempotencyKey: "k-1" }),
      await q.enqueue("noop", { n: 4 }, { dependsOn: [first.job.id] }),
      await q.enqueue("noop", { n: 5 }, { runAt: new Date(Date.now() - 60_000) }),
    ];
    for (const { job, created } of cases) {
      expect(created).toBe(true);
      expect(job).toEqual(await q.getJob(job.id));
    }
    expect(cases[5].job).toMatchObject({ blocked: true, dependsOn: [first.job.id] });
    // A repeated key returns the stored job, not a new one.
    const again = await q.enqueue("noop", { n: 99 }, { idempotencyKey: "k-1" });
    expect(again.created).toBe(false);
    expect(again.job).toEqual(await q.getJob(cases[4].job.id));
  });

  it("a job due now is due at once: its run_at is not after the enqueue's now()", async () => {
    const q = t.queue(testRegistry);
    for (let i = 0; i < 20; i++) {
      const { job } = await q.enqueue("noop", { n: i });
      const [row] = await t.sql<{ due: boolean }>("SELECT run_at <= now() AS due FROM jobs WHERE id = $1", [job.id]);
      expect(row.due).toBe(true);
    }
  });

  it("options are still validated when given; none (undefined, {}) are the defaults", async () => {
    const q = t.queue(testRegistry);
    const { job } = await q.enqueue("noop", { n: 1 }, {});
    expect(job).toMatchObject({ priority: 0, maxAttempts: 3, timeoutMs: 5_000 });
    await expect(q.enqueue("noop", { n: 1 }, { priority: 1.5 })).rejects.toBeInstanceOf(EnqueueError);
    await expect(q.enqueue("noop", { n: 1 }, { bogus: 1 } as never)).rejects.toBeInstanceOf(EnqueueError);
    expect((await t.sql<{ n: number }>("SELECT count(*)::int AS n FROM jobs"))[0].n).toBe(1);
  });
});
