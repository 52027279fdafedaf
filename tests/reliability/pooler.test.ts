// The engine through a transaction-mode pooler. PgBouncer (Debian's) runs in front of the
// test server with pool_mode = transaction, and the engine's own test files run unchanged
// with every connection the engine makes going through it (pooler/pooler.config.ts lists
// them; the tests' own row checks go direct, see pooler/global-setup.ts): claim,
// fencing, enqueue (the idempotency race, joining the caller's transaction), rescue,
// execute, a SIGKILLed worker, overlapping ticks.
//
// Why a nested vitest: it reuses the real scenarios instead of copies that drift, and the
// project's vitest.config.ts stays as it is.
import { spawn } from "node:child_process";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Executor } from "cronbound";
import { startApp, TEST_SECRET } from "../helpers/app.ts";
import { testDatabase, type TestDatabase } from "../helpers/db.ts";
import { startPgBouncer, type PgBouncer } from "../helpers/pgbouncer.ts";
import { withDatabase } from "../helpers/url.ts";
import { POOLED_FILES } from "./pooler/pooler.config.ts";
import { EXECUTIONS_SQL, reliabilityRegistry } from "./registry.ts";

const root = path.resolve(import.meta.dirname, "../..");
let bouncer: PgBouncer;

beforeAll(async () => {
  // Two server connections per database: far fewer than the clients below, as on a real
  // pooler in front of many function instances.
  bouncer = await startPgBouncer(inject("adminUrl"), { poolSize: 2 });
});
afterAll(async () => bouncer?.stop());

/**
 * A PgBouncer of its own with one server connection, and a pool of two clients through it with
 * the default executor on it: the second client's Parse of a statement the first one prepared
 * meets a server connection that already has it (42P05).
 */
async function onOneServerConnection(body: (t: TestDatabase, pool: pg.Pool, db: Executor) => Promise<void>): Promise<void> {
  const single = await startPgBouncer(inject("adminUrl"), { poolSize: 1 });
  const t: TestDatabase = await testDatabase();
  const pool = new pg.Pool({ connectionString: withDatabase(single.url, t.name), max: 2 });
  try {
    const { pgExecutor } = await import("cronbound/pg");
    await body(t, pool, pgExecutor(pool));
  } finally {
    await pool.end();
    await t.close();
    await single.stop();
  }
}

describe("through PgBouncer in transaction mode", () => {
  it(`the engine's test files pass unchanged (${POOLED_FILES.length} files)`, async () => {
    const env: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("VITEST") && k !== "TEST") env[k] = v;
    env.TEST_DATABASE_URL = inject("adminUrl");
    env.TEST_POOLER_URL = bouncer.url;
    delete env.FORCE_COLOR;
    env.NO_COLOR = "1";
    const child = spawn(
      process.execPath,
      [path.join(root, "node_modules/vitest/vitest.mjs"), "run", "--config", "tests/reliability/pooler/pooler.config.ts", "--reporter", "dot"],
      { cwd: root, env: env as NodeJS.ProcessEnv, stdio: ["ignore", "pipe", "pipe"] },
    );
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    out = out.replace(/\x1b\[[0-9;]*m/g, "");
    const summary = out.split("\n").filter((l) => /Test Files|Tests |FAIL|×|Error/.test(l)).join("\n");
    expect(code, `nested run failed:\n${out.slice(-6000)}`).toBe(0);
    console.log(`[pooler] nested run through PgBouncer:\n${summary}`);
    expect(summary).toMatch(/Tests\s+\d+ passed/);
    expect(summary).not.toMatch(/skipped|todo/);

    // It really went through the pooler: the per-file databases (cb_t<pid>_...) carried traffic there.
    const stats = await bouncer.show("STATS");
    const pooled = stats.filter((s) => s.database.startsWith("cb_t"));
    expect(pooled.length).toBeGreaterThanOrEqual(POOLED_FILES.length);
    expect(pooled.reduce((n, s) => n + Number(s.total_xact_count), 0)).toBeGreaterThan(1000);
  }, 360_000); // these 17 files took 119-235 s on a shared 2-core machine (the 13 before durable steps: 163 s)

  it("24 clients share 2 server connections: a 1,000-job backlog drains through 6 overlapping ticks with each attempt run once", async () => {
    const t: TestDatabase = await testDatabase();
    const url = withDatabase(bouncer.url, t.name);
    // Six instances, each a queue on its own pool of 4 connections to the pooler.
    const pools = Array.from({ length: 6 }, () => new pg.Pool({ connectionString: url, max: 4 }));
    const clients = pools.map((pool) => t.queue(reliabilityRegistry, {}, { pool }));
    try {
      await t.sql(EXECUTIONS_SQL);
      await clients[0].enqueueMany(Array.from({ length: 1000 }, (_, n) => ({ type: "recorded", payload: { failUntil: n % 5 === 0 ? 1 : 0 } })));
      for (let pass = 0; pass < 5; pass++) {
        await Promise.all(clients.map((c, i) => c.runTick({ budgetMs: 30_000, batchSize: 10, concurrency: 8, workerId: `pooled-${pass}-${i}` })));
        const [{ open }] = await t.sql<{ open: number }>("SELECT count(*)::int AS open FROM jobs WHERE status <> 'completed'");
        if (open === 0) break;
      }
      expect(await t.sql("SELECT status::text, count(*)::int AS n FROM jobs GROUP BY 1")).toEqual([{ status: "completed", n: 1000 }]);
      expect(await t.sql("SELECT job_id, attempt FROM executions GROUP BY 1, 2 HAVING count(*) > 1")).toEqual([]);
      expect((await t.sql<{ n: number }>("SELECT count(*)::int AS n FROM executions"))[0].n).toBe(1200);
      const [pool] = (await bouncer.show("POOLS")).filter((p) => p.database === t.name);
      expect(Number(pool.sv_active) + Number(pool.sv_idle) + Number(pool.sv_used)).toBeLessThanOrEqual(2);
    } finally {
      await Promise.all(pools.map((p) => p.end()));
      await t.close();
    }
  }, 120_000);

  it("named statements by default: the pooler's first refusal sends that statement again unnamed, nothing runs twice, and the executor stays unnamed", async () => {
    await onOneServerConnection(async (t, pool, db) => {
      const queue = t.queue(reliabilityRegistry, {}, { pool });
      await t.sql(EXECUTIONS_SQL);
      expect(db.statements).toBe("auto");
      expect(await db.query<{ x: number }>("SELECT $1::int + 1 AS x", [1])).toEqual([{ x: 2 }]);
      expect(db.statements).toBe("auto"); // one client so far: its statement was kept
      // Two at once: the pool opens its second client, whose Parse is refused by the pooler.
      const both = await Promise.all([db.query<{ x: number }>("SELECT $1::int + 1 AS x", [2]), db.query<{ x: number }>("SELECT $1::int + 1 AS x", [3])]);
      expect(both).toEqual([[{ x: 3 }], [{ x: 4 }]]);
      expect(db.statements).toBe("unnamed");
      expect(db.namedStatements).toBe(false);
      // The queue's own executor meets the same refusal on an enqueue: each job is written once.
      await queue.enqueue("recorded", { failUntil: 0 });
      await Promise.all(Array.from({ length: 6 }, () => queue.enqueue("recorded", { failUntil: 0 })));
      expect(await t.sql("SELECT count(*)::int AS n FROM jobs")).toEqual([{ n: 7 }]);
      const { engineOf } = await import("cronbound/engine");
      expect(engineOf(queue).db.statements).toBe("unnamed");
      const report = await queue.runTick({ budgetMs: 30_000, workerId: "auto-named" });
      expect(report.completed).toBe(7);
      expect(await t.sql("SELECT count(*)::int AS runs, count(DISTINCT job_id)::int AS jobs FROM executions")).toEqual([{ runs: 7, jobs: 7 }]);
    });
  }, 120_000);

  it("a named statement refused inside the engine's own transaction: the block is rolled back and run once more unnamed, its writes landing once", async () => {
    await onOneServerConnection(async (t, pool, db) => {
      await t.sql("CREATE TABLE public.tx_runs (n int NOT NULL)");
      const insert = "INSERT INTO public.tx_runs (n) VALUES ($1)";
      // The pool's first client prepares the INSERT on the only server connection.
      await db.transaction((tx) => tx.execute(insert, [1]));
      expect(db.statements).toBe("auto");
      // With that client held (idle: the pooler's server connection is free), the next
      // transaction gets the pool's second client, whose Parse meets a server connection that
      // already has the statement (42P05): the transaction is aborted after its first write.
      const held = await pool.connect();
      let runs = 0;
      try {
        const out = await db.transaction(async (tx) => {
          runs++;
          await tx.execute("INSERT INTO public.tx_runs (n) SELECT 2");
          await tx.execute(insert, [3]);
          return "done";
        });
        expect(out).toBe("done");
      } finally {
        held.release();
      }
      expect(runs).toBe(2);
      expect(db.statements).toBe("unnamed");
      expect(await t.sql("SELECT n FROM public.tx_runs ORDER BY n")).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
      // Unnamed now: whatever a block throws is the caller's, with no second run.
      runs = 0;
      await expect(db.transaction(async () => (runs++, Promise.reject(Object.assign(new Error("boom"), { code: "26000" }))))).rejects.toThrow("boom");
      expect(runs).toBe(1);
    });
  }, 120_000);

  it("the routes through the pooler: enqueue (and its idempotency key), get, stats, and two overlapping cron ticks", async () => {
    const t: TestDatabase = await testDatabase();
    const app = await startApp({ DATABASE_URL: withDatabase(bouncer.url, t.name), DB_POOL_MAX: "2" });
    const call = async (method: string, p: string, body?: unknown) => {
      const res = await fetch(`${app.url}${p}`, {
        method,
        headers: { authorization: `Bearer ${TEST_SECRET}`, ...(body ? { "content-type": "application/json" } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      return { status: res.status, body: (await res.json()) as Record<string, any> };
    };
    try {
      const ids: string[] = [];
      for (let n = 0; n < 30; n++) {
        const r = await call("POST", "/api/jobs", { type: "send-email", payload: { to: `p${n}@example.com`, subject: "pooled" }, idempotencyKey: `pooled-${n}` });
        expect(r.status).toBe(201);
        ids.push(r.body.id);
      }
      const again = await call("POST", "/api/jobs", { type: "send-email", payload: { to: "p0@example.com", subject: "pooled" }, idempotencyKey: "pooled-0" });
      expect(again).toEqual({ status: 200, body: { id: ids[0], status: "pending", created: false } });
      expect((await call("GET", "/api/jobs/stats")).body.counts).toMatchObject({ pending: 30 });
      const ticks = await Promise.all([call("GET", "/api/jobs/tick"), call("GET", "/api/jobs/tick")]);
      expect(ticks.map((r) => r.status)).toEqual([200, 200]);
      expect(ticks[0].body.completed + ticks[1].body.completed).toBe(30);
      expect((await call("GET", `/api/jobs/${ids[29]}`)).body).toMatchObject({ status: "completed", attempts: 1 });
      const [{ runs, jobs }] = await t.sql<{ runs: number; jobs: number }>("SELECT count(*)::int AS runs, count(DISTINCT job_id)::int AS jobs FROM outbox");
      expect({ runs, jobs }).toEqual({ runs: 30, jobs: 30 });
    } finally {
      await app.stop();
      await t.close();
    }
  }, 180_000);
});
