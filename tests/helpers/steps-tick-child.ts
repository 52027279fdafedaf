// tick-child.ts over the durable-step job types: one long tick against DATABASE_URL in its own
// process, for tests that SIGKILL it mid-job.
import pg from "pg";
import { createQueue, silentLogger } from "cronbound";
import { pgExecutor } from "cronbound/pg";
import { stepRegistry } from "./steps-registry.ts";

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL as string, max: 3 });
const queue = createQueue({ db: pgExecutor(pool), registry: stepRegistry, config: { production: false, leaseGraceMs: 1_000 }, logger: silentLogger });
const report = await queue.runTick({ budgetMs: 120_000, workerId: process.env.WORKER_ID ?? "child" });
console.log(JSON.stringify(report));
await pool.end();
