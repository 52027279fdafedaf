// npm run bench -- --scenarios flow: what flow control (docs/FLOW-CONTROL.md) costs.
//
// Drain: the same no-op workload (jobs over 50 keys) drained by runTick with no limits (a queue
// whose registry has no limited type: the plain claim alone), with a per-key concurrency limit
// of 2 (never binding at these concurrencies: 100 slots), with a per-key rate limit too high to
// bind, and unlimited jobs in a registry that also has limited types (the flow claim runs,
// finds nothing, then the plain claim). Interleaved run by run; each row is a ratio to the
// no-limits drain. Claim at scale: one claim of 10 with 100,000 pending limited jobs over 1,000
// keys (1,000 running), beside the plain claim on the same number of unlimited jobs, and the plain claim's
// statement against the index as it was before migration 0004 (`flow_key IS NULL` added), with
// both plans (EXPLAIN ANALYZE, BUFFERS).
import { createQueue, createRegistry, defineJob, silentLogger, type Executor } from "cronbound";
import { claimJobs, engineOf, type Engine } from "cronbound/engine";
import { pgExecutor } from "cronbound/pg";
import { z } from "zod";
import { JOBS, type Ctx, type Row, type ScenarioResult } from "./scenarios.ts";

const KEYS = 50;
const schema = z.object({ n: z.number().int(), k: z.string() });
const plain = defineJob({ name: "flow-plain", schema, timeoutMs: 30_000, handler: async () => null });
const conc = defineJob({ name: "flow-conc", schema, timeoutMs: 30_000, concurrency: { limit: 2, key: (p) => p.k }, handler: async () => null });
const rated = defineJob({ name: "flow-rate", schema, timeoutMs: 30_000, rateLimit: { limit: 1_000_000, periodMs: 1_000, key: (p) => p.k }, handler: async () => null });
const withoutLimits = createRegistry([plain]);
const withLimits = createRegistry([plain, conc, rated]);

/** Statements that go through `db`, recorded when `record` holds (for EXPLAIN), transactions included. */
function recording(db: Executor, seen: { text: string; values: readonly unknown[] }[], match: (text: string) => boolean): Executor {
  const wrap = (x: Executor): Executor => ({
    kind: x.kind,
    query: (text, values) => (match(text) && seen.push({ text, values: values ?? [] }), x.query(text, values)),
    execute: (text, values) => x.execute(text, values),
    transaction: (fn) => x.transaction((tx) => fn(wrap(tx))),
    join: (tx) => wrap(x.join(tx)),
  });
  return wrap(db);
}

const rate = (n: number, ms: number) => (n / ms) * 1000;

export async function flowScenario(ctx: Ctx): Promise<ScenarioResult> {
  const db = pgExecutor(ctx.app.pool);
  const seen: { text: string; values: readonly unknown[] }[] = [];
  const q = (registry: typeof withLimits | typeof withoutLimits) =>
    createQueue({ db: recording(db, seen, (t) => t.includes("WITH RECURSIVE") || t.includes("FOR UPDATE SKIP LOCKED")), registry, logger: silentLogger });
  const base = q(withoutLimits);
  const limited = q(withLimits);
  const n = ctx.flags.jobs;
  const truncate = () => ctx.admin.query(`TRUNCATE ${JOBS}, cronbound.flow_starts, cronbound.flow_keys RESTART IDENTITY`);
  const seed = async (type: string) => {
    for (let i = 0; i < n; i += 5_000) {
      await limited.enqueueMany(Array.from({ length: Math.min(5_000, n - i) }, (_, j) => ({ type, payload: { n: i + j, k: `k${(i + j) % KEYS}` } })));
    }
    await ctx.admin.query(`ANALYZE ${JOBS}`);
  };
  const drainOnce = async (queue: typeof base | typeof limited, type: string, concurrency: number) => {
    await truncate();
    await seed(type);
    let last = 0;
    const t0 = performance.now();
    const r = await queue.runTick({ budgetMs: 600_000, concurrency, batchSize: ctx.flags.batch, workerId: "bench", skipMaintenance: true, onJob: () => (last = performance.now()) });
    if (r.completed !== n) throw new Error(`flow drain (${type}): completed ${r.completed} of ${n}`);
    return rate(n, last - t0);
  };

  const rows: Row[] = [];
  for (const c of ctx.flags.concurrency) {
    const s = { none: [] as number[], conc: [] as number[], rate: [] as number[], mixed: [] as number[] };
    for (let r = 0; r < ctx.flags.runs; r++) {
      s.none.push(await drainOnce(base, "flow-plain", c));
      s.conc.push(await drainOnce(limited, "flow-conc", c));
      s.rate.push(await drainOnce(limited, "flow-rate", c));
      s.mixed.push(await drainOnce(limited, "flow-plain", c));
    }
    const id = (x: string) => `flow-${x}-c${c}`;
    const title = (x: string) => `drain ${n} over ${KEYS} keys, ${x}, concurrency ${c}`;
    const note = "'floor' column: the same drain without limits";
    rows.push(
      { id: id("none"), title: title("no limits (plain claim)"), unit: "jobs/s", ours: s.none },
      { id: id("conc"), title: title("concurrency 2 per key"), unit: "jobs/s", ours: s.conc, floor: s.none, versus: id("none"), note },
      { id: id("rate"), title: title("rate limit per key (not binding)"), unit: "jobs/s", ours: s.rate, floor: s.none, versus: id("none"), note },
      { id: id("mixed"), title: title("no limits, beside limited types"), unit: "jobs/s", ours: s.mixed, floor: s.none, versus: id("none"), note },
    );
  }
  await truncate();

  // Claim at scale: 100,000 pending limited jobs over 1,000 keys (or --pending), generated with SQL.
  const pending = ctx.flags.pending;
  const keys = 1_000;
  // Unlimited jobs over 10 types, as an app with several types has them (a single type once made
  // the planner misjudge the pause filter; engine/pause.ts says how that was fixed).
  const gen = (type: string, flowKey: string) =>
    ctx.admin.query(
      `INSERT INTO ${JOBS} (type, payload, run_at, timeout_ms, flow_key)
       SELECT ${type}, jsonb_build_object('n', g, 'k', 'k' || (g % ${keys})), now() - interval '1 hour' + random() * interval '59 minutes', 30000, ${flowKey}
       FROM generate_series(1, $1::int) g`,
      [pending],
    );
  const plainTypes = "'flow-plain-' || (g % 10)";
  await gen("'flow-conc'", `'k' || (g % ${keys})`);
  await gen(plainTypes, "NULL");
  // One job of each key running elsewhere (1,000 running): each key has one slot of its 2 left.
  await ctx.admin.query(
    `UPDATE ${JOBS} SET status = 'processing', attempts = 1, locked_by = 'elsewhere', locked_at = now(),
       locked_until = now() + interval '1 hour', started_at = now()
     WHERE id IN (SELECT min(id) FROM ${JOBS} WHERE type = 'flow-conc' GROUP BY flow_key)`,
  );
  await ctx.admin.query(`VACUUM ANALYZE ${JOBS}`);
  const e: Engine = engineOf(limited);
  const eBase: Engine = engineOf(base);
  const opts = { workerId: "bench", limit: 10, maxTimeoutMs: 600_000, graceMs: 15_000 };
  const reset = () => ctx.admin.query(`UPDATE ${JOBS} SET status = 'pending', attempts = 0, locked_by = NULL, locked_at = NULL, locked_until = NULL, started_at = NULL WHERE status = 'processing' AND locked_by = 'bench'`);
  const samples = ctx.flags.quick ? 20 : 50;
  const time = async (engine: Engine, types: string[]) => {
    const out: number[] = [];
    for (let i = 0; i < samples + 5; i++) {
      const t = performance.now();
      const got = await claimJobs(engine, { ...opts, types });
      if (i >= 5) out.push(performance.now() - t);
      if (got.length !== 10) throw new Error(`flow claim at scale: got ${got.length}`);
      await reset();
    }
    return out;
  };
  const flowMs = await time(e, ["flow-conc"]);
  const plainMs = await time(eBase, []);

  // EXPLAIN the statements as they reached pg: the flow claim, and the plain claim after and before 0004.
  seen.length = 0;
  await claimJobs(e, { ...opts, types: ["flow-conc"] });
  await reset();
  const flowStmt = seen.find((s) => s.text.includes("WITH RECURSIVE"));
  seen.length = 0;
  await claimJobs(eBase, opts);
  await reset();
  const plainStmt = seen.find((s) => s.text.includes("FOR UPDATE SKIP LOCKED"));
  if (!flowStmt || !plainStmt) throw new Error("flow bench: a claim statement was not captured");
  const explain = async (text: string, values: readonly unknown[]) => {
    const c = await ctx.admin.connect();
    try {
      await c.query("BEGIN");
      const r = await c.query<{ "QUERY PLAN": string }>(`EXPLAIN (ANALYZE, BUFFERS) ${text}`, values as unknown[]);
      await c.query("ROLLBACK");
      return r.rows.map((x) => x["QUERY PLAN"]).join("\n");
    } finally {
      c.release();
    }
  };
  const execMs = (plan: string) => Number(/Execution Time: ([\d.]+) ms/.exec(plan)?.[1]);
  const plans: Record<string, string> = {};
  plans[`flow claim, ${pending} pending over ${keys} keys, ${keys} running`] = await explain(flowStmt.text, flowStmt.values);
  plans[`plain claim (this version), ${pending} plain + ${pending} limited pending`] = await explain(plainStmt.text, plainStmt.values);
  // The plain claim as it was before 0004: no flow_key IS NULL, the index without it.
  const before = plainStmt.text.replace(" AND flow_key IS NULL", "");
  const beforeMs: number[] = [];
  const afterMs: number[] = [];
  // A fresh table of unlimited jobs only (the layout before 0004 held nothing else).
  await truncate();
  await gen(plainTypes, "NULL");
  await ctx.admin.query(`VACUUM ANALYZE ${JOBS}`);
  for (let i = 0; i < samples; i++) afterMs.push(execMs(await explain(plainStmt.text, plainStmt.values)));
  plans[`plain claim (this version), ${pending} pending`] = await explain(plainStmt.text, plainStmt.values);
  await ctx.admin.query(`CREATE INDEX bench_claim_before_0004 ON ${JOBS} (priority, run_at, id) WHERE status = 'pending' AND NOT blocked`);
  await ctx.admin.query(`DROP INDEX cronbound.jobs_claim_idx`);
  await ctx.admin.query(`ANALYZE ${JOBS}`);
  for (let i = 0; i < samples; i++) beforeMs.push(execMs(await explain(before, plainStmt.values)));
  plans[`plain claim as before 0004, ${pending} pending`] = await explain(before, plainStmt.values);
  await ctx.admin.query(`DROP INDEX cronbound.bench_claim_before_0004`);
  await ctx.admin.query(`CREATE INDEX jobs_claim_idx ON ${JOBS} (priority, run_at, id) WHERE status = 'pending' AND NOT blocked AND flow_key IS NULL`);
  await truncate();

  rows.push(
    { id: "flow-claim-scale", title: `claim 10 limited jobs at ${pending.toLocaleString("en")} pending over ${keys} keys, 1 running per key`, unit: "ms", ours: flowMs, floor: plainMs, note: "'floor' column: the plain claim at the same number of unlimited pending jobs" },
    { id: "flow-plain-claim-before-after", title: `plain claim statement at ${pending.toLocaleString("en")} pending, this version vs before 0004 (execution time)`, unit: "ms", ours: afterMs, floor: beforeMs, target: { maxRatio: 1.2 }, note: "'floor' column: the statement and index before migration 0004" },
  );
  return { rows, extra: { flowExplain: plans } };
}
