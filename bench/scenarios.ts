import { createQueue, silentLogger, type Executor } from "cronbound";
import { claimJobs, completeAttempts, engineOf, type Engine } from "cronbound/engine";
import { prismaExecutor } from "cronbound/prisma";
import type pg from "pg";
import type { Database } from "../lib/db.ts";
import { floorClaim, floorComplete, floorDrain, floorEnqueue, floorEnqueueMany, JOBS } from "./floor.ts";
import { flowScenario } from "./flow.ts";
import { benchRegistry, floorNoop, probe } from "./jobs.ts";

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
}

export interface ScenarioResult {
  rows: Row[];
  extra?: Record<string, unknown>;
}

const WORKER = "bench";
const TIMEOUT_MS = 30_000; // the noop type's timeout; the floor writes the same

async function truncate(ctx: Ctx) {
  await ctx.admin.query(`TRUNCATE ${JOBS} RESTART IDENTITY`);
}

async function seedNoops(ctx: Ctx, n: number) {
  for (let i = 0; i < n; i += 5_000) {
    const items = Array.from({ length: Math.min(5_000, n - i) }, (_, k) => ({ type: "noop", payload: { n: i + k }, timeoutMs: TIMEOUT_MS }));
    await floorEnqueueMany(ctx.admin, items);
  }
  await ctx.admin.query(`ANALYZE ${JOBS}`);
}

async function countCompleted(ctx: Ctx): Promise<number> {
  return (await ctx.admin.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${JOBS} WHERE status = 'completed'`)).rows[0].n;
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
    await floorEnqueue(ctx.floor, "noop", { n: i }, TIMEOUT_MS);
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
      for (let j = 0; j < k; j++) await floorEnqueue(ctx.floor, "noop", { n: i + j }, TIMEOUT_MS);
      floorMs += performance.now() - t;
    }
    ours.push(rate(n, oursMs));
    floor.push(rate(n, floorMs));
  }
  return {
    rows: [{ id: "enqueue-one", title: `enqueue, one at a time (${n} sequential awaits)`, unit: "jobs/s", ours, floor, target: { minRatio: 0.7 } }],
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
      await floorEnqueueMany(ctx.floor, items(i, Math.min(chunk, n - i)).map((x) => ({ ...x, timeoutMs: TIMEOUT_MS })));
    }
    floor.push(rate(n, performance.now() - t));
    await truncate(ctx);
  }
  return { rows: [{ id: "enqueue-bulk", title: `enqueueMany, ${chunk} per call (${n} jobs)`, unit: "jobs/s", ours, floor }] };
}

/** 10,000 no-op jobs through runTick; ms from the first claim to the last completion. */
export async function drain(ctx: Ctx): Promise<ScenarioResult> {
  const n = ctx.flags.jobs;
  const rows: Row[] = [];
  for (const concurrency of ctx.flags.concurrency) {
    const ours: number[] = [];
    const floor: number[] = [];
    for (let r = 0; r < ctx.flags.runs; r++) {
      await truncate(ctx);
      await seedNoops(ctx, n);
      let last = 0;
      // No maintenance: with nothing to rescue it is one statement before the first claim,
      // which the timing starts after in the floor too.
      const t0 = performance.now();
      const report = await ctx.queue.runTick({
        budgetMs: 600_000, concurrency, batchSize: ctx.flags.batch, workerId: WORKER, skipMaintenance: true,
        onJob: () => (last = performance.now()),
      });
      if (report.completed !== n || (await countCompleted(ctx)) !== n) throw new Error(`drain: ours completed ${report.completed} of ${n}`);
      ours.push(rate(n, last - t0));

      await truncate(ctx);
      await seedNoops(ctx, n);
      const f = await floorDrain(ctx.floor, WORKER, concurrency, floorNoop);
      if (f.completed !== n || (await countCompleted(ctx)) !== n) throw new Error(`drain: floor completed ${f.completed} of ${n}: ${JSON.stringify((await ctx.admin.query(`SELECT status, count(*), min(run_at), max(run_at), now() FROM ${JOBS} GROUP BY 1`)).rows)}`);
      floor.push(rate(n, f.ms));
    }
    rows.push({
      id: `drain-c${concurrency}`, title: `drain ${n} no-op jobs, concurrency ${concurrency}${ctx.flags.batch ? `, batch ${ctx.flags.batch}` : ""}`, unit: "jobs/s", ours, floor,
      target: { minRatio: 1.2 },
    });
  }
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
  await ctx.admin.query(`VACUUM ANALYZE ${JOBS}`);
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
  await ctx.admin.query(`VACUUM ANALYZE ${JOBS}`);
  await ctx.admin.query("CHECKPOINT").catch(() => {}); // needs superuser or pg_checkpoint
  explain[`${small} pending`] = await explainClaim(ctx);
  const little = await measure();
  await truncate(ctx);
  await ctx.admin.query(`VACUUM ${JOBS}`);

  const label = (p: number) => `${(finished / 1e6).toLocaleString("en")}M finished, ${p.toLocaleString("en")} pending`;
  return {
    rows: [
      { id: "claim-big", title: `claim 10 at ${label(pending)}`, unit: "ms", ours: big.ours, floor: big.floor, target: { maxRatio: 1.2 } },
      { id: "claim-small", title: `claim 10 at ${label(small)}`, unit: "ms", ours: little.ours, floor: little.floor, target: { maxRatio: 1.2 } },
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
    rows: [{ id: "empty-tick", title: "empty tick (maintenance + claim that finds nothing)", unit: "ms", ours, floor, target: { maxMs: 5 }, note: "floor: one empty claim" }],
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
    await floorEnqueue(ctx.floor, "probe", {}, 5_000);
    const end = performance.now();
    let jobs = await floorClaim(ctx.floor, WORKER, 1, 6_000);
    // run_at is timestamptz(3), rounded: a claim within half a millisecond of the insert can
    // find it not yet due. Claim again rather than record a job that never started.
    while (!jobs.length) jobs = await floorClaim(ctx.floor, WORKER, 1, 6_000);
    const latency = performance.now() - end;
    await floorComplete(ctx.floor, WORKER, jobs, jobs.map(() => null));
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
  drain,
  claim: claimAtScale,
  empty: emptyTick,
  kick,
  prisma: prismaOverhead,
  flow: flowScenario,
};
