// A job of five steps whose worker process is SIGKILLed right after step 3's result was
// stored: the rescued job replays steps 1-3 from their stored results, runs 4 and 5, and
// completes once. Each step's side effect is an outbox row, counted.
import { spawn } from "node:child_process";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { engineOf, enqueue, runTick, type Engine } from "cronbound/engine";
import { useTestDatabase } from "../helpers/db.ts";
import { stepRegistry } from "../helpers/steps-registry.ts";

const t = useTestDatabase();
let e: Engine;
beforeAll(() => {
  e = engineOf(t.queue(stepRegistry));
});

const root = path.resolve(import.meta.dirname, "../..");

describe("durable steps survive a killed process", () => {
  it("after a SIGKILL following step 3's write, steps 1-3 are not run again, 4-5 run, the job completes once", async () => {
    const { job } = await enqueue(e, "five-steps", { hangMs: 120_000 });
    const child = spawn(process.execPath, ["--import", "tsx", "tests/helpers/steps-tick-child.ts"], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: t.url, WORKER_ID: "doomed" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on("exit", (_code, signal) => resolve(signal)));

    // Step 3's result is stored (and the handler hangs on the first attempt right after it).
    await expect
      .poll(async () => (await t.sql<{ n: number }>("SELECT count(*)::int AS n FROM steps WHERE job_id = $1 AND status = 'completed'", [job.id]))[0].n, {
        timeout: 30_000,
        interval: 25,
      })
      .toBe(3);
    child.kill("SIGKILL");
    expect(await exited).toBe("SIGKILL");
    expect(out).not.toMatch(/"completed":/); // the child never got to report

    const [held] = await t.sql<{ status: string; locked_by: string; attempts: number }>("SELECT status::text, locked_by, attempts FROM jobs WHERE id = $1", [job.id]);
    expect(held).toEqual({ status: "processing", locked_by: "doomed", attempts: 1 });
    expect(await outbox(job.id)).toEqual({ "step-1": 1, "step-2": 1, "step-3": 1 });

    // The lease expires (backdated), a tick rescues the job and replays it.
    await t.sql("UPDATE jobs SET locked_until = now() - interval '1 ms' WHERE id = $1", [job.id]);
    const report = await runTick(e, { budgetMs: 90_000, workerId: "survivor" });
    expect(report).toMatchObject({ rescued: 1, claimed: 1, completed: 1, lost: 0, continued: 0, waiting: 0 });

    expect(await outbox(job.id)).toEqual({ "step-1": 1, "step-2": 1, "step-3": 1, "step-4": 1, "step-5": 1 });
    const [done] = await t.sql<{ status: string; attempts: number; result: { sent: string[] } }>("SELECT status::text, attempts, result FROM jobs WHERE id = $1", [job.id]);
    expect(done.status).toBe("completed");
    expect(done.attempts).toBe(2); // the killed attempt counts, as any crash does
    // The replay returned the stored outbox ids of steps 1-3: the result names each row once.
    const ids = (await t.sql<{ id: string }>("SELECT id::text FROM outbox WHERE job_id = $1 ORDER BY id", [job.id])).map((r) => r.id);
    expect(done.result.sent).toEqual(ids);
    const steps = await t.sql<{ step_id: string; attempt: number }>("SELECT step_id, attempt FROM steps WHERE job_id = $1 ORDER BY step_id", [job.id]);
    expect(steps).toEqual([1, 1, 1, 2, 2].map((attempt, i) => ({ step_id: `send-${i + 1}`, attempt })));
  });
});

async function outbox(jobId: string): Promise<Record<string, number>> {
  const rows = await t.sql<{ subject: string; n: number }>("SELECT subject, count(*)::int AS n FROM outbox WHERE job_id = $1 GROUP BY subject ORDER BY subject", [jobId]);
  return Object.fromEntries(rows.map((r) => [r.subject, r.n]));
}
