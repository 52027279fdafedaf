// A worker in its own process, for crash tests: runs one long tick over the test registry
// against DATABASE_URL, then exits. Tests kill it with SIGKILL mid-handler.
import pg from "pg";
import { createQueue, silentLogger } from "cronbound";
import { pgExecutor } from "cronbound/pg";
import { testRegistry } from "./registry.ts";

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL as string, max: 3 });
const queue = createQueue({ db: pgExecutor(pool), registry: testRegistry, config: { production: false, leaseGraceMs: 1_000 }, logger: silentLogger });
const report = await queue.runTick({
  budgetMs: Number(process.env.TICK_BUDGET_MS ?? 120_000),
  concurrency: Number(process.env.TICK_CONCURRENCY ?? 10),
  workerId: process.env.WORKER_ID ?? "child",
});
console.log(JSON.stringify(report));
await pool.end();
