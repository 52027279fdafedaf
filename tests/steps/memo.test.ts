// Memoized steps: a finished step returns its stored result on every later run without running
// again; a failed one runs again; misuse (bad ids, results that cannot be stored, sleeps into
// the past, bad event names) fails the job at once with a clear error; retention deletes a
// job's steps with it.
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { createRegistry, defineJob } from "cronbound";
import { engineOf, enqueue, pruneFinishedJobs, runTick, type Engine } from "cronbound/engine";
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

const tick = () => runTick(e, { budgetMs: 10_000, skipMaintenance: true });
const job = async (id: string) =>
  (await t.sql<{ status: string; attempts: number; result: unknown; last_error: string | null }>(
    "SELECT status::text, attempts, result, last_error FROM jobs WHERE id = $1",
    [id],
  ))[0];
const effects = async (id: string) => (await t.sql<{ kind: string; attempt: number }>("SELECT kind, attempt FROM step_effects WHERE job_id = $1 ORDER BY id", [id])).map((r) => `${r.attempt}:${r.kind}`);

describe("memoized steps", () => {
  it("a retry replays finished steps from their stored results and runs a failed step again", async () => {
    const { job: j } = await enqueue(e, "retry-after-step", {});
    for (let i = 0; i < 5 && (await job(j.id)).status !== "completed"; i++) {
      await tick();
      await t.sql("UPDATE jobs SET run_at = now() WHERE id = $1 AND status = 'pending'", [j.id]);
    }
    const done = await job(j.id);
    expect(done).toMatchObject({ status: "completed", attempts: 3 });
    // "a" ran once (attempt 1); "b" failed on attempt 2 and ran again on 3.
    expect(await effects(j.id)).toEqual(["1:a", "2:b", "3:b"]);
    // The value is the stored JSON on every run: the Date is a string, undefined is gone.
    expect(done.result).toEqual({ a: { at: "2030-01-01T00:00:00.000Z", n: 1 }, b: "b", sameShape: "string" });
    const steps = await t.sql("SELECT step_id, status, attempt, error FROM steps WHERE job_id = $1 ORDER BY step_id", [j.id]);
    expect(steps).toEqual([
      { step_id: "a", status: "completed", attempt: 1, error: null },
      { step_id: "b", status: "completed", attempt: 3, error: null },
    ]);
  });

  it("a handler that catches the suspension and returns still waits: the sleep decides the attempt", async () => {
    const { job: j } = await enqueue(e, "swallower", {});
    expect(await tick()).toMatchObject({ claimed: 1, waiting: 1, completed: 0 });
    expect(await job(j.id)).toMatchObject({ status: "pending", attempts: 0, result: null });
  });

  it("retention deletes a job's steps with the job, and nothing else's", async () => {
    const { job: old } = await enqueue(e, "retry-after-step", {});
    const { job: kept } = await enqueue(e, "retry-after-step", {});
    await tick();
    await t.sql("UPDATE jobs SET run_at = now()");
    await tick();
    await t.sql("UPDATE jobs SET run_at = now()");
    await tick();
    expect((await job(old.id)).status).toBe("completed");
    await t.sql("UPDATE jobs SET finished_at = now() - interval '30 days' WHERE id = $1", [old.id]);
    expect(await pruneFinishedJobs(e, { completedAfterMs: 7 * 86_400_000 })).toEqual({ completed: 1, failed: 0 });
    expect(await t.sql("SELECT job_id::text FROM steps GROUP BY job_id ORDER BY job_id")).toEqual([{ job_id: kept.id }]);
  });
});

describe("misused steps fail the job at once with a clear error", () => {
  const cases: [string, RegExp][] = [
    ["empty-id", /^StepError: a step id must not be empty$/],
    ["long-id", /^StepError: step id "x{40}\.\.\." is 201 characters; the limit is 200$/],
    ["unserializable", /^StepError: step "big-int" returned a value that is not JSON-serializable \(.*BigInt.*\)$/],
    ["cyclic", /^StepError: step "cyclic" returned a value that is not JSON-serializable \(.*circular.*\)$/i],
    ["too-large", /^StepError: step "huge" returned a value that is 70002 bytes as JSON; the limit is 65536$/],
    ["past-sleep", /^StepError: sleep "nap" until .* is in the past \(the database's clock says .*\)$/],
    ["negative-sleep", /^StepError: sleep "nap": the duration must be in the future \(got -5 ms\)$/],
    ["long-event", /^StepError: waitForEvent "wait": event name "e{40}\.\.\." is 201 characters; the limit is 200$/],
    ["duplicate-id", /^StepError: step id "same" is used twice in one run/],
    ["unknown-child", /^StepError: invoke "kid": unknown job type "no-such-type"/],
  ];
  it.each(cases)("%s", async (how, message) => {
    const { job: j } = await enqueue(e, "misuse", { how });
    expect(await tick()).toMatchObject({ claimed: 1, failed: 1, retried: 0 });
    const row = await job(j.id);
    expect(row).toMatchObject({ status: "failed", attempts: 1 });
    expect(row.last_error).toMatch(message);
    // Nothing completed was stored for the bad step (a result that could not be stored is recorded as failed).
    const stored = await t.sql<{ step_id: string; status: string }>("SELECT step_id, status FROM steps WHERE job_id = $1 ORDER BY step_id", [j.id]);
    expect(stored.filter((s) => s.status === "completed").map((s) => s.step_id)).toEqual(how === "duplicate-id" ? ["same"] : []);
    expect(await t.sql("SELECT 1 FROM jobs WHERE parent_id = $1", [j.id])).toEqual([]);
  });

  it("a step id whose kind changed between runs is refused", async () => {
    const { job: j } = await enqueue(e, "sleeper", { ms: 60_000 });
    // An earlier version of the handler stored "nap" as a plain step.
    await t.sql(`INSERT INTO steps (job_id, step_id, kind, status, attempt, result, finished_at) VALUES ($1, 'nap', 'run', 'completed', 1, 'null', now())`, [j.id]);
    await tick();
    expect((await job(j.id)).last_error).toMatch(/step id "nap" was a run step in an earlier run of this job and is a sleep step now/);
  });

  it("a handler's first step called after its attempt ended is refused, and its function never runs", async () => {
    // The step runner is made on the first step call; one made after the attempt ended must
    // refuse as a runner made at the start would (calls after the end do nothing).
    let late: Promise<unknown> | undefined;
    let ran = false;
    const registry = createRegistry([
      defineJob({
        name: "early",
        schema: z.object({}),
        timeoutMs: 5_000,
        async handler(_p, ctx) {
          late = new Promise((resolve) => setTimeout(resolve, 0)).then(() =>
            ctx.step("late", () => {
              ran = true;
              return 1;
            }),
          );
          late.catch(() => {});
          return "done";
        },
      }),
    ]);
    const own = engineOf(t.queue(registry));
    const { job: j } = await enqueue(own, "early", {});
    expect(await runTick(own, { budgetMs: 10_000, skipMaintenance: true })).toMatchObject({ claimed: 1, completed: 1 });
    await expect(late).rejects.toThrow(/called after its attempt ended/);
    expect(ran).toBe(false);
    expect(await job(j.id)).toMatchObject({ status: "completed", result: "done" });
    expect(await t.sql("SELECT step_id FROM steps WHERE job_id = $1", [j.id])).toEqual([]);
  });
});
