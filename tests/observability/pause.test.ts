// Pausing a job type: no trigger claims it (overlapping ticks, a worker, the kick, a manual tick
// narrowed to it), enqueue still works, the stats show it with its backlog, and resuming makes
// the backlog run. Bad input (an unknown type) changes nothing.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runWorker, silentLogger, type Queue } from "cronbound";
import { runCli } from "cronbound/cli";
import { kick } from "cronbound/next";
import { testRegistry } from "../helpers/registry.ts";
import { useTestDatabase } from "../helpers/db.ts";
import { waitFor } from "../helpers/spawn.ts";

const t = useTestDatabase();
let q: Queue<(typeof testRegistry)["_types"]>;

beforeEach(async () => {
  await t.sql("TRUNCATE jobs, type_settings, attempt_metrics RESTART IDENTITY");
  q = t.queue(testRegistry);
});

const counts = async () =>
  Object.fromEntries(
    (await t.sql<{ k: string; n: number }>("SELECT type || ':' || status AS k, count(*)::int AS n FROM jobs GROUP BY 1")).map((r) => [r.k, r.n]),
  );
const attemptsOf = async (type: string) =>
  (await t.sql<{ n: number }>("SELECT coalesce(sum(attempts), 0)::int AS n FROM jobs WHERE type = $1", [type]))[0].n;

async function cli(argv: string[]) {
  let out = "";
  let err = "";
  const code = await runCli(argv, { queue: () => q, out: (s) => (out += `${s}\n`), err: (s) => (err += `${s}\n`), signal: new AbortController().signal, logger: silentLogger });
  return { code, out, err };
}

describe("a paused type", () => {
  it("is claimed by no trigger: two overlapping ticks, a manual tick narrowed to it, the kick, a worker; enqueue still works", async () => {
    const paused = await q.pause("noop", { reason: "downstream is down" });
    expect(paused).toMatchObject({ ok: true, type: "noop", paused: true, reason: "downstream is down", changed: true });
    // Enqueued while paused (one at a time and in bulk); older and more urgent than the other type's jobs.
    await q.enqueueMany(Array.from({ length: 60 }, (_, n) => ({ type: "noop", payload: { n }, options: { priority: -10 } })));
    const { job } = await q.enqueue("noop", { n: 999 }, { priority: -10 });
    await q.enqueueMany(Array.from({ length: 40 }, () => ({ type: "work", payload: { ms: 0 } })));
    await t.sql("CREATE TABLE IF NOT EXISTS public.effects (id bigserial PRIMARY KEY, job_id bigint NOT NULL, attempt int NOT NULL, kind text NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp())");

    // Two overlapping ticks, each an instance of its own.
    const [a, b] = [t.queue(testRegistry, {}, { pool: t.newPool(3) }), t.queue(testRegistry, {}, { pool: t.newPool(3) })];
    const reports = await Promise.all([
      a.runTick({ budgetMs: 20_000, batchSize: 5, concurrency: 5, workerId: "tick-a" }),
      b.runTick({ budgetMs: 20_000, batchSize: 5, concurrency: 5, workerId: "tick-b" }),
    ]);
    expect(reports[0].claimed + reports[1].claimed).toBe(40);
    // Paused jobs are not "skipped for budget": they are not claimable at all.
    expect(reports.map((r) => r.skippedForBudget)).toEqual([0, 0]);
    expect(await counts()).toEqual({ "noop:pending": 61, "work:completed": 40 });

    expect((await q.runTick({ budgetMs: 5_000, types: ["noop"] })).claimed).toBe(0);
    expect(await kick(q, job, { maxDuration: 30 })).toMatchObject({ claimed: 0 });

    // A worker, stopped once it has idled through a few claims.
    await q.enqueue("work", { ms: 0 });
    const stop = new AbortController();
    const ticks: number[] = [];
    const worker = runWorker(q, { signal: stop.signal, idlePauseMs: 20, busyPauseMs: 0, tickBudgetMs: 20_000 });
    await waitFor("the worker to run the unpaused job and idle", async () => {
      ticks.push(1);
      return (await counts())["work:completed"] === 41 && ticks.length > 5;
    });
    stop.abort();
    expect((await worker).jobs.completed).toBe(1);

    expect(await attemptsOf("noop")).toBe(0);
    expect(await counts()).toEqual({ "noop:pending": 61, "work:completed": 41 });
    const [setting] = await t.sql<{ paused: boolean; reason: string }>("SELECT paused_at IS NOT NULL AS paused, paused_reason AS reason FROM type_settings WHERE type = 'noop'");
    expect(setting).toEqual({ paused: true, reason: "downstream is down" });
  });

  it("shows in the stats with its backlog; resuming makes the backlog run", async () => {
    await q.pause("noop");
    await q.enqueueMany(Array.from({ length: 25 }, (_, n) => ({ type: "noop", payload: { n } })));
    await q.enqueue("noop", { n: 1 }, { delayMs: 3_600_000 });
    const stats = await q.getStats();
    expect(stats.paused).toEqual([{ type: "noop", pausedAt: expect.any(String), reason: null, pending: 26 }]);
    expect((await q.pausedTypes()).map((p) => p.type)).toEqual(["noop"]);
    // Pausing again keeps the first pause time and says nothing changed.
    const again = await q.pause("noop");
    expect(again).toMatchObject({ ok: true, changed: false, pausedAt: new Date(stats.paused[0].pausedAt) });

    expect(await q.resume("noop")).toMatchObject({ ok: true, paused: false, changed: true });
    expect(await q.resume("noop")).toMatchObject({ ok: true, paused: false, changed: false });
    expect((await q.getStats()).paused).toEqual([]);
    const report = await q.runTick({ budgetMs: 10_000 });
    expect(report.completed).toBe(25);
    expect(await counts()).toEqual({ "noop:completed": 25, "noop:pending": 1 });
  });

  it("jobs already running when the type is paused finish; their retries wait", async () => {
    await q.enqueue("failing", {});
    await t.sql("CREATE TABLE IF NOT EXISTS public.effects (id bigserial PRIMARY KEY, job_id bigint NOT NULL, attempt int NOT NULL, kind text NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp())");
    // The tick claims, then the type is paused while the attempt runs: it settles as a retry.
    const tick = q.runTick({ budgetMs: 5_000, skipMaintenance: true, onJob: () => {} });
    await waitFor("the attempt to start", async () => (await t.sql("SELECT 1 FROM jobs WHERE attempts = 1")).length > 0);
    await q.pause("failing");
    expect((await tick).retried).toBe(1);
    await t.sql("UPDATE jobs SET run_at = now() - interval '1 second'"); // the backoff is over
    expect((await q.runTick({ budgetMs: 5_000 })).claimed).toBe(0);
    await q.resume("failing");
    expect((await q.runTick({ budgetMs: 5_000 })).claimed).toBe(1);
  });

  it("the CLI pauses and resumes, and stats prints the paused type with its backlog", async () => {
    await q.enqueueMany(Array.from({ length: 3 }, (_, n) => ({ type: "noop", payload: { n } })));
    const p = await cli(["pause", "noop", "--reason", "maintenance window"]);
    expect(p.code, p.err).toBe(0);
    expect(JSON.parse(p.out)).toMatchObject({ type: "noop", paused: true, reason: "maintenance window", changed: true });
    const s = await cli(["stats"]);
    expect(s.out).toMatch(/^paused: noop since \S+ \(3 pending\): maintenance window$/m);
    expect(JSON.parse((await cli(["stats", "--json"])).out).paused).toMatchObject([{ type: "noop", pending: 3 }]);
    const r = await cli(["resume", "noop"]);
    expect(JSON.parse(r.out)).toEqual({ type: "noop", paused: false, changed: true });
    expect((await cli(["stats"])).out).not.toMatch(/paused/);
  });
});

describe("bad input: nothing changes", () => {
  afterEach(async () => {
    expect(await t.sql("SELECT * FROM type_settings")).toEqual([]);
  });

  it("pausing or resuming an unknown type is refused with the known types named", async () => {
    for (const type of ["send-fax", "", "NOOP", "'; DROP TABLE jobs; --", "x".repeat(5_000)]) {
      const r = await q.pause(type as never);
      expect(r).toMatchObject({ ok: false, reason: "unknown_type" });
      expect(r.ok || r.message).toMatch(/unknown job type .*known: noop, work/);
      expect(await q.resume(type as never)).toMatchObject({ ok: false, reason: "unknown_type" });
    }
  });

  it("an over-long or NUL-carrying reason is refused", async () => {
    expect(await q.pause("noop", { reason: "r".repeat(501) })).toMatchObject({ ok: false, reason: "invalid_reason" });
    expect(await q.pause("noop", { reason: "a\u0000b" })).toMatchObject({ ok: false, reason: "invalid_reason" });
  });

  it("the CLI exits 2 for an unknown type, a missing type and extra arguments", async () => {
    for (const [argv, message] of [
      [["pause", "send-fax"], /unknown job type "send-fax"/],
      [["resume", "send-fax"], /unknown job type "send-fax"/],
      [["pause"], /missing argument/],
      [["pause", "noop", "work"], /unexpected argument "work"/],
      [["pause", "noop", "--force"], /Unknown option '--force'/],
    ] as const) {
      const r = await cli([...argv]);
      expect(r.code, argv.join(" ")).toBe(2);
      expect(r.err).toMatch(message);
    }
  });
});
