// npm run bench [-- --quick] [--jobs N] [--concurrency 10,50] [--runs N] [--scenarios a,b]
//                [--finished N] [--pending N] [--explain] [--out FILE]
//
// Every scenario runs the engine ("ours": a cronbound queue on pgExecutor(pool), through the
// package's public entry points only) and the raw-pg floor (bench/floor.ts) in the same
// process against the same fresh database, interleaved run by run, so the ratio holds even
// when the machine is noisy. Prints a Markdown table and writes the JSON (default
// bench/results/latest.json).
import { mkdir, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { engineOf } from "cronbound/engine";
import { pgExecutor } from "cronbound/pg";
import pg from "pg";
import { createDatabase } from "../lib/db.ts";
import { evaluate, table, type RowResult } from "./report.ts";
import { benchQueue, SCENARIOS, type Ctx, type Flags } from "./scenarios.ts";
import { createBenchDatabase } from "./setup.ts";

const USAGE = `usage: npm run bench -- [options]
  --quick             about a minute: fewer runs, 2,000 jobs, 100k finished rows
  --jobs N            jobs per drain and bulk enqueue run (default 10000)
  --concurrency A,B   drain concurrencies (default 10,50)
  --batch N           drain: runTick's batchSize (default: the engine's default)
  --runs N            runs per scenario (default 5; quick 2)
  --scenarios LIST    any of ${Object.keys(SCENARIOS).join(",")} (default all)
  --finished N        finished rows for the claim at scale (default 1000000; quick 100000)
  --pending N         pending rows for the claim at scale (default 100000; quick 10000)
  --explain           print the claim's EXPLAIN (ANALYZE, BUFFERS)
  --out FILE          JSON results (default bench/results/latest.json)`;

function flags(): Flags & { explain: boolean; out: string } {
  const { values } = parseArgs({
    options: {
      quick: { type: "boolean", default: false },
      jobs: { type: "string" },
      concurrency: { type: "string" },
      batch: { type: "string" },
      runs: { type: "string" },
      scenarios: { type: "string" },
      finished: { type: "string" },
      pending: { type: "string" },
      explain: { type: "boolean", default: false },
      out: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const int = (name: string, v: string | undefined, def: number, min = 1) => {
    if (v === undefined) return def;
    const n = Number(v.replace(/[_,]/g, ""));
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}, got ${JSON.stringify(v)}`);
    return n;
  };
  const quick = values.quick;
  const scenarios = values.scenarios ? values.scenarios.split(",").map((s) => s.trim()).filter(Boolean) : Object.keys(SCENARIOS);
  for (const s of scenarios) if (!SCENARIOS[s]) throw new Error(`unknown scenario "${s}" (known: ${Object.keys(SCENARIOS).join(", ")})`);
  return {
    quick,
    jobs: int("jobs", values.jobs, quick ? 2_000 : 10_000),
    concurrency: values.concurrency ? values.concurrency.split(",").map((c) => int("concurrency", c, 10)) : [10, 50],
    batch: values.batch === undefined ? undefined : int("batch", values.batch, 10),
    runs: int("runs", values.runs, quick ? 2 : 5),
    scenarios,
    finished: int("finished", values.finished, quick ? 100_000 : 1_000_000, 0),
    pending: int("pending", values.pending, quick ? 10_000 : 100_000),
    explain: values.explain,
    out: values.out ?? path.resolve("bench/results/latest.json"),
  };
}

async function main() {
  let f: ReturnType<typeof flags>;
  try {
    f = flags();
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  const log = (line: string) => console.log(line);
  const started = Date.now();
  const server = await createBenchDatabase(log);
  log(`database ${server.name} (PostgreSQL ${server.serverVersion}${server.embedded ? ", embedded" : ""}); node ${process.version}; ${os.cpus().length} cpus`);
  log(`jobs ${f.jobs}, concurrency ${f.concurrency.join("/")}, runs ${f.runs}, claim at ${f.finished.toLocaleString("en")} finished + ${f.pending.toLocaleString("en")} pending`);

  // Same pool size for both sides; neither is starved of connections. The engine runs on the
  // app's pool (lib/db.ts createDatabase: the pool and the Prisma client over it, which the
  // prisma scenario uses) through pgExecutor, the fast path: one pool.query per statement.
  const app = createDatabase(server.url, { max: 10 });
  // What `npm run worker` runs on: the app's pool at its default size.
  const appDefault = createDatabase(server.url);
  const queue = benchQueue(pgExecutor(app.pool));
  const floor = new pg.Pool({ connectionString: server.url, max: 10 });
  const admin = new pg.Pool({ connectionString: server.url, max: 2 });
  // A connection the server ends while idle emits 'error' on its pool, and unhandled that
  // crashes the run before the table is printed. It happens at the end: pool.end() resolves
  // before the server has closed every backend, and the drop's WITH (FORCE) terminates those
  // (57P01). (The app's pool, from createDatabase, has its own listener.)
  let closing = false;
  for (const [name, p] of [["floor", floor], ["admin", admin]] as const) {
    p.on("error", (err) => {
      if (!closing) log(`  (${name} pool: an idle connection was lost: ${err.message})`);
    });
  }
  const ctx: Ctx = { queue, engine: engineOf(queue), app, appDefault, url: server.url, floor, admin, flags: f, log };
  const results: RowResult[] = [];
  const extra: Record<string, unknown> = {};
  let failed: unknown;
  try {
    for (const name of f.scenarios) {
      const t = performance.now();
      log(`- ${name}`);
      const r = await SCENARIOS[name](ctx);
      for (const row of r.rows) {
        const e = evaluate(row);
        results.push(e);
        const fl = e.floor ? `, floor ${fmt(e.floor.median, e.unit)}, ${e.ratio!.toFixed(2)}x` : "";
        log(`  ${e.title}: ours ${fmt(e.ours.median, e.unit)}${fl}`);
      }
      if (r.extra) Object.assign(extra, r.extra);
      log(`  (${((performance.now() - t) / 1000).toFixed(1)} s)`);
    }
  } catch (err) {
    failed = err;
  } finally {
    closing = true;
    await app.close();
    await appDefault.close();
    await floor.end();
    await admin.end();
    await server.drop().catch((e) => console.error(`could not drop ${server.name}: ${(e as Error).message}`));
  }
  if (failed) throw failed;

  console.log(`\n${table(results)}\n`);
  if (extra.emptyTickStatements) {
    console.log("empty tick, statement by statement (median ms, statements per tick):");
    for (const [k, v] of Object.entries(extra.emptyTickStatements as Record<string, { perCall: number; medianMs: number }>)) {
      console.log(`  ${v.medianMs.toFixed(3).padStart(8)}  x${v.perCall}  ${k}`);
    }
    console.log("");
  }
  if (f.explain && extra.explain) {
    for (const [k, plan] of Object.entries(extra.explain as Record<string, string>)) console.log(`claim plan at ${k}:\n${plan}\n`);
  }
  if (f.explain && extra.flowExplain) {
    for (const [k, plan] of Object.entries(extra.flowExplain as Record<string, string>)) console.log(`${k}:\n${plan}\n`);
  }
  const json = {
    at: new Date().toISOString(),
    durationS: Math.round((Date.now() - started) / 1000),
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, node: process.version, postgres: server.serverVersion, embedded: server.embedded },
    flags: f,
    results,
    ...extra,
  };
  await mkdir(path.dirname(f.out), { recursive: true });
  await writeFile(f.out, `${JSON.stringify(json, null, 2)}\n`);
  const missed = results.filter((r) => r.met === false).map((r) => r.id);
  console.log(`wrote ${path.relative(process.cwd(), f.out)} in ${json.durationS} s${missed.length ? `; targets missed: ${missed.join(", ")}` : "; every target met"}`);
}

function fmt(v: number, unit: string): string {
  return unit === "ms" ? `${v.toFixed(2)} ms` : `${Math.round(v).toLocaleString("en")} ${unit}`;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
