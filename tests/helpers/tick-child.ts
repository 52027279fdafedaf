// A worker in its own process, for crash tests: runs one long tick over the test registry
// against DATABASE_URL, then exits. Tests kill it with SIGKILL mid-handler.
import { createDatabase } from "../../lib/db.ts";
import { runTick } from "../../lib/jobs/tick.ts";
import { testRegistry } from "./registry.ts";

const d = createDatabase(process.env.DATABASE_URL as string, { max: 3 });
const report = await runTick(d.prisma, testRegistry, {
  budgetMs: Number(process.env.TICK_BUDGET_MS ?? 120_000),
  concurrency: Number(process.env.TICK_CONCURRENCY ?? 10),
  workerId: process.env.WORKER_ID ?? "child",
  graceMs: 1_000,
});
console.log(JSON.stringify(report));
await d.close();
