// The crash soak at CI size (scripts/soak/soak.ts has the whole story): worker processes
// (the `cronbound worker` bin, as `npm run worker` runs it) and two loops of cron ticks over HTTP
// (`next start`) drain a backlog while a worker is SIGKILLed every 1-2 s and replaced, and
// now and then one is frozen (SIGSTOP) past its leases and resumed: its late writes are fenced.
// SOAK_JOBS sets the size (default 3,000); `npm run soak -- --jobs 100000` is the long run.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runSoak, type SoakReport } from "../../scripts/soak/soak.ts";
import { startApp, TEST_SECRET, type App } from "../helpers/app.ts";
import { useTestDatabase } from "../helpers/db.ts";

const JOBS = Number(process.env.SOAK_JOBS ?? 3_000);
const t = useTestDatabase();
let app: App;

beforeAll(async () => {
  app = await startApp({
    DATABASE_URL: t.url,
    TICK_BUDGET_MS: "3000",
    LEASE_GRACE_MS: "500",
    DEMO_JOB_DELAY_MS: "10",
    RETENTION_BATCH_SIZE: "0",
  });
});
afterAll(async () => {
  await app?.stop();
});

describe("crash soak", () => {
  it(`${JOBS} jobs drained by killed-and-restarted workers and overlapping HTTP ticks: none lost, none completed twice, every duplicate run explained by a lost lease`, async () => {
    const report: SoakReport = await runSoak({
      databaseUrl: t.url,
      jobs: JOBS,
      workers: 3,
      app: { url: app.url, secret: TEST_SECRET },
      httpTicks: 2,
      httpAfterFirstKill: true,
      jobMs: 10,
      freeze: true,
      maxDurationMs: 240_000,
      log: (l) => console.log(`[soak] ${l}`),
    });
    console.log(`[soak] report ${JSON.stringify(report)}`);
    expect(report.violations).toEqual([]);
    expect(report).toMatchObject({ missing: 0, notFinished: 0, doubleCompletions: 0, unexplainedDuplicates: 0, httpTickFailures: 0 });
    expect(report.completed + report.failed).toBe(JOBS);
    // The chaos really happened, and the HTTP ticks really took part.
    expect(report.workersKilled).toBeGreaterThanOrEqual(1);
    expect(report.leasesExpired).toBeGreaterThan(0);
    expect(report.httpTicks).toBeGreaterThan(0);
  }, 300_000);
});
