// The engine's test files, unchanged, with every connection going through PgBouncer in
// transaction mode. Run by tests/reliability/pooler.test.ts (which starts PgBouncer), or by
// hand: TEST_POOLER_URL=postgresql://postgres@127.0.0.1:6432/postgres \
//   TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \
//   npx vitest run --config tests/reliability/pooler/pooler.config.ts
import { defineConfig } from "vitest/config";

export const POOLED_FILES = [
  "tests/engine/claim.test.ts",
  "tests/engine/fencing.test.ts",
  "tests/engine/enqueue.test.ts",
  "tests/engine/rescue.test.ts",
  "tests/engine/execute.test.ts",
  "tests/engine/crash.test.ts",
  // Schedules (fired exactly once by overlapping ticks), dependencies, cancellation, progress,
  // retention and dead jobs: the engine's other writes.
  "tests/flows/schedules.test.ts",
  "tests/flows/dependencies.test.ts",
  "tests/flows/cancellation.test.ts",
  "tests/flows/progress.test.ts",
  "tests/flows/retention.test.ts",
  "tests/flows/dead-jobs.test.ts",
  "tests/reliability/overlap.test.ts",
  // Durable steps: transactions with advisory locks (events), FOR SHARE on children, fenced
  // step writes, a SIGKILLed worker mid-sequence.
  "tests/steps/crash.test.ts",
  "tests/steps/events.test.ts",
  "tests/steps/invoke.test.ts",
  "tests/steps/fencing.test.ts",
  // Flow control: the flow claim's transaction-scoped advisory locks, 8 claimers at once.
  "tests/flow-control/concurrency.test.ts",
  "tests/flow-control/rate-limit.test.ts",
];

export default defineConfig({
  root: new URL("../../..", import.meta.url).pathname,
  test: {
    include: POOLED_FILES,
    globalSetup: ["tests/reliability/pooler/global-setup.ts"],
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 180_000,
    reporters: ["default"],
  },
});
