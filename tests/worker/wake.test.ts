// Wake on enqueue: a long-running worker LISTENs on a connection of its own, enqueues send
// pg_notify in their INSERT (so only a committed job wakes anyone), and through a
// transaction-mode pooler the worker falls back to polling and says so. Pauses are set to a
// minute, so a job that starts within the waitFor's 20 s can only have been started by the wake.
import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { configFromEnv, ConfigError, runWorker, type LogFields, type Logger } from "cronbound";
import { useTestDatabase } from "../helpers/db.ts";
import { startPgBouncer, type PgBouncer } from "../helpers/pgbouncer.ts";
import { EFFECTS_SQL, testRegistry as registry } from "../helpers/registry.ts";
import { waitFor } from "../helpers/spawn.ts";
import { withDatabase } from "../helpers/url.ts";

const t = useTestDatabase();
beforeEach(async () => {
  await t.sql("TRUNCATE jobs");
});

/** The channel of the default schema's queue (engine/wake.ts, docs/OPERATIONS.md). */
const CHANNEL = "cronbound:wake";
const MINUTE = { idlePauseMs: 60_000, busyPauseMs: 60_000 };

function recorder(): { logger: Logger; records: LogFields[] } {
  const records: LogFields[] = [];
  const push = (f: LogFields, msg?: string) => void records.push({ ...f, ...(msg ? { msg } : {}) });
  return { logger: { debug: push, info: push, warn: push, error: push }, records };
}

const status = async (id: string) => (await t.sql<{ status: string }>("SELECT status::text FROM jobs WHERE id = $1", [id]))[0]?.status;

/** A plain LISTEN on the queue's channel: every notification it receives, in order. */
async function listener(): Promise<{ payloads: string[]; close(): Promise<void> }> {
  const c = new pg.Client({ connectionString: t.url });
  await c.connect();
  const payloads: string[] = [];
  c.on("notification", (m) => payloads.push(m.payload ?? ""));
  await c.query(`LISTEN "${CHANNEL}"`);
  return { payloads, close: () => c.end() };
}

/** `body` with a worker on one-minute pauses that listens (its start line says so); stopped after. */
async function withListeningWorker(
  body: (w: { log: ReturnType<typeof recorder>; queue: ReturnType<typeof t.queue> }) => Promise<void>,
  pool?: pg.Pool,
): Promise<void> {
  const log = recorder();
  const queue = t.queue(registry, { worker: MINUTE }, { logger: log.logger, pool });
  const stop = new AbortController();
  const worker = runWorker(queue, { signal: stop.signal });
  try {
    await waitFor("worker_started", () => log.records.find((r) => r.event === "worker_started" && r.wake === "listen"));
    await body({ log, queue });
  } finally {
    stop.abort();
    await worker;
  }
}

/** End the worker's LISTEN connection from the server side, and wait for the worker to notice. */
async function killListen(log: ReturnType<typeof recorder>): Promise<void> {
  const [killed] = await t.sql<{ n: number }>(
    `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
     WHERE datname = current_database() AND query LIKE 'LISTEN %' AND pid <> pg_backend_pid()`,
  );
  expect(killed.n).toBe(1);
  await waitFor("wake_lost", () => log.records.find((r) => r.event === "wake_lost"));
}

describe("wake on enqueue", () => {
  it("an idle worker on a direct connection listens, says so, and starts each enqueued job long before its one-minute pause would end", async () => {
    const log = recorder();
    const queue = t.queue(registry, { worker: MINUTE }, { logger: log.logger });
    const stop = new AbortController();
    const worker = runWorker(queue, { signal: stop.signal, concurrency: 2 });
    try {
      const started = await waitFor("worker_started", () => log.records.find((r) => r.event === "worker_started"));
      // The probe proved a session connection: the ticks' statements are named prepared statements.
      expect(started).toMatchObject({ wake: "listen", statements: "named" });
      expect(started.msg).toMatch(/wake: listen/);
      // Most likely its first tick (which finds nothing) is over and it is in its 60 s idle
      // pause; nothing below depends on it: if the first tick took job a instead, job b still
      // finds the worker in the 60 s busy pause that follows a, and only the wake ends that.
      await new Promise((r) => setTimeout(r, 300));

      const t0 = Date.now();
      const a = await queue.enqueue("noop", { n: 1 });
      await waitFor("job a completed by the wake", async () => (await status(a.job.id)) === "completed");
      // The second finds the worker in its 60 s busy pause: the wake ends that one too.
      const b = await queue.enqueue("noop", { n: 2 });
      await waitFor("job b completed by the wake", async () => (await status(b.job.id)) === "completed");
      expect(Date.now() - t0).toBeLessThan(40_000);
    } finally {
      stop.abort();
    }
    const summary = await worker;
    expect(summary.jobs.completed).toBe(2);
  });

  it("a lost LISTEN connection is logged and opened again 5 s later, ending even a one-minute pause; the wake works again", async () => {
    await withListeningWorker(async ({ log, queue }) => {
      await killListen(log);
      await waitFor("wake_restored", () => log.records.find((r) => r.event === "wake_restored"));
      const a = await queue.enqueue("noop", { n: 1 });
      await waitFor("the job, started by the restored wake", async () => (await status(a.job.id)) === "completed");
    });
  });

  it("a LISTEN connection lost while a tick runs is opened again when the tick ends, not after the pause that follows", async () => {
    // The reopen timer fires 5 s after the loss, while the 10 s job still runs: there is no
    // pause to end then, and the one after the tick (a minute) must stop at the reopen time.
    await t.sql(EFFECTS_SQL); // where the job records its start and end
    await withListeningWorker(async ({ log, queue }) => {
      const long = await queue.enqueue("hangs-first", { ms: 10_000 }, { timeoutMs: 20_000 });
      await waitFor("the long job running", async () => (await status(long.job.id)) === "processing");
      await killListen(log);
      await waitFor("the long job completed", async () => (await status(long.job.id)) === "completed", 30_000);
      await waitFor("wake_restored", () => log.records.find((r) => r.event === "wake_restored"));
      const a = await queue.enqueue("noop", { n: 1 });
      await waitFor("the job, started by the restored wake", async () => (await status(a.job.id)) === "completed");
    });
  });

  it("a reopen whose probe does not come back in time is logged and tried again 5 s later, not 30", async () => {
    // The pool holds back the second wake probe (the reopen's) for 3 s, past the probe's 2 s:
    // that reopen polls; the next one, 5 s later, listens again.
    class SlowSecondProbe extends pg.Pool {
      probes = 0;
      query(...args: unknown[]): never {
        const config = args[0] as { text?: string; values?: unknown[] } | undefined;
        const probe = /pg_notify\(\$1, \$2\)/.test(config?.text ?? "") && String(config?.values?.[1]).startsWith("probe:");
        const run = () => (pg.Pool.prototype.query as (...a: unknown[]) => unknown).apply(this, args);
        if (probe && ++this.probes === 2) return new Promise((r) => setTimeout(r, 3_000)).then(run) as never;
        return run() as never;
      }
    }
    const pool = new SlowSecondProbe({ connectionString: t.url, max: 4 });
    try {
      await withListeningWorker(async ({ log, queue }) => {
        await killListen(log);
        const failed = await waitFor("wake_reopen_failed", () => log.records.find((r) => r.event === "wake_reopen_failed"));
        expect(failed).toMatchObject({ retryInMs: 5_000, reason: expect.stringMatching(/no notification came back/) });
        await waitFor("wake_restored", () => log.records.find((r) => r.event === "wake_restored"));
        expect(pool.probes).toBe(3);
        const a = await queue.enqueue("noop", { n: 1 });
        await waitFor("the job, started by the restored wake", async () => (await status(a.job.id)) === "completed");
      }, pool);
    } finally {
      await pool.end();
    }
  });

  it("notifies once per committed transaction and type, not for a rolled-back enqueue, a delayed job or a blocked one", async () => {
    const q = t.queue(registry);
    const l = await listener();
    try {
      // Rolled back: nobody hears of it.
      const c = await t.pool.connect();
      try {
        await c.query("BEGIN");
        await q.enqueue("noop", { n: 100 }, { tx: c });
        await c.query("ROLLBACK");
        // Three in one transaction: one notification (PostgreSQL folds identical ones), at COMMIT.
        await c.query("BEGIN");
        for (let i = 0; i < 3; i++) await q.enqueue("noop", { n: i }, { tx: c });
        // Notifications reach listeners in commit order: once a marker committed after the
        // rollback and the enqueues has arrived, anything those sent would have arrived first.
        await t.sql(`SELECT pg_notify('${CHANNEL}', 'before-commit')`);
        await waitFor("the before-commit marker", () => l.payloads.includes("before-commit"));
        expect(l.payloads).toEqual(["before-commit"]);
        l.payloads.length = 0;
        await c.query("COMMIT");
      } finally {
        c.release();
      }
      await waitFor("the committed transaction's notification", () => l.payloads.length >= 1);

      // Not due now, or waiting on a dependency: no wake (polling finds them when they are due).
      const first = await q.enqueue("noop", { n: 9 });
      await q.enqueue("noop", { n: 10 }, { delayMs: 60_000 });
      await q.enqueue("noop", { n: 11 }, { dependsOn: [first.job.id] });
      await q.enqueueMany([{ type: "noop", payload: { n: 12 }, options: { delayMs: 60_000 } }]);
      // enqueueMany: one per distinct type due now.
      await q.enqueueMany([
        { type: "noop", payload: { n: 13 } },
        { type: "noop", payload: { n: 14 } },
        { type: "work", payload: { ms: 1 } },
      ]);
      // A marker last: notifications from one session arrive in commit order.
      await t.sql(`SELECT pg_notify('${CHANNEL}', 'marker')`);
      await waitFor("the marker", () => l.payloads.includes("marker"));
      expect(l.payloads.slice(0, 2)).toEqual(["noop", "noop"]);
      expect(l.payloads.slice(2, 4).sort()).toEqual(["noop", "work"]);
      expect(l.payloads.slice(4)).toEqual(["marker"]);
    } finally {
      await l.close();
    }
    const rolledBack = await t.sql<{ n: number }>("SELECT count(*)::int AS n FROM jobs WHERE payload = '{\"n\": 100}'");
    expect(rolledBack[0].n).toBe(0);
  });

  it("WORKER_WAKE takes auto, listen or poll; anything else is a ConfigError naming the variable", () => {
    expect(configFromEnv({}).worker.wake).toBe("auto");
    expect(configFromEnv({ WORKER_WAKE: "poll" }).worker.wake).toBe("poll");
    expect(() => configFromEnv({ WORKER_WAKE: "notify" })).toThrow(ConfigError);
    expect(() => configFromEnv({ WORKER_WAKE: "notify" })).toThrow(/WORKER_WAKE/);
  });

  it("WORKER_WAKE=poll: the worker does not listen and says why", async () => {
    const log = recorder();
    const stop = new AbortController();
    const worker = runWorker(t.queue(registry, { worker: { ...MINUTE, wake: "poll" } }, { logger: log.logger }), { signal: stop.signal });
    const started = await waitFor("worker_started", () => log.records.find((r) => r.event === "worker_started"));
    stop.abort();
    await worker;
    expect(started).toMatchObject({ wake: "poll" });
    expect(String(started.msg)).toMatch(/wake: poll \(config/);
  });
});

describe("named statements (Executor.named)", () => {
  it("parses a text once per connection under a name derived from it, so executors sharing a pool never clash", async () => {
    const { pgExecutor } = await import("cronbound/pg");
    const pool = t.newPool(1); // one connection: every statement below meets the same session
    const a = pgExecutor(pool).named!();
    const b = pgExecutor(pool).named!();
    for (let i = 0; i < 3; i++) {
      expect(await a.query<{ x: number }>("SELECT $1::int + 1 AS x", [i])).toEqual([{ x: i + 1 }]);
      expect(await b.query<{ y: string }>("SELECT $1::text AS y", [`v${i}`])).toEqual([{ y: `v${i}` }]);
      expect(await b.query<{ x: number }>("SELECT $1::int + 1 AS x", [i])).toEqual([{ x: i + 1 }]);
    }
    const prepared = (await pool.query<{ name: string; statement: string }>("SELECT name, statement FROM pg_prepared_statements ORDER BY statement")).rows;
    expect(prepared.map((p) => p.statement)).toEqual(["SELECT $1::int + 1 AS x", "SELECT $1::text AS y"]);
    expect(prepared.every((p) => /^cronbound_[0-9a-f]{24}$/.test(p.name))).toBe(true);
    // namedStatements: false sends unnamed statements; the default ("auto") names them.
    expect(await pgExecutor(pool, { namedStatements: false }).execute("SELECT 1")).toBe(1);
    expect((await pool.query("SELECT count(*)::int AS n FROM pg_prepared_statements")).rows[0].n).toBe(2);
    expect(await pgExecutor(pool).execute("SELECT 2")).toBe(1);
    expect((await pool.query("SELECT count(*)::int AS n FROM pg_prepared_statements")).rows[0].n).toBe(3);
  });
});

describe("pgExecutor(pool, { namedStatements: true })", () => {
  it("enqueues and ticks with named statements on every connection of the pool, with the same results", async () => {
    const { pgExecutor } = await import("cronbound/pg");
    const { createQueue, silentLogger } = await import("cronbound");
    const pool = t.newPool(1);
    const db = pgExecutor(pool, { namedStatements: true });
    expect(db.namedStatements).toBe(true);
    expect(db.statements).toBe("named");
    expect(pgExecutor(pool, { namedStatements: false }).statements).toBe("unnamed");
    expect(pgExecutor(pool).statements).toBe("auto");
    const q = createQueue({ db, registry, config: { production: false }, logger: silentLogger });
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await q.enqueue("noop", { n: i })).job.id);
    ids.push(...(await q.enqueueMany([{ type: "noop", payload: { n: 9 } }])));
    const report = await q.runTick({ budgetMs: 10_000, workerId: "named" });
    expect(report.completed).toBe(4);
    for (const id of ids) expect(await status(id)).toBe("completed");
    const prepared = (await pool.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_prepared_statements WHERE name LIKE 'cronbound_%'")).rows[0].n;
    expect(prepared).toBeGreaterThanOrEqual(4); // the insert, the bulk insert, a claim, a completion at least
  });
});

describe("wake through a transaction-mode pooler", () => {
  let bouncer: PgBouncer;
  beforeAll(async () => {
    bouncer = await startPgBouncer(inject("adminUrl"), { poolSize: 2 });
  });
  afterAll(async () => bouncer?.stop());

  it("the worker's probe never comes back through PgBouncer: it polls, says so in its start line, and still runs jobs", async () => {
    const pooled = new pg.Pool({ connectionString: withDatabase(bouncer.url, t.name), max: 4 });
    pooled.on("error", () => {});
    const log = recorder();
    const queue = t.queue(registry, { worker: { idlePauseMs: 50, busyPauseMs: 10 } }, { logger: log.logger, pool: pooled });
    const stop = new AbortController();
    const worker = runWorker(queue, { signal: stop.signal });
    try {
      const started = await waitFor("worker_started", () => log.records.find((r) => r.event === "worker_started"));
      expect(started).toMatchObject({ wake: "poll", statements: "auto" });
      expect(String(started.wakeReason)).toMatch(/transaction-mode pooler/);
      expect(String(started.msg)).toMatch(/wake: poll/);
      const a = await queue.enqueue("noop", { n: 1 });
      await waitFor("the job, found by polling", async () => (await status(a.job.id)) === "completed");
    } finally {
      stop.abort();
      await worker;
      await pooled.end();
    }
  });
});
