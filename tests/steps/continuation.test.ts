// Budget-aware continuation: a job longer than any tick runs in slices. Before each step, an
// attempt with less time left than the step's declared timeoutMs ends as "continued": the job
// is pending again, due now, the attempt not counted, and the next tick replays it.
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { engineOf, enqueue, runTick, type Engine } from "cronbound/engine";
import type { TickReport } from "cronbound";
import { useTestDatabase } from "../helpers/db.ts";
import { STEP_EFFECTS_SQL, stepRegistry } from "../helpers/steps-registry.ts";

const t = useTestDatabase();
let e: Engine;
beforeAll(async () => {
  e = engineOf(t.queue(stepRegistry));
  await t.sql(STEP_EFFECTS_SQL);
});
beforeEach(async () => {
  await t.sql("TRUNCATE jobs, steps, step_effects");
});

const row = async (id: string) =>
  (await t.sql<{ status: string; attempts: number; locked_by: string | null; result: unknown; run_at_past: boolean }>(
    "SELECT status::text, attempts, locked_by, result, run_at <= now() AS run_at_past FROM jobs WHERE id = $1",
    [id],
  ))[0];

describe("continuation under the tick's budget", () => {
  it("a 60-step job (200 ms each) under 2-second ticks completes across several ticks, each step once, no tick over budget, no attempt counted", async () => {
    // The job's timeout (1.6 s) is one slice: it fits a 2 s tick, and the slice ends before
    // a step (declared 600 ms) would not fit in what is left of it.
    const { job } = await enqueue(e, "many-steps", { n: 60, ms: 200, stepTimeoutMs: 600 });
    const budgetMs = 2_000;
    const reports: TickReport[] = [];
    const windows: { start: number; deadline: number }[] = [];
    for (let i = 0; i < 40 && (await row(job.id)).status !== "completed"; i++) {
      const start = Date.now();
      const report = await runTick(e, { budgetMs, workerId: "slicer" });
      windows.push({ start, deadline: start + budgetMs });
      reports.push(report);
      const between = await row(job.id);
      if (between.status !== "completed") {
        // Between slices: pending, due now, no lease, the attempt handed back.
        expect(between).toMatchObject({ status: "pending", attempts: 0, locked_by: null, run_at_past: true });
      }
    }
    const done = await row(job.id);
    expect(done).toMatchObject({ status: "completed", attempts: 1, result: { total: 60 } });

    const ran = reports.filter((r) => r.claimed > 0);
    expect(ran.length).toBeGreaterThanOrEqual(6);
    expect(reports.reduce((n, r) => n + r.continued, 0)).toBe(ran.length - 1);
    for (const r of reports) expect(r).toMatchObject({ retried: 0, failed: 0, lost: 0, waiting: 0 });

    // Every step ran exactly once, and every step ended inside the tick that ran it.
    const effects = await t.sql<{ kind: string; n: number; attempt: number; local_ms: string }>(
      "SELECT kind, count(*) OVER (PARTITION BY kind)::int AS n, attempt, local_ms::text FROM step_effects WHERE job_id = $1 ORDER BY id",
      [job.id],
    );
    expect(effects.map((x) => x.kind)).toEqual(Array.from({ length: 60 }, (_, i) => `s${i}`));
    expect(effects.every((x) => x.n === 1 && x.attempt === 1)).toBe(true);
    for (const x of effects) {
      const at = Number(x.local_ms);
      // The tick that ran it: the last one started before the step ended.
      const w = windows.filter((w) => w.start <= at).at(-1);
      expect(w, `step ${x.kind} ended at ${at}, before any tick`).toBeDefined();
      // The step's declared 600 ms stayed clear of the deadline: it ended before it.
      expect(at, `step ${x.kind}`).toBeLessThanOrEqual(w!.deadline);
    }
    // Each stored step names the attempt that wrote it: always 1, continuations do not count.
    const [steps] = await t.sql<{ n: number; attempts: number[] }>("SELECT count(*)::int AS n, array_agg(DISTINCT attempt) AS attempts FROM steps WHERE job_id = $1", [job.id]);
    expect(steps).toEqual({ n: 60, attempts: [1] });
  }, 120_000);

  it("the first new step of an attempt always runs, so a step declared as long as the job's timeout still makes progress, one per slice", async () => {
    // Declared 1.6 s (the job's whole timeout): after one step nothing more fits.
    const { job } = await enqueue(e, "many-steps", { n: 3, ms: 0, stepTimeoutMs: 1_600 });
    const reports: TickReport[] = [];
    for (let i = 0; i < 10 && (await row(job.id)).status !== "completed"; i++) reports.push(await runTick(e, { budgetMs: 10_000, skipMaintenance: true }));
    expect(await row(job.id)).toMatchObject({ status: "completed", attempts: 1, result: { total: 3 } });
    // One tick with 10 s holds several 1.6 s slices: it claims the job again after each continuation.
    expect(reports[0]).toMatchObject({ claimed: 3, continued: 2, completed: 1 });
  });

  it("a continued job is not claimed again by a tick whose time left is shorter than the job's timeout", async () => {
    // One 200 ms step, then the next (declared 1.6 s) does not fit; the tick has ~1.5 s left.
    const { job } = await enqueue(e, "many-steps", { n: 3, ms: 200, stepTimeoutMs: 1_600 });
    const report = await runTick(e, { budgetMs: 1_700, skipMaintenance: true });
    expect(report).toMatchObject({ claimed: 1, continued: 1, skippedForBudget: 1 });
    expect(await row(job.id)).toMatchObject({ status: "pending", attempts: 0, locked_by: null, run_at_past: true });
  });
});
