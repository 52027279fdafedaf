import { spawn } from "node:child_process";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { engineOf, enqueueMany, runTick, type Engine } from "cronbound/engine";
import { useTestDatabase } from "../helpers/db.ts";
import { EFFECTS_SQL, testRegistry } from "../helpers/registry.ts";

const t = useTestDatabase();
let e: Engine;
beforeAll(async () => {
  e = engineOf(t.queue(testRegistry));
  await t.sql(EFFECTS_SQL);
});

const root = path.resolve(import.meta.dirname, "../..");

describe("crash recovery with a real process", () => {
  it("jobs whose worker was SIGKILLed mid-handler are completed by a later tick, each exactly once", async () => {
    const ids = await enqueueMany(
      e,
      Array.from({ length: 6 }, () => ({ type: "hangs-first", payload: { ms: 120_000 } })),
    );
    const child = spawn(process.execPath, ["--import", "tsx", "tests/helpers/tick-child.ts"], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: t.url, WORKER_ID: "doomed", TICK_CONCURRENCY: "10" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on("exit", (_code, signal) => resolve(signal)));

    // Wait until every handler has started inside the child, then kill it without warning.
    await expect
      .poll(async () => (await t.sql<{ n: number }>("SELECT count(*)::int AS n FROM effects WHERE kind = 'start'"))[0].n, {
        timeout: 30_000,
        interval: 50,
      })
      .toBe(6);
    child.kill("SIGKILL");
    expect(await exited).toBe("SIGKILL");

    const held = await t.sql<{ status: string; locked_by: string; attempts: number }>(
      "SELECT DISTINCT status::text, locked_by, attempts FROM jobs",
    );
    expect(held).toEqual([{ status: "processing", locked_by: "doomed", attempts: 1 }]);

    // A tick now finds nothing to rescue: the leases (timeout 60 s + grace) have not expired.
    const early = await runTick(e, { budgetMs: 5_000, workerId: "survivor" });
    expect(early).toMatchObject({ rescued: 0, claimed: 0 });

    // Let the leases expire by backdating them, then one tick brings every job home.
    await t.sql("UPDATE jobs SET locked_until = now() - interval '1 ms'");
    // The budget must fit the jobs' 60 s timeout, or the tick rightly leaves them pending.
    const report = await runTick(e, { budgetMs: 90_000, workerId: "survivor" });
    expect(report).toMatchObject({ rescued: 6, claimed: 6, completed: 6, lost: 0 });

    const rows = await t.sql<{ id: string; status: string; attempts: number; ends: number }>(
      `SELECT j.id::text, j.status::text, j.attempts,
              (SELECT count(*)::int FROM effects e WHERE e.job_id = j.id AND e.kind = 'end') AS ends
       FROM jobs j ORDER BY j.id`,
    );
    expect(rows.map((r) => r.id)).toEqual(ids);
    for (const r of rows) expect(r).toMatchObject({ status: "completed", attempts: 2, ends: 1 });
    expect(out).not.toMatch(/"completed":/); // the child never got to report
  });
});
