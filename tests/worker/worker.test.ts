// `npm run worker` (the `cronbound worker` bin, as the Procfile runs it) as a real process in
// the app's folder, with the app's queue (lib/cronbound.ts): graceful SIGTERM, SIGKILL
// recovery through lease expiry, and a database outage. The demo job types run long enough
// to be interrupted (DEMO_JOB_DELAY_MS: send-email takes that long, process-upload twice as long).
import net from "node:net";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { freePort } from "../../lib/embedded-postgres.ts";
import { registry } from "../../lib/job-types/index.ts";
import { useTestDatabase } from "../helpers/db.ts";
import { spawnBin, waitFor, type Proc } from "../helpers/spawn.ts";

const t = useTestDatabase();
beforeEach(async () => {
  await t.sql("TRUNCATE jobs, outbox");
});

const running: Proc[] = [];
afterAll(() => {
  for (const p of running) if (p.proc.exitCode === null) p.proc.kill("SIGKILL");
});

function worker(env: Record<string, string>): Proc {
  const p = spawnBin(["worker"], {
    DATABASE_URL: t.url,
    WORKER_IDLE_PAUSE_MS: "50",
    WORKER_BUSY_PAUSE_MS: "10",
    ...env,
  });
  running.push(p);
  return p;
}

/** Arranging rows: a queue with the app's job types on this file's database. */
const app = () => t.queue(registry);

interface Row {
  id: string;
  type: string;
  status: string;
  attempts: number;
  locked_by: string | null;
  locked_until: Date | null;
  last_error: string | null;
}
const rows = () => t.sql<Row>("SELECT id::text, type, status::text, attempts, locked_by, locked_until, last_error FROM jobs ORDER BY jobs.id");
const outboxCount = async (id: string) => (await t.sql<{ n: number }>("SELECT count(*)::int AS n FROM outbox WHERE job_id = $1", [id]))[0].n;
const started = (p: Proc) => waitFor("the worker's worker_started line", () => p.records().find((r) => r.event === "worker_started"));

describe("npm run worker (cronbound worker)", () => {
  it("on SIGTERM completes the jobs that finish within the grace, releases the others uncounted, and exits 0; another worker then completes them at attempt 1", async () => {
    const emails = await Promise.all(
      [1, 2, 3].map((n) => app().enqueue("send-email", { to: `u${n}@example.com`, subject: "hi" })),
    );
    const uploads = await Promise.all(["a", "b"].map((f) => app().enqueue("process-upload", { fileId: f })));
    // send-email takes 3 s, process-upload 6 s; the grace (4.5 s after SIGTERM) lets the first
    // finish and not the second, with 1.5 s to spare either way for a slow machine.
    const a = worker({ DEMO_JOB_DELAY_MS: "3000", WORKER_SHUTDOWN_GRACE_MS: "4500" });
    const workerId = (await started(a)).workerId as string;
    expect(workerId).toMatch(/^worker-/);

    const all = await waitFor("all five jobs claimed", async () => {
      const r = await rows();
      return r.length === 5 && r.every((j) => j.status === "processing") ? r : null;
    });
    // One stable worker id in every lease this process took.
    expect(new Set(all.map((j) => j.locked_by))).toEqual(new Set([workerId]));

    a.proc.kill("SIGTERM");
    expect(await a.exited).toEqual({ code: 0, signal: null });

    const after = await rows();
    for (const e of emails) {
      expect(after.find((j) => j.id === e.job.id)).toMatchObject({ status: "completed", attempts: 1, locked_by: null });
      expect(await outboxCount(e.job.id)).toBe(1);
    }
    for (const u of uploads) {
      // Released: pending, claimable now, lease cleared, the interrupted attempt not counted.
      expect(after.find((j) => j.id === u.job.id)).toMatchObject({ status: "pending", attempts: 0, locked_by: null, locked_until: null });
    }

    // One structured line per finished attempt: type, id, attempt, outcome, duration.
    const jobLines = a.records().filter((r) => r.event === "job");
    expect(jobLines).toHaveLength(5);
    for (const l of jobLines) {
      expect(l).toMatchObject({ workerId, attempt: 1, durationMs: expect.any(Number) });
      expect(typeof l.id).toBe("string");
    }
    expect(jobLines.filter((l) => l.type === "send-email").map((l) => l.outcome)).toEqual(["completed", "completed", "completed"]);
    expect(jobLines.filter((l) => l.type === "process-upload").map((l) => l.outcome)).toEqual(["released", "released"]);
    expect(a.records().at(-1)).toMatchObject({ event: "worker_stopped", workerId });

    const b = worker({ DEMO_JOB_DELAY_MS: "20" });
    await waitFor("the released jobs completed by the second worker", async () =>
      (await rows()).every((j) => j.status === "completed"),
    );
    const final = await rows();
    for (const u of uploads) {
      // Completed on its first counted attempt: the release did not burn one.
      expect(final.find((j) => j.id === u.job.id)).toMatchObject({ status: "completed", attempts: 1, last_error: null });
    }
    const bId = (await started(b)).workerId;
    expect(bId).not.toBe(workerId);
    b.proc.kill("SIGTERM");
    expect((await b.exited).code).toBe(0);
  });

  it("after SIGKILL the jobs stay leased until the lease expires, then another worker rescues and completes them", async () => {
    const jobs = await Promise.all([1, 2].map((n) => app().enqueue("send-email", { to: `k${n}@example.com`, subject: "hi" })));
    const a = worker({ DEMO_JOB_DELAY_MS: "60000" });
    const aId = (await started(a)).workerId;
    await waitFor("both jobs claimed", async () => (await rows()).every((j) => j.status === "processing"));
    a.proc.kill("SIGKILL");
    await a.exited;

    // A second worker leaves them alone while the dead worker's lease is still valid: it runs
    // a fresh job (proof that it ticked: maintenance, then claim) and nothing else.
    const fresh = await app().enqueue("send-email", { to: "fresh@example.com", subject: "hi" });
    const b = worker({ DEMO_JOB_DELAY_MS: "20" });
    await waitFor("the fresh job completed", async () => (await rows()).find((j) => j.id === fresh.job.id)?.status === "completed");
    for (const j of jobs) {
      expect((await rows()).find((r) => r.id === j.job.id)).toMatchObject({ status: "processing", attempts: 1, locked_by: aId });
    }

    // ... and takes them once it has expired (backdated instead of waiting 10 s + 15 s grace).
    await t.sql("UPDATE jobs SET locked_until = now() - interval '1 second' WHERE status = 'processing'");
    await waitFor("the rescued jobs completed", async () => (await rows()).every((j) => j.status === "completed"));
    for (const j of (await rows()).filter((r) => r.id !== fresh.job.id)) {
      // The killed attempt counts (a job that kills its worker every time must not loop forever).
      expect(j.attempts).toBe(2);
      expect(j.last_error).toMatch(/lease expired/);
      expect(await outboxCount(j.id)).toBe(1);
    }
    // The worker logs a job after its row is written: wait for the lines rather than read the log
    // the moment the rows changed (under load the last line arrives a little later).
    const logged = () => b.records().filter((r) => r.event === "job" && r.outcome === "completed").map((r) => r.id as string).sort();
    await waitFor("the worker logged the three completions", () => logged().length >= 3);
    expect(logged()).toEqual([...jobs.map((j) => j.job.id), fresh.job.id].sort());
    b.proc.kill("SIGTERM");
    expect((await b.exited).code).toBe(0);
  });

  it("keeps looping with a growing backoff while the database is unreachable, and resumes when it is back", async () => {
    const target = new URL(t.url);
    const port = await freePort();
    const viaProxy = new URL(t.url);
    viaProxy.port = String(port);
    const job = await app().enqueue("send-email", { to: "late@example.com", subject: "hi" });

    const w = worker({ DATABASE_URL: viaProxy.toString(), DEMO_JOB_DELAY_MS: "20" });
    const failures = () => w.records().filter((r) => r.event === "tick_failed");
    await waitFor("two failed ticks", () => failures().length >= 2);
    expect(failures().slice(0, 2).map((r) => r.retryInMs)).toEqual([1000, 2000]);
    expect(w.proc.exitCode).toBeNull();

    // The database "comes back": a TCP proxy to the real server starts listening on that port.
    const proxy = net.createServer((client) => {
      const server = net.connect(Number(target.port || 5432), target.hostname);
      client.pipe(server).pipe(client);
      client.on("error", () => server.destroy());
      server.on("error", () => client.destroy());
    });
    await new Promise<void>((r) => proxy.listen(port, "127.0.0.1", r));
    try {
      await waitFor("the job completed after recovery", async () => (await rows())[0]?.status === "completed", 30_000);
      // Logged when the tick that ran it returns, a moment after the row is written.
      await waitFor("the recovered line", () => w.records().find((r) => r.event === "recovered"));
      expect((await rows())[0]).toMatchObject({ id: job.job.id, attempts: 1 });
      w.proc.kill("SIGTERM");
      expect((await w.exited).code).toBe(0);
    } finally {
      proxy.close();
    }
  });
});
