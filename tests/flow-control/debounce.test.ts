import { beforeEach, describe, expect, it } from "vitest";
import { claimJobs, engineOf, enqueue, enqueueMany, type Engine } from "cronbound/engine";
import { EnqueueError } from "cronbound";
import { useTestDatabase } from "../helpers/db.ts";
import { flowRegistry } from "./registry.ts";

const t = useTestDatabase({ poolMax: 20 });
let e: Engine;

beforeEach(async () => {
  await t.sql("TRUNCATE jobs, flow_starts, flow_keys, type_settings");
  e = engineOf(t.queue(flowRegistry));
});

const now = new Date("2030-01-01T00:00:00.000Z");

describe("debounce", () => {
  it('"last": 100 concurrent enqueues with one key give exactly one job, due 5 s after the first, with the last payload', async () => {
    const results = await Promise.all(Array.from({ length: 100 }, (_, n) => enqueue(e, "debounce-last", { user: "u1", n }, { now })));
    expect(new Set(results.map((r) => r.job.id)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    const rows = await t.sql<{ payload: { n: number }; run_at: Date; status: string }>("SELECT payload, run_at, status::text FROM jobs");
    expect(rows).toHaveLength(1);
    expect(rows[0].status).toBe("pending");
    expect(rows[0].run_at.toISOString()).toBe("2030-01-01T00:00:05.000Z");
    // Each enqueue returned the row as its own write left it; the row holds one of them (the
    // update that committed last: the row lock orders them).
    expect(results.map((r) => (r.job.payload as { n: number }).n).sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, n) => n));
    expect(rows[0].payload.n).toBeGreaterThanOrEqual(0);
    // A later enqueue within the window replaces the payload and keeps the due time.
    const later = await enqueue(e, "debounce-last", { user: "u1", n: 1000 }, { now: new Date(now.getTime() + 3000) });
    expect(later.created).toBe(false);
    expect(later.job.id).toBe(results[0].job.id);
    expect(later.job.payload).toEqual({ user: "u1", n: 1000 });
    expect(later.job.runAt.toISOString()).toBe("2030-01-01T00:00:05.000Z");
    // Another key is another job.
    const other = await enqueue(e, "debounce-last", { user: "u2", n: 1 }, { now });
    expect(other.created).toBe(true);
    expect(other.job.id).not.toBe(results[0].job.id);
  });

  it('"first": 100 concurrent enqueues with one key give exactly one job with the payload of the enqueue that created it', async () => {
    const results = await Promise.all(Array.from({ length: 100 }, (_, n) => enqueue(e, "debounce-first", { user: "u1", n }, { now })));
    expect(new Set(results.map((r) => r.job.id)).size).toBe(1);
    const created = results.filter((r) => r.created);
    expect(created).toHaveLength(1);
    const rows = await t.sql<{ payload: unknown }>("SELECT payload FROM jobs");
    expect(rows).toEqual([{ payload: created[0].job.payload }]);
    // Every enqueue got the job as stored: the first payload.
    for (const r of results) expect(r.job.payload).toEqual(created[0].job.payload);
  });

  it("the window ends when the job is claimed: the next enqueue makes a new job, and a retried job never collides with it", async () => {
    const first = await enqueue(e, "debounce-last", { user: "u1", n: 1 }, { now });
    const [claimed] = await claimJobs(e, { workerId: "w", limit: 1, maxTimeoutMs: 60_000, graceMs: 1_000, now: new Date(now.getTime() + 6000) });
    expect(claimed.id).toBe(first.job.id);
    const second = await enqueue(e, "debounce-last", { user: "u1", n: 2 }, { now: new Date(now.getTime() + 7000) });
    expect(second.created).toBe(true);
    expect(second.job.id).not.toBe(first.job.id);
    // The first job's retry puts it back to pending beside the second: no unique violation.
    await t.sql("UPDATE jobs SET status = 'pending', locked_by = NULL, locked_at = NULL, locked_until = NULL WHERE id = $1", [first.job.id]);
    const keys = await t.sql<{ id: string; debounce_key: string | null }>("SELECT id::text, debounce_key FROM jobs ORDER BY id");
    expect(keys).toEqual([
      { id: first.job.id, debounce_key: null },
      { id: second.job.id, debounce_key: "u1" },
    ]);
  });

  it("a debounced job cancelled before it ran can be retried beside the next pending one", async () => {
    const q = t.queue(flowRegistry);
    const first = await enqueue(e, "debounce-first", { user: "u1", n: 1 }, { now });
    expect((await q.cancelJob(first.job.id)).ok).toBe(true);
    const second = await enqueue(e, "debounce-first", { user: "u1", n: 2 }, { now });
    expect(second.created).toBe(true);
    const retried = await q.retryJob(first.job.id);
    expect(retried.ok).toBe(true);
    const rows = await t.sql<{ status: string; n: number }>("SELECT status::text, count(*)::int AS n FROM jobs GROUP BY 1");
    expect(rows).toEqual([{ status: "pending", n: 2 }]);
  });

  it("refuses idempotencyKey, dependsOn and enqueueMany for a debounced type, writing nothing", async () => {
    await expect(enqueue(e, "debounce-last", { user: "u", n: 1 }, { idempotencyKey: "k" })).rejects.toThrow(/debounces: it takes no idempotencyKey or dependsOn/);
    await expect(enqueueMany(e, [{ type: "plain", payload: { n: 1 } }, { type: "debounce-first", payload: { user: "u", n: 1 } }])).rejects.toThrow(
      /"debounce-first" debounces: enqueue it with enqueue\(\), not enqueueMany \(item 1\)/,
    );
    await expect(enqueue(e, "debounce-last", { user: "u", n: 1 }, { dependsOn: ["1"] })).rejects.toBeInstanceOf(EnqueueError);
    expect(await t.sql("SELECT id FROM jobs")).toEqual([]);
  });
});
