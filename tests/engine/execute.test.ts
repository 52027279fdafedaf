import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { engineOf, enqueue, runTick, type Engine } from "cronbound/engine";
import { useTestDatabase } from "../helpers/db.ts";
import { EFFECTS_SQL, testRegistry } from "../helpers/registry.ts";

const t = useTestDatabase();
let e: Engine;
beforeAll(async () => {
  e = engineOf(t.queue(testRegistry));
  await t.sql(EFFECTS_SQL);
});
beforeEach(async () => {
  await t.sql("TRUNCATE jobs, effects");
});

const tick = (extra: Record<string, unknown> = {}) =>
  runTick(e, { budgetMs: 20_000, skipMaintenance: true, random: () => 0, ...extra });
const job = async (id: string) =>
  (await t.sql<{ status: string; attempts: number; last_error: string | null; result: unknown; errors: { attempt: number; error: string }[]; run_in_ms: number }>(
    "SELECT status::text, attempts, last_error, result, errors, (extract(epoch FROM run_at - now()) * 1000)::float8 AS run_in_ms FROM jobs WHERE id = $1",
    [id],
  ))[0];
const effects = async (id: string) =>
  (await t.sql<{ attempt: number; kind: string }>("SELECT attempt, kind FROM effects WHERE job_id = $1 ORDER BY id", [id])).map((e) => `${e.attempt}:${e.kind}`);

describe("execute", () => {
  it("stores a handler's value as the result", async () => {
    const { job: j } = await enqueue(e, "work", { ms: 1 });
    expect(await tick()).toMatchObject({ claimed: 1, completed: 1 });
    expect(await job(j.id)).toMatchObject({ status: "completed", attempts: 1, result: { slept: 1 } });
    expect(await effects(j.id)).toEqual(["1:start", "1:end"]);
  });

  it("times out a handler that honours its signal: the attempt is retried with backoff", async () => {
    const { job: j } = await enqueue(e, "work", { ms: 60_000 }, { timeoutMs: 150, maxAttempts: 2 });
    const report = await tick();
    expect(report).toMatchObject({ claimed: 1, retried: 1, completed: 0 });
    const s = await job(j.id);
    expect(s).toMatchObject({ status: "pending", attempts: 1 });
    expect(s.last_error).toMatch(/timed out after 150 ms \(attempt 1 of 2\)/);
    expect(s.run_in_ms).toBeGreaterThan(500); // default backoff base 1 s (random pinned to 0: full delay)
    expect(await effects(j.id)).toEqual(["1:start"]); // the handler stopped at its signal
  });

  it("times out a handler that ignores its signal and discards its late result", async () => {
    // stubborn: timeout 200 ms, 2 attempts, backoff 60 s; the handler resolves after 600 ms.
    const { job: j } = await enqueue(e, "stubborn", { ms: 600 });
    const first = await tick();
    expect(first).toMatchObject({ claimed: 1, retried: 1 });
    expect(first.durationMs).toBeLessThan(600); // the tick did not wait for the handler
    await t.sql("UPDATE jobs SET run_at = now() WHERE id = $1", [j.id]);
    const second = await tick();
    expect(second).toMatchObject({ claimed: 1, failed: 1 });
    const s = await job(j.id);
    expect(s).toMatchObject({ status: "failed", attempts: 2, result: null });
    expect(s.errors.map((e) => e.attempt)).toEqual([1, 2]);
    // The late handlers finish after their attempts ended; nothing they return is stored.
    await expect.poll(() => effects(j.id), { timeout: 5_000, interval: 50 }).toEqual(["1:late-end", "2:late-end"]);
    expect((await job(j.id)).result).toBeNull();
    expect((await job(j.id)).status).toBe("failed");
  });

  it("fails once attempts are exhausted, keeping every attempt's error", async () => {
    const { job: j } = await enqueue(e, "failing", {});
    for (let attempt = 1; attempt <= 3; attempt++) {
      await t.sql("UPDATE jobs SET run_at = now() WHERE id = $1", [j.id]);
      await tick();
    }
    const s = await job(j.id);
    expect(s).toMatchObject({ status: "failed", attempts: 3, last_error: "Error: boom on attempt 3" });
    expect(s.errors.map((e) => e.error)).toEqual(["Error: boom on attempt 1", "Error: boom on attempt 2", "Error: boom on attempt 3"]);
  });

  it("fails at once, without retries, on a NonRetryableError", async () => {
    const { job: j } = await enqueue(e, "failing", { permanent: true });
    expect(await tick()).toMatchObject({ failed: 1, retried: 0 });
    expect(await job(j.id)).toMatchObject({ status: "failed", attempts: 1, last_error: "NonRetryableError: the address does not exist" });
  });

  it("fails a stored payload that no longer matches its schema once, with a clear error, without running the handler", async () => {
    const { job: j } = await enqueue(e, "work", { ms: 1 });
    await t.sql(`UPDATE jobs SET payload = '{"ms": "soon"}' WHERE id = $1`, [j.id]); // the schema moved on
    expect(await tick()).toMatchObject({ claimed: 1, failed: 1, retried: 0 });
    const s = await job(j.id);
    expect(s).toMatchObject({ status: "failed", attempts: 1 });
    expect(s.last_error).toMatch(/payload no longer matches the schema of "work": ms: .*expected number/);
    expect(await effects(j.id)).toEqual([]);
  });

  it("fails a job whose type has no handler", async () => {
    const { job: j } = await enqueue(e, "noop", {});
    await t.sql("UPDATE jobs SET type = 'retired-type' WHERE id = $1", [j.id]);
    expect(await tick()).toMatchObject({ failed: 1 });
    expect((await job(j.id)).last_error).toMatch(/unknown job type "retired-type"/);
  });

  it("runs at most `concurrency` handlers at once", async () => {
    for (let i = 0; i < 12; i++) await enqueue(e, "work", { ms: 80 });
    const report = await tick({ concurrency: 3, batchSize: 10 });
    expect(report).toMatchObject({ claimed: 12, completed: 12 });
    // Reconstruct overlap from the effects: at no instant were more than 3 running.
    const rows = await t.sql<{ kind: string; at: Date }>("SELECT kind, at FROM effects ORDER BY at, id");
    let live = 0;
    let peak = 0;
    for (const r of rows) {
      live += r.kind === "start" ? 1 : -1;
      peak = Math.max(peak, live);
    }
    expect(peak).toBeLessThanOrEqual(3);
    expect(peak).toBeGreaterThan(1);
  });

  it("stops claiming when its budget is spent and never starts a job that would overrun it", async () => {
    // Each job may take 700 ms (it sleeps 300: a loaded machine's late timers never time it
    // out); with a 1,500 ms budget a job is only started while >= 700 ms is left.
    for (let i = 0; i < 10; i++) await enqueue(e, "work", { ms: 300 }, { timeoutMs: 700 });
    const started = Date.now();
    const report = await tick({ budgetMs: 1_500, concurrency: 1, batchSize: 1 });
    const elapsed = Date.now() - started;
    expect(report.claimed).toBeGreaterThanOrEqual(1);
    expect(report.claimed).toBeLessThan(10);
    expect(report.completed).toBe(report.claimed);
    expect(report.skippedForBudget).toBeGreaterThan(0);
    expect(elapsed).toBeLessThan(1_900); // the deadline plus finalizing, never a whole extra job
  });
});
