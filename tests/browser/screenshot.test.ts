// The dashboard over a busy hour: thousands of finished jobs arranged with SQL, real jobs
// enqueued and run by clicking "Run one tick now". Saves tests/artifacts/dashboard-busy.png and
// tests/artifacts/job.png on every run; with UPDATE_SCREENSHOT=1 also docs/dashboard.png, the
// image the README shows.
import { copyFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { registry } from "../../lib/job-types/index.ts";
import { startApp, type App } from "../helpers/app.ts";
import { testDatabase, type TestDatabase } from "../helpers/db.ts";
import { artifactPath, DOCS, launchBrowser, signIn } from "./browser.ts";
import { seedBusyHour } from "./seed.ts";

const DASHBOARD_SECRET = "dashboard-secret-for-screenshots";

let t: TestDatabase;
let app: App;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  t = await testDatabase();
  [app, browser] = await Promise.all([startApp({ DATABASE_URL: t.url, DASHBOARD_SECRET }), launchBrowser()]);
  page = await (await browser.newContext({ viewport: { width: 1200, height: 900 }, deviceScaleFactor: 1 })).newPage();
  await signIn(page, app.url, DASHBOARD_SECRET);
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await t?.close();
});

const count = async (where: string) =>
  Number((await t.sql<{ n: string }>(`SELECT count(*)::text AS n FROM jobs WHERE ${where}`))[0].n);
const shown = async (testId: string) => Number((await page.getByTestId(testId).innerText()).replace(/,/g, ""));

describe("the dashboard over a busy hour", () => {
  it("shows what the database holds after a real tick, and saves the screenshots", async () => {
    // History first, then real work: these jobs are claimed, run and finished by the app's tick.
    await seedBusyHour(t.sql);
    const queue = t.queue(registry);
    await queue.schedule("daily-digest", "0 7 * * *", { type: "send-email", payload: { to: "team@example.com", subject: "Daily digest" }, timezone: "Europe/London" });
    await queue.schedule("reindex-uploads", "0 3 * * 0", { type: "process-upload", payload: { fileId: "reindex" } });
    const ids = await queue.enqueueMany([
      ...Array.from({ length: 18 }, (_, i) => ({ type: "send-email", payload: { to: `signup${i}@example.com`, subject: "Welcome aboard" } })),
      ...Array.from({ length: 6 }, (_, i) => ({ type: "process-upload", payload: { fileId: `avatar-${i}` } })),
    ]);
    await page.goto(`${app.url}/jobs`);
    await page.getByTestId("run-tick").click();
    await page.getByTestId("flash").waitFor();
    expect(await page.getByTestId("flash").innerText()).toMatch(/completed \d+/);
    expect(await count(`status = 'completed' AND id IN (${ids.join(",")})`)).toBe(24);

    // A backlog arrives while the next tick is a minute away.
    await t.sql(`
      INSERT INTO jobs (type, payload, status, timeout_ms, run_at, created_at)
      SELECT 'send-email', jsonb_build_object('to', 'queued' || g || '@example.com', 'subject', 'Weekly digest'), 'pending', 10000,
             now() - g * interval '250 milliseconds', now() - g * interval '250 milliseconds'
      FROM generate_series(1, 140) g`);
    await page.goto(`${app.url}/jobs`);
    for (const s of ["pending", "processing", "completed", "failed", "cancelled"]) {
      expect(await shown(`count-${s}`), s).toBe(await count(`status = '${s}'`));
    }
    const finishedLastHour = await count(`status IN ('completed', 'failed') AND finished_at >= date_trunc('minute', now()) - interval '59 minutes'`);
    expect(await page.getByTestId("throughput-chart").getAttribute("aria-label")).toContain(`${finishedLastHour} in total`);

    const shot = artifactPath("dashboard-busy.png");
    await page.screenshot({ path: shot, fullPage: true, clip: { x: 0, y: 0, width: 1200, height: 1500 } });
    if (process.env.UPDATE_SCREENSHOT === "1") copyFileSync(shot, path.join(DOCS, "dashboard.png"));

    const [failed] = await t.sql<{ id: string }>("SELECT id::text AS id FROM jobs WHERE status = 'failed' ORDER BY finished_at DESC LIMIT 1");
    await page.goto(`${app.url}/jobs/${failed.id}`);
    await page.screenshot({ path: artifactPath("job.png"), fullPage: true });
  });
});
