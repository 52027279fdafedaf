import { z } from "zod";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createRegistry, defineJob } from "cronbound";
import { cancelJob, engineOf, enqueue, runTick, type Engine } from "cronbound/engine";
import { useTestDatabase } from "../helpers/db.ts";
import { EFFECTS_SQL, noop, work } from "../helpers/registry.ts";

/** Ignores its signal: returns "late" after `ms`, recording that it did. */
const deaf = defineJob({
  name: "deaf",
  schema: z.object({ ms: z.number().int() }),
  timeoutMs: 10_000,
  async handler(payload, { job, db }) {
    await new Promise((r) => setTimeout(r, payload.ms));
    await db.execute("INSERT INTO public.effects (job_id, attempt, kind) VALUES ($1::bigint, $2, 'late-end')", [job.id, job.attempts]);
    return "late";
  },
});
const registry = createRegistry([noop, work, deaf]);

const t = useTestDatabase();
let e: Engine;
beforeAll(async () => {
  e = engineOf(t.queue(registry));
  await t.sql(EFFECTS_SQL);
});
beforeEach(async () => {
  await t.sql("TRUNCATE jobs, effects");
});

const add = async (type: string, payload: object, dependsOn: string[] = []) => (await enqueue(e, type, payload, { dependsOn })).job.id;
const row = async (id: string) =>
  (await t.sql<{ status: string; last_error: string | null; result: unknown; locked_by: string | null }>(
    "SELECT status::text, last_error, result, locked_by FROM jobs WHERE id = $1",
    [id],
  ))[0];
const effects = async (id: string) => (await t.sql<{ kind: string }>("SELECT kind FROM effects WHERE job_id = $1 ORDER BY id", [id])).map((e) => e.kind);

async function until(check: () => Promise<boolean>, what: string, ms = 5_000) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("cancelJob", () => {
  it("a pending job becomes cancelled with the reason, and no tick runs it", async () => {
    const id = await add("noop", {});
    const r = await cancelJob(e, id, { reason: "not needed any more" });
    expect(r).toMatchObject({ ok: true, job: { id, status: "cancelled", lastError: "not needed any more" } });
    const report = await runTick(e, { budgetMs: 10_000 });
    expect(report.claimed).toBe(0);
  });

  it("a running job's signal fires within the watch interval, the tick reports it cancelled, and nothing more is written", async () => {
    const id = await add("work", { ms: 4_000 });
    const started = Date.now();
    const tick = runTick(e, { budgetMs: 20_000, watchIntervalMs: 50 });
    await until(async () => (await effects(id)).includes("start"), "the handler to start");
    expect(await cancelJob(e, id, { reason: "stop it" })).toMatchObject({ ok: true });
    const report = await tick;
    expect(report).toMatchObject({ claimed: 1, cancelled: 1, completed: 0, failed: 0, retried: 0, lost: 0 });
    // The handler was stopped by its signal: it never reached its end (4 s after it started).
    expect(await effects(id)).toEqual(["start"]);
    expect(Date.now() - started).toBeLessThan(3_500);
    expect(await row(id)).toEqual({ status: "cancelled", last_error: "stop it", result: null, locked_by: null });
  });

  it("a running handler that ignores its signal has its late result discarded", async () => {
    const id = await add("deaf", { ms: 600 });
    const tick = runTick(e, { budgetMs: 20_000, watchIntervalMs: 50 });
    await until(async () => (await row(id)).status === "processing", "the job to be claimed");
    await cancelJob(e, id);
    const report = await tick;
    expect(report).toMatchObject({ cancelled: 1, completed: 0 });
    await until(async () => (await effects(id)).includes("late-end"), "the deaf handler to finish anyway");
    expect(await row(id)).toMatchObject({ status: "cancelled", result: null });
  });

  it("a finished job is left alone, with an answer that says why; an unknown id is not_found", async () => {
    const id = await add("noop", {});
    await runTick(e, { budgetMs: 10_000 });
    expect(await cancelJob(e, id)).toEqual({
      ok: false,
      reason: "wrong_status",
      status: "completed",
      message: `job ${id} is completed; only pending or processing jobs can be cancelled`,
    });
    expect((await row(id)).status).toBe("completed");
    expect(await cancelJob(e, "999999")).toEqual({ ok: false, reason: "not_found" });
    expect(await cancelJob(e, "nope")).toEqual({ ok: false, reason: "not_found" });
  });

  it("cancelling a job cancels the jobs that depend on it, down the chain, each naming its dependency", async () => {
    const a = await add("noop", {});
    const b = await add("noop", {}, [a]);
    const c = await add("noop", {}, [b]);
    const unrelated = await add("noop", {});
    await cancelJob(e, a, { reason: "user asked" });
    expect((await row(b)).last_error).toBe(`dependency ${a} (noop) was cancelled: user asked`);
    expect(await row(c)).toMatchObject({ status: "cancelled", last_error: `dependency ${b} (noop) was cancelled: dependency ${a} (noop) was cancelled: user asked` });
    expect((await row(unrelated)).status).toBe("pending");
  });

  it("cancelling a running job cancels its dependents too", async () => {
    const a = await add("work", { ms: 4_000 });
    const b = await add("noop", {}, [a]);
    const tick = runTick(e, { budgetMs: 20_000, watchIntervalMs: 50 });
    await until(async () => (await effects(a)).includes("start"), "the handler to start");
    await cancelJob(e, a);
    expect(await row(b)).toMatchObject({ status: "cancelled", last_error: `dependency ${a} (work) was cancelled: cancelled` });
    expect((await tick).completed).toBe(0);
  });
});
