import { closeSync, openSync, writeSync } from "node:fs";
import { configFromEnv, createQueue, jsonLogger, runWorker, silentLogger, type Executor, type Logger } from "cronbound";
import { claimJobs, completeAttempts, engineOf, type Engine } from "cronbound/engine";
import { createRouteHandlers } from "cronbound/next";
import { prismaExecutor } from "cronbound/prisma";
import pg from "pg";
import type { Database } from "../lib/db.ts";
import { cpuEnd, cpuStart, type CpuPerJob } from "./cpu.ts";
import { FLOOR_JOBS, floorClaim, floorComplete, floorDrain, floorEnqueue, floorEnqueueMany, floorWorker } from "./floor.ts";
import { flowScenario } from "./flow.ts";
import { benchRegistry, floorNoop, probe } from "./jobs.ts";
import { SCHEMA } from "./setup.ts";

/** The engine's job table, schema-qualified. */
export const JOBS = `${SCHEMA}.jobs`;

/** A queue over `db` with the bench's job types, as an app makes one (silent: the bench prints its own lines). */
export function benchQueue(db: Executor) {
  return createQueue({ db, registry: benchRegistry, logger: silentLogger });
}
export type BenchQueue = ReturnType<typeof benchQueue>;

export interface Flags {
  jobs: number;
  concurrency: number[];
  /** Drain: runTick's batchSize; undefined leaves the engine's default. */
  batch?: number;
  runs: number;
  quick: boolean;
  scenarios: string[];
  /** Claim at scale: finished rows and pending rows generated with SQL. */
  finished: number;
  pending: number;
}

export interface Ctx {
  /** The engine ("ours"): createQueue({ db: pgExecutor(app.pool), registry, logger: silentLogger }). */
  queue: BenchQueue;
  /** engineOf(queue), for the low-level steps (cronbound/engine) where a scenario times one statement. */
  engine: Engine;
  /** The app's database (lib/db.ts createDatabase): the pool under `queue`, and the Prisma client over it. */
  app: Database;
  floor: pg.Pool;
  /** Setup and checks, on its own connection. */
  admin: pg.Pool;
  /** The bench database's URL (the floor's LISTEN connection). */
  url: string;
  /** The app's database with its default pool (createDatabase(url): DB_POOL_MAX's default), as `npm run worker` has it. */
  appDefault: Database;
  flags: Flags;
  log(line: string): void;
}

/**
 * One line of the table. `ours` and `floor` hold raw samples in `unit`. The target is a ratio
 * to the floor (ours / floor, in `unit`: at least `minRatio` for rates, at most `maxRatio` for
 * times) or an absolute bound on ours' median.
 */
export interface Row {
  id: string;
  title: string;
  unit: "jobs/s" | "ms";
  ours: number[];
  floor?: number[];
  target?: { minRatio?: number; maxRatio?: number; maxMs?: number };
  /** Compare ours' median with another row's instead of the floor (flatness). */
  versus?: string;
  note?: string;
  /** CPU per job of each run (drains). */
  oursCpu?: CpuPerJob[];
  floorCpu?: CpuPerJob[];
}

export interface ScenarioResult {
  rows: Row[];
  extra?: Record<string, unknown>;
}

const WORKER = "bench";
const TIMEOUT_MS = 30_000; // the noop type's timeout; the floor writes the same

async function truncate(ctx: Ctx) {
  await ctx.admin.query(`TRUNCATE ${JOBS}, ${FLOOR_JOBS} RESTART IDENTITY`);
}

/** `n` due no-op jobs in the engine's table (`ours`) or the floor's, generated in SQL. */
async function seedNoops(ctx: Ctx, n: number, side: "ours" | "floor" = "ours") {
  if (side === "ours") {
    await ctx.admin.query(`INSERT INTO ${JOBS} (type, payload, timeout_ms) SELECT 'noop', jsonb_build_object('n', g), ${TIMEOUT_MS} FROM generate_series(1, $1::int) g`, [n]);
    await ctx.admin.query(`ANALYZE ${JOBS}`);
  } else {
    await ctx.admin.query(`INSERT INTO ${FLOOR_JOBS} (type, payload) SELECT 'noop', jsonb_build_object('n', g) FROM generate_series(1, $1::int) g`, [n]);
    await ctx.admin.query(`ANALYZE ${FLOOR_JOBS}`);
  }
}

async function countCompleted(ctx: Ctx, side: "ours" | "floor" = "ours"): Promise<number> {
  return (await ctx.admin.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${side === "ours" ? JOBS : FLOOR_JOBS} WHERE status = 'completed'`)).rows[0].n;
}

const rate = (n: number, ms: number) => (n * 1000) / ms;

export async function enqueueOne(ctx: Ctx): Promise<ScenarioResult> {
  const n = Math.min(ctx.flags.jobs, 2_000);
  const ours: number[] = [];
  const floor: number[] = [];
  await truncate(ctx);
  // Warm both paths (connections, JIT).
  for (let i = 0; i < 50; i++) {
    await ctx.queue.enqueue("noop", { n: i });
    await floorEnqueue(ctx.floor, "noop", { n: i });
  }
  // Alternate in slices of 50 so both sides see the same moments of a noisy machine.
  for (let r = 0; r < ctx.flags.runs; r++) {
    let oursMs = 0;
    let floorMs = 0;
    for (let i = 0; i < n; i += 50) {
      const k = Math.min(50, n - i);
      let t = performance.now();
      for (let j = 0; j < k; j++) await ctx.queue.enqueue("noop", { n: i + j });
      oursMs += performance.now() - t;
      t = performance.now();
      for (let j = 0; j < k; j++) await floorEnqueue(ctx.floor, "noop", { n: i + j });
      floorMs += performance.now() - t;
    }
    ours.push(rate(n, oursMs));
    floor.push(rate(n, floorMs));
  }
  return {
    rows: [{ id: "enqueue-one", title: `enqueue, one at a time (${n} sequential awaits)`, unit: "jobs/s", ours, floor, target: { minRatio: 0.8 } }],
  };
}

export async function enqueueBulk(ctx: Ctx): Promise<ScenarioResult> {
  const n = ctx.flags.jobs;
  const ours: number[] = [];
  const floor: number[] = [];
  const chunk = 1_000;
  const items = (from: number, k: number) => Array.from({ length: k }, (_, i) => ({ type: "noop", payload: { n: from + i } }));
  await truncate(ctx);
  await ctx.queue.enqueueMany(items(0, 100));
  for (let r = 0; r < ctx.flags.runs; r++) {
    let t = performance.now();
    for (let i = 0; i < n; i += chunk) await ctx.queue.enqueueMany(items(i, Math.min(chunk, n - i)));
    ours.push(rate(n, performance.now() - t));
    t = performance.now();
    for (let i = 0; i < n; i += chunk) {
      await floorEnqueueMany(ctx.floor, items(i, Math.min(chunk, n - i)));
    }
    floor.push(rate(n, performance.now() - t));
    await truncate(ctx);
  }
  return { rows: [{ id: "enqueue-bulk", title: `enqueueMany, ${chunk} per call (${n} jobs)`, unit: "jobs/s", ours, floor, target: { minRatio: 0.8 } }] };
}

/** The floor's drain of `n` seeded jobs at `concurrency`, with its CPU per job. */
async function floorDrainRun(ctx: Ctx, n: number, concurrency: number): Promise<{ rate: number; cpu: CpuPerJob }> {
  await truncate(ctx);
  await seedNoops(ctx, n, "floor");
  const c0 = await cpuStart(ctx.admin);
  const f = await floorDrain(ctx.floor, WORKER, concurrency, floorNoop);
  const cpu = await cpuEnd(ctx.admin, c0, n);
  if (f.completed !== n || (await countCompleted(ctx, "floor")) !== n) throw new Error(`drain: the floor completed ${f.completed} of ${n}`);
  return { rate: rate(n, f.ms), cpu };
}

/** Jobs in the unmeasured first run of each drain (both sides), at most --jobs. */
const WARM_JOBS = 3_000;

/** One side's drain of `n` seeded jobs: its rate and CPU per job. */
type DrainSide = (n: number) => Promise<{ rate: number; cpu: CpuPerJob }>;

/**
 * The runs of one drain row. First one run of both sides with WARM_JOBS jobs that is not
 * counted: V8 compiles each side's code as it runs it, and the engine's path is larger than
 * the floor's, so without it the first scenario of a bench run measured ours' code cold (20-40
 * µs more Node CPU per job in its first 10,000 jobs here) and whichever drain came first looked
 * slower. Then `runs` measured runs, ours and the floor back to back.
 */
async function drainRow(ctx: Ctx, row: Pick<Row, "id" | "title">, concurrency: number, ours: DrainSide): Promise<Row> {
  const r: Row = { ...row, unit: "jobs/s", ours: [], floor: [], oursCpu: [], floorCpu: [], target: { minRatio: 0.8 } };
  const warm = Math.min(WARM_JOBS, ctx.flags.jobs);
  await ours(warm);
  await floorDrainRun(ctx, warm, concurrency);
  for (let i = 0; i < ctx.flags.runs; i++) {
    const o = await ours(ctx.flags.jobs);
    r.ours.push(o.rate);
    r.oursCpu!.push(o.cpu);
    const f = await floorDrainRun(ctx, ctx.flags.jobs, concurrency);
    r.floor!.push(f.rate);
    r.floorCpu!.push(f.cpu);
  }
  return r;
}

/** runTick over n no-op jobs (no maintenance); ms from the first claim to the last completion. */
export async function drain(ctx: Ctx): Promise<ScenarioResult> {
  const rows: Row[] = [];
  for (const concurrency of ctx.flags.concurrency) {
    const run: DrainSide = async (n) => {
      await truncate(ctx);
      await seedNoops(ctx, n);
      let last = 0;
      // No maintenance: with nothing to rescue it is one statement before the first claim.
      const c0 = await cpuStart(ctx.admin);
      const t0 = performance.now();
      const report = await ctx.queue.runTick({
        budgetMs: 600_000, concurrency, batchSize: ctx.flags.batch, workerId: WORKER, skipMaintenance: true,
        onJob: () => (last = performance.now()),
      });
      const cpu = await cpuEnd(ctx.admin, c0, n);
      if (report.completed !== n || (await countCompleted(ctx)) !== n) throw new Error(`drain: ours completed ${report.completed} of ${n}`);
      return { rate: rate(n, last - t0), cpu };
    };
    const batch = ctx.flags.batch ? `, batch ${ctx.flags.batch}` : "";
    rows.push(await drainRow(ctx, { id: `tick-c${concurrency}`, title: `runTick drain ${ctx.flags.jobs} no-op jobs, concurrency ${concurrency}${batch}` }, concurrency, run));
  }
  await truncate(ctx);
  return { rows };
}

/**
 * A logger as `cronbound worker` has (jsonLogger: one JSON line per job), writing to /dev/null
 * instead of stdout, that also tells the bench when the `n`th job event was logged.
 */
function countingLogger(): { logger: Logger; expect(n: number): Promise<number>; close(): void } {
  const fd = openSync("/dev/null", "w");
  const base = jsonLogger({ write: (_level, line) => writeSync(fd, `${line}\n`) });
  let seen = 0;
  let want = Infinity;
  let done: (t: number) => void = () => {};
  const count = (fields: { event: string }) => {
    if (fields.event === "job" && ++seen >= want) done(performance.now());
  };
  return {
    logger: {
      debug: base.debug,
      info: (f, m) => (base.info(f, m), count(f)),
      warn: (f, m) => (base.warn(f, m), count(f)),
      error: base.error,
    },
    expect(n) {
      seen = 0;
      want = n;
      return new Promise((resolve) => (done = resolve));
    },
    close: () => closeSync(fd),
  };
}

/**
 * The app's queue as lib/cronbound.ts makes it and `cronbound worker` loads it: the Prisma
 * client with its pg pool (prismaExecutor(prisma, { pool })), settings from configFromEnv()
 * (here: defaults, TICK_CONCURRENCY and WORKER_* as given), the default JSON logger.
 */
function appQueue(ctx: Ctx, env: Record<string, string>, logger: Logger) {
  return createQueue({
    db: () => prismaExecutor(ctx.appDefault.prisma, { pool: ctx.appDefault.pool }),
    registry: benchRegistry,
    config: () => configFromEnv(env),
    logger,
  });
}

/**
 * `npm run worker` as users run it: runWorker(queue, { signal }) on the app's queue, every
 * setting at its default (concurrency from TICK_CONCURRENCY). Timed from the call to the
 * `n`th job's log line; its first tick's maintenance is inside the time.
 */
export async function workerDrain(ctx: Ctx): Promise<ScenarioResult> {
  const rows: Row[] = [];
  for (const concurrency of ctx.flags.concurrency) {
    const run: DrainSide = async (n) => {
      await truncate(ctx);
      await seedNoops(ctx, n);
      const log = countingLogger();
      const queue = appQueue(ctx, { TICK_CONCURRENCY: String(concurrency) }, log.logger);
      const stop = new AbortController();
      const all = log.expect(n);
      const c0 = await cpuStart(ctx.admin);
      const t0 = performance.now();
      const worker = runWorker(queue, { signal: stop.signal });
      const last = await all;
      const cpu = await cpuEnd(ctx.admin, c0, n);
      stop.abort();
      const summary = await worker;
      log.close();
      if (summary.jobs.completed !== n || (await countCompleted(ctx)) !== n) throw new Error(`worker: completed ${summary.jobs.completed} of ${n}`);
      return { rate: rate(n, last - t0), cpu };
    };
    const title = `worker drain ${ctx.flags.jobs} no-op jobs, concurrency ${concurrency} (runWorker as npm run worker)`;
    rows.push(await drainRow(ctx, { id: `worker-c${concurrency}`, title }, concurrency, run));
  }
  await truncate(ctx);
  return { rows };
}

/**
 * The cron route's tick: GET /api/jobs/tick through createRouteHandlers(queue, { maxDuration: 300 })
 * on the app's queue (defaults; concurrency from TICK_CONCURRENCY), with the bearer secret, as
 * Vercel Cron calls it. Timed from the request to the response (maintenance included).
 */
export async function routeDrain(ctx: Ctx): Promise<ScenarioResult> {
  const rows: Row[] = [];
  const secret = "bench-secret-0123456789";
  for (const concurrency of ctx.flags.concurrency) {
    const log = countingLogger();
    const queue = appQueue(ctx, { TICK_CONCURRENCY: String(concurrency), CRON_SECRET: secret }, log.logger);
    const { GET } = createRouteHandlers(queue, { maxDuration: 300 });
    const run: DrainSide = async (n) => {
      await truncate(ctx);
      await seedNoops(ctx, n);
      const c0 = await cpuStart(ctx.admin);
      const t0 = performance.now();
      const res = await GET(new Request("http://bench.local/api/jobs/tick", { headers: { authorization: `Bearer ${secret}` } }), {
        params: Promise.resolve({ path: ["tick"] }),
      });
      const report = (await res.json()) as { completed: number };
      const ms = performance.now() - t0;
      const cpu = await cpuEnd(ctx.admin, c0, n);
      if (res.status !== 200 || report.completed !== n || (await countCompleted(ctx)) !== n) throw new Error(`route: ${res.status}, completed ${report.completed} of ${n}`);
      return { rate: rate(n, ms), cpu };
    };
    const title = `cron route tick drain ${ctx.flags.jobs} no-op jobs, concurrency ${concurrency} (GET /api/jobs/tick)`;
    rows.push(await drainRow(ctx, { id: `route-c${concurrency}`, title }, concurrency, run));
    log.close();
  }
  await truncate(ctx);
  return { rows };
}

/**
 * Enqueue to handler start for a long-running worker that is idle: runWorker on the app's
 * queue with the wake (WORKER_WAKE=auto, LISTEN/NOTIFY when the connection allows it) and
 * without it (WORKER_WAKE=poll: the 2 s idle pause decides); the floor's worker with LISTEN on
 * its own connection and a notifying insert. Samples are spaced so each enqueue finds the
 * worker idle.
 */
export async function wakeLatency(ctx: Ctx): Promise<ScenarioResult> {
  await truncate(ctx);
  const rows: Row[] = [];
  const sample = async (enqueue: () => Promise<unknown>, within: number) => {
    const started = new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`wake: the probe did not start within ${within} ms`)), within);
      probe.onStart = () => {
        clearTimeout(timer);
        resolve(performance.now());
      };
    });
    await enqueue();
    const end = performance.now();
    const at = await started;
    probe.onStart = undefined;
    return at - end;
  };
  // Longer than the busy pause (100 ms), so the worker is idle when the next job arrives.
  const gap = () => new Promise((r) => setTimeout(r, 150 + Math.random() * 100));

  const viaWorker = async (wake: string, per: number) => {
    const log = countingLogger();
    let mode = "";
    const logger: Logger = {
      ...log.logger,
      info: (f, m) => {
        if (f.event === "worker_started") mode = String(f.wake ?? "poll");
        log.logger.info(f, m);
      },
    };
    const queue = appQueue(ctx, { WORKER_WAKE: wake }, logger);
    const stop = new AbortController();
    const worker = runWorker(queue, { signal: stop.signal, types: ["probe"] });
    await new Promise((r) => setTimeout(r, 3_000)); // started, probed, idle
    const out: number[] = [];
    try {
      for (let i = 0; i < per; i++) {
        await gap();
        out.push(await sample(() => queue.enqueue("probe", {}), 10_000));
      }
    } finally {
      stop.abort();
      await worker;
      log.close();
    }
    return { samples: out, mode };
  };

  const per = ctx.flags.quick ? 10 : 20;
  const oursWake: number[] = [];
  const floorWake: number[] = [];
  let modeSeen = "";
  for (let r = 0; r < ctx.flags.runs; r++) {
    const w = await viaWorker("auto", per);
    oursWake.push(...w.samples);
    modeSeen = w.mode;
    const listener = new pg.Client({ connectionString: ctx.url });
    await listener.connect();
    const stopFloor = await floorWorker(ctx.floor, listener, WORKER, 10, 2_000, () => probe.onStart?.());
    try {
      for (let i = 0; i < per; i++) {
        await gap();
        floorWake.push(await sample(() => floorEnqueue(ctx.floor, "probe", {}, true), 10_000));
      }
    } finally {
      await stopFloor();
      await listener.end();
    }
  }
  rows.push({
    id: "wake", title: `worker: enqueue to handler start, idle worker, wake on (${modeSeen})`, unit: "ms", ours: oursWake, floor: floorWake,
    target: { maxMs: 5 }, note: "floor: its worker with LISTEN and a notifying insert",
  });
  // Without the wake the idle pause decides: a few samples suffice to show it.
  const polled: number[] = [];
  for (let r = 0; r < Math.min(2, ctx.flags.runs); r++) polled.push(...(await viaWorker("poll", ctx.flags.quick ? 3 : 5)).samples);
  rows.push({ id: "wake-poll", title: "worker: enqueue to handler start, idle worker, wake off (polling, 2 s idle pause)", unit: "ms", ours: polled });
  await truncate(ctx);
  return { rows };
}

/** One claim of 10 with many finished rows, median and p90, at two backlog sizes. */
export async function claimAtScale(ctx: Ctx): Promise<ScenarioResult> {
  const { finished, pending } = ctx.flags;
  const small = Math.min(1_000, pending);
  await truncate(ctx);
  let t = performance.now();
  // Finished rows spread over the past 30 days; pending rows due over the past hour.
  await ctx.admin.query(
    `INSERT INTO ${JOBS} (type, payload, status, run_at, attempts, timeout_ms, result, created_at, updated_at, started_at, finished_at)
     SELECT 'noop', jsonb_build_object('n', g), 'completed', ts, 1, ${TIMEOUT_MS}, 'null', ts, ts, ts, ts
     FROM generate_series(1, $1::int) g, LATERAL (SELECT now() - interval '30 days' + g * (interval '30 days' / $1::int) AS ts) x`,
    [finished],
  );
  await ctx.admin.query(
    `INSERT INTO ${JOBS} (type, payload, run_at, timeout_ms)
     SELECT 'noop', jsonb_build_object('n', g), now() - interval '1 hour' + random() * interval '59 minutes', ${TIMEOUT_MS}
     FROM generate_series(1, $1::int) g`,
    [pending],
  );
  await ctx.admin.query(
    `INSERT INTO ${FLOOR_JOBS} (type, payload, status, run_at, attempts, created_at)
     SELECT 'noop', jsonb_build_object('n', g), 'completed', ts, 1, ts
     FROM generate_series(1, $1::int) g, LATERAL (SELECT now() - interval '30 days' + g * (interval '30 days' / $1::int) AS ts) x`,
    [finished],
  );
  await ctx.admin.query(
    `INSERT INTO ${FLOOR_JOBS} (type, payload, run_at)
     SELECT 'noop', jsonb_build_object('n', g), now() - interval '1 hour' + random() * interval '59 minutes'
     FROM generate_series(1, $1::int) g`,
    [pending],
  );
  await ctx.admin.query(`VACUUM ANALYZE ${JOBS}`);
  await ctx.admin.query(`VACUUM ANALYZE ${FLOOR_JOBS}`);
  // Write the generated rows out now, so the checkpointer is not flushing them during phase 1
  // only (it made the first phase about twice as slow as the second, for the floor as well).
  await ctx.admin.query("CHECKPOINT").catch(() => {}); // needs superuser or pg_checkpoint
  ctx.log(`  generated ${finished.toLocaleString("en")} finished + ${pending.toLocaleString("en")} pending rows in ${((performance.now() - t) / 1000).toFixed(1)} s`);

  const explain = { [`${pending} pending`]: await explainClaim(ctx) };
  const samplesPerRun = ctx.flags.quick ? 30 : 60;
  const measure = async () => {
    const ours: number[] = [];
    const floor: number[] = [];
    for (let i = 0; i < 10; i++) {
      await claimJobs(ctx.engine, { workerId: WORKER, limit: 10, maxTimeoutMs: 600_000, graceMs: 15_000 });
      await floorClaim(ctx.floor, WORKER, 10);
    }
    for (let r = 0; r < ctx.flags.runs; r++) {
      for (let i = 0; i < samplesPerRun; i++) {
        t = performance.now();
        await claimJobs(ctx.engine, { workerId: WORKER, limit: 10, maxTimeoutMs: 600_000, graceMs: 15_000 });
        ours.push(performance.now() - t);
        t = performance.now();
        await floorClaim(ctx.floor, WORKER, 10);
        floor.push(performance.now() - t);
      }
    }
    return { ours, floor };
  };
  const big = await measure();

  // Down to `small` pending: finish the rest, vacuum, measure again.
  await ctx.admin.query(
    `UPDATE ${JOBS} SET status = 'completed', finished_at = now(), updated_at = now()
     WHERE status = 'pending' AND id NOT IN (SELECT id FROM ${JOBS} WHERE status = 'pending' ORDER BY random() LIMIT $1)`,
    [small],
  );
  await ctx.admin.query(
    `UPDATE ${FLOOR_JOBS} SET status = 'completed'
     WHERE status = 'pending' AND id NOT IN (SELECT id FROM ${FLOOR_JOBS} WHERE status = 'pending' ORDER BY random() LIMIT $1)`,
    [small],
  );
  await ctx.admin.query(`VACUUM ANALYZE ${JOBS}`);
  await ctx.admin.query(`VACUUM ANALYZE ${FLOOR_JOBS}`);
  await ctx.admin.query("CHECKPOINT").catch(() => {}); // needs superuser or pg_checkpoint
  explain[`${small} pending`] = await explainClaim(ctx);
  const little = await measure();
  await truncate(ctx);
  await ctx.admin.query(`VACUUM ${JOBS}`);
  await ctx.admin.query(`VACUUM ${FLOOR_JOBS}`);

  const label = (p: number) => `${(finished / 1e6).toLocaleString("en")}M finished, ${p.toLocaleString("en")} pending`;
  return {
    rows: [
      { id: "claim-big", title: `claim 10 at ${label(pending)}`, unit: "ms", ours: big.ours, floor: big.floor, target: { maxRatio: 1.15 } },
      { id: "claim-small", title: `claim 10 at ${label(small)}`, unit: "ms", ours: little.ours, floor: little.floor, target: { maxRatio: 1.15 } },
      {
        id: "claim-flat", title: `claim 10: ${pending.toLocaleString("en")} pending vs ${small.toLocaleString("en")} (ours)`, unit: "ms",
        ours: big.ours, floor: little.ours, versus: "claim-small", target: { maxRatio: 1.2 },
        note: "the 'floor' column here is ours at the small backlog",
      },
      {
        id: "claim-flat-floor", title: `claim 10: ${pending.toLocaleString("en")} pending vs ${small.toLocaleString("en")} (floor)`, unit: "ms",
        ours: big.floor, floor: little.floor,
        note: "the floor's own ratio between the two backlogs: what the table and the machine did between the phases",
      },
    ],
    extra: { explain },
  };
}

/**
 * EXPLAIN (ANALYZE, BUFFERS) of the engine's claim exactly as it reaches `pg`: one real claim
 * runs with the pool's query() wrapped to record its text and parameters; the plan is then
 * taken on a plain connection inside a transaction that is rolled back.
 */
async function explainClaim(ctx: Ctx): Promise<string> {
  const pool = ctx.app.pool as unknown as { query: (...a: unknown[]) => unknown };
  const original = pool.query;
  let seen: { text: string; values: unknown[] } | undefined;
  pool.query = function (this: unknown, ...args: unknown[]) {
    const q = args[0] as string | { text?: string; values?: unknown[] };
    const text = typeof q === "string" ? q : q?.text;
    const values = typeof q === "string" ? (args[1] as unknown[]) : q?.values;
    if (text?.includes("FOR UPDATE SKIP LOCKED")) seen = { text, values: values ?? [] };
    return original.apply(this, args);
  };
  try {
    await claimJobs(ctx.engine, { workerId: WORKER, limit: 10, maxTimeoutMs: 600_000, graceMs: 15_000 });
  } finally {
    pool.query = original;
  }
  if (!seen) return "(the claim did not go through pool.query; no plan captured)";
  const c = await ctx.admin.connect();
  try {
    await c.query("BEGIN");
    const r = await c.query<{ "QUERY PLAN": string }>(`EXPLAIN (ANALYZE, BUFFERS) ${seen.text}`, seen.values);
    await c.query("ROLLBACK");
    return `${seen.text.trim()}\n\n${r.rows.map((x) => x["QUERY PLAN"]).join("\n")}`;
  } finally {
    c.release();
  }
}

/** A tick that finds nothing: maintenance, one claim, the skipped-for-budget count. */
export async function emptyTick(ctx: Ctx): Promise<ScenarioResult> {
  await truncate(ctx);
  const per = ctx.flags.quick ? 20 : 40;
  const ours: number[] = [];
  const floor: number[] = [];
  for (let i = 0; i < 10; i++) {
    await ctx.queue.runTick({ budgetMs: 60_000, workerId: WORKER });
    await floorClaim(ctx.floor, WORKER, 10);
  }
  for (let r = 0; r < ctx.flags.runs; r++) {
    for (let i = 0; i < per; i++) {
      let t = performance.now();
      await ctx.queue.runTick({ budgetMs: 60_000, workerId: WORKER });
      ours.push(performance.now() - t);
      t = performance.now();
      await floorClaim(ctx.floor, WORKER, 10);
      floor.push(performance.now() - t);
    }
  }
  const statements = await statementBreakdown(ctx, () => ctx.queue.runTick({ budgetMs: 60_000, workerId: WORKER }), 20);
  return {
    extra: { emptyTickStatements: statements },
    rows: [{ id: "empty-tick", title: "empty tick (maintenance + claim that finds nothing)", unit: "ms", ours, floor, target: { maxMs: 3 }, note: "floor: one empty claim" }],
  };
}

/**
 * Median ms of each statement `fn` sends, by its first words, over `n` calls: where an empty
 * tick's time goes. Counts statements on the pool and on checked-out clients (the
 * executor's transactions).
 */
async function statementBreakdown(ctx: Ctx, fn: () => Promise<unknown>, n: number): Promise<Record<string, { perCall: number; medianMs: number }>> {
  type Queryable = { query: (...a: unknown[]) => unknown };
  const times = new Map<string, number[]>();
  const label = (text: string) => text.replace(/\s+/g, " ").trim().slice(0, 60);
  const wrap = (target: Queryable) => {
    const original = target.query;
    target.query = function (this: unknown, ...args: unknown[]) {
      const q = args[0] as string | { text?: string };
      const text = typeof q === "string" ? q : (q?.text ?? "?");
      const t = performance.now();
      const r = original.apply(this, args) as Promise<unknown>;
      if (r && typeof r.then === "function") {
        r.then(
          () => times.set(label(text), [...(times.get(label(text)) ?? []), performance.now() - t]),
          () => {},
        );
      }
      return r;
    };
    return () => {
      target.query = original;
    };
  };
  const pool = ctx.app.pool as unknown as Queryable & { connect: (...a: unknown[]) => Promise<Queryable> };
  const unwrapPool = wrap(pool);
  const connect = pool.connect;
  const unwraps: (() => void)[] = [];
  const wrapped = new WeakSet<object>();
  // pool.query checks out a client through connect(callback): leave that path alone (the pool's
  // query is already counted); wrap the clients the executor checks out for its transactions.
  pool.connect = function (this: unknown, ...args: unknown[]) {
    if (typeof args[0] === "function") return connect.apply(this, args);
    return connect.apply(this, args).then((client) => {
      if (!wrapped.has(client)) {
        wrapped.add(client);
        unwraps.push(wrap(client));
      }
      return client;
    });
  };
  try {
    for (let i = 0; i < n; i++) await fn();
  } finally {
    unwrapPool();
    pool.connect = connect;
    for (const u of unwraps) u();
  }
  const out: Record<string, { perCall: number; medianMs: number }> = {};
  for (const [k, xs] of times) {
    const sorted = [...xs].sort((x, y) => x - y);
    out[k] = { perCall: xs.length / n, medianMs: Number(sorted[sorted.length >> 1].toFixed(3)) };
  }
  return out;
}

/**
 * End of an enqueue to the handler's start, with the tick that cronbound/next's kick runs in
 * `after()` started right away: batch 1, concurrency 1, only the job's type, no maintenance.
 */
export async function kick(ctx: Ctx): Promise<ScenarioResult> {
  await truncate(ctx);
  const n = 20;
  const ours: number[] = [];
  const floor: number[] = [];
  const once = async () => {
    probe.startedAt = 0;
    await ctx.queue.enqueue("probe", {});
    const end = performance.now();
    await ctx.queue.runTick({
      budgetMs: 5_000 + 1_000, batchSize: 1, concurrency: 1, types: ["probe"], skipMaintenance: true, workerId: WORKER,
    });
    if (!probe.startedAt) throw new Error("kick: the tick did not run the job just enqueued");
    return probe.startedAt - end;
  };
  const onceFloor = async () => {
    await floorEnqueue(ctx.floor, "probe", {});
    const end = performance.now();
    let jobs = await floorClaim(ctx.floor, WORKER, 1);
    // run_at is timestamptz(3), rounded: a claim within half a millisecond of the insert can
    // find it not yet due. Claim again rather than record a job that never started.
    while (!jobs.length) jobs = await floorClaim(ctx.floor, WORKER, 1);
    const latency = performance.now() - end;
    await floorComplete(ctx.floor, WORKER, jobs);
    return latency;
  };
  for (let i = 0; i < 5; i++) {
    await once();
    await onceFloor();
  }
  for (let r = 0; r < ctx.flags.runs; r++) {
    for (let i = 0; i < n; i++) {
      ours.push(await once());
      floor.push(await onceFloor());
    }
  }
  return {
    rows: [{ id: "kick", title: "kick: end of enqueue to handler start (in-process tick)", unit: "ms", ours, floor, target: { maxMs: 10 }, note: "floor: one claim" }],
  };
}

/**
 * What passing the pool to prismaExecutor buys, statement by statement: the app's Prisma
 * client (lib/db.ts createDatabase) as `prismaExecutor(prisma)`, the slow path (every
 * statement through `$queryRawUnsafe`), against `prismaExecutor(prisma, { pool })`, the fast
 * path (statements straight to the pool under the client's driver adapter). Same SQL, same
 * parameters, same database. In these rows "ours" is the slow path and "floor" the fast one.
 */
export async function prismaOverhead(ctx: Ctx): Promise<ScenarioResult> {
  const per = ctx.flags.quick ? 50 : 100;
  await truncate(ctx);
  // Every round claims and completes 10 on each path: enough pending rows that no claim comes back short.
  await seedNoops(ctx, Math.max(20_000, (20 + ctx.flags.runs * per) * 2 * 10));
  const paths = {
    // silentLogger drops the slow path's once-only warning, which this scenario is about.
    prisma: prismaExecutor(ctx.app.prisma),
    pool: prismaExecutor(ctx.app.prisma, { pool: ctx.app.pool }),
  };
  const engines = { prisma: engineOf(benchQueue(paths.prisma)), pool: engineOf(benchQueue(paths.pool)) };
  if (!paths.prisma.slowPath || paths.pool.slowPath) throw new Error("prisma: expected prismaExecutor(prisma) on the slow path and prismaExecutor(prisma, { pool }) off it");
  const sel = { prisma: [] as number[], pool: [] as number[] };
  const claim = { prisma: [] as number[], pool: [] as number[] };
  const complete = { prisma: [] as number[], pool: [] as number[] };
  const once = async (k: "prisma" | "pool", record: boolean) => {
    let t = performance.now();
    await paths[k].query("SELECT $1::int AS x", [1]);
    const selOnly = performance.now() - t;
    t = performance.now();
    const jobs = await claimJobs(engines[k], { workerId: WORKER, limit: 10, maxTimeoutMs: 600_000, graceMs: 15_000 });
    const claimMs = performance.now() - t;
    t = performance.now();
    const done = await completeAttempts(engines[k], WORKER, jobs.map((j) => ({ id: j.id, attempt: j.attempts, result: null })));
    const completeMs = performance.now() - t;
    if (jobs.length !== 10 || done.size !== 10) throw new Error(`prisma: ${k} claimed ${jobs.length} and completed ${done.size} of 10`);
    if (record) {
      sel[k].push(selOnly);
      claim[k].push(claimMs);
      complete[k].push(completeMs);
    }
  };
  for (let i = 0; i < 20; i++) {
    await once("prisma", false);
    await once("pool", false);
  }
  for (let r = 0; r < ctx.flags.runs; r++) {
    for (let i = 0; i < per; i++) {
      await once("prisma", true);
      await once("pool", true);
    }
  }
  await truncate(ctx);
  const note = "ours column: prismaExecutor(prisma), $queryRawUnsafe; floor column: prismaExecutor(prisma, { pool }), pool.query";
  return {
    rows: [
      { id: "prisma-select", title: "SELECT $1: prismaExecutor(prisma) vs (prisma, { pool })", unit: "ms", ours: sel.prisma, floor: sel.pool, note },
      { id: "prisma-claim", title: "claim 10: prismaExecutor(prisma) vs (prisma, { pool })", unit: "ms", ours: claim.prisma, floor: claim.pool, note },
      { id: "prisma-complete", title: "complete 10: prismaExecutor(prisma) vs (prisma, { pool })", unit: "ms", ours: complete.prisma, floor: complete.pool, note },
    ],
  };
}

export const SCENARIOS: Record<string, (ctx: Ctx) => Promise<ScenarioResult>> = {
  enqueue: enqueueOne,
  bulk: enqueueBulk,
  worker: workerDrain,
  route: routeDrain,
  drain,
  wake: wakeLatency,
  claim: claimAtScale,
  empty: emptyTick,
  kick,
  prisma: prismaOverhead,
  flow: flowScenario,
};
