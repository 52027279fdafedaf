// Stopping an in-process worker (runWorker's signal, what SIGTERM aborts in the CLI): it stops
// when its tick has let the running jobs finish, whatever pause would have come next.
import { describe, expect, it } from "vitest";
import { runWorker, type LogFields, type Logger } from "cronbound";
import { useTestDatabase } from "../helpers/db.ts";
import { EFFECTS_SQL, testRegistry as registry } from "../helpers/registry.ts";
import { waitFor } from "../helpers/spawn.ts";

const t = useTestDatabase();

describe("stopping a worker", () => {
  it("aborted while a tick runs, it finishes the running job and returns, without waiting out the one-minute pause after the tick", async () => {
    await t.sql(EFFECTS_SQL); // where the job records its start and end
    const records: LogFields[] = [];
    const logger: Logger = { debug: () => {}, info: (f) => void records.push(f), warn: (f) => void records.push(f), error: (f) => void records.push(f) };
    const queue = t.queue(registry, { worker: { idlePauseMs: 60_000, busyPauseMs: 60_000 } }, { logger });
    const stop = new AbortController();
    const worker = runWorker(queue, { signal: stop.signal });
    try {
      await waitFor("worker_started", () => records.find((r) => r.event === "worker_started"));
      const { job } = await queue.enqueue("work", { ms: 1_000 });
      await waitFor("the job running", async () => (await t.sql<{ status: string }>("SELECT status::text FROM jobs WHERE id = $1", [job.id]))[0]?.status === "processing");
      stop.abort();
      // The job (1 s) finishes within the shutdown grace (8 s); the worker must return then, not
      // after its busy pause (a minute).
      const ended = await Promise.race([worker, new Promise<"still running">((r) => setTimeout(() => r("still running"), 20_000))]);
      expect(ended).not.toBe("still running");
      expect(ended).toMatchObject({ jobs: { completed: 1, released: 0 } });
      expect(await t.sql("SELECT status::text AS status, attempts FROM jobs WHERE id = $1", [job.id])).toEqual([{ status: "completed", attempts: 1 }]);
    } finally {
      stop.abort();
      await worker;
    }
  }, 90_000);
});
