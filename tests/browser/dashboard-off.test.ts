// Production without DASHBOARD_SECRET: the dashboard is off and says so; no job data leaves.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { startApp, type App } from "../helpers/app.ts";
import { testDatabase, type TestDatabase } from "../helpers/db.ts";
import { launchBrowser } from "./browser.ts";
import { seedKnownCounts, type Seeded } from "./seed.ts";

let t: TestDatabase;
let app: App;
let browser: Browser;
let seeded: Seeded;

beforeAll(async () => {
  t = await testDatabase();
  seeded = await seedKnownCounts(t.sql);
  [app, browser] = await Promise.all([startApp({ DATABASE_URL: t.url, DASHBOARD_SECRET: undefined }), launchBrowser()]);
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await t?.close();
});

describe("/jobs in production without DASHBOARD_SECRET", () => {
  it.each(["/jobs", "/jobs/login", "/jobs/__ID__"])("%s shows that the dashboard is off, and no data", async (path) => {
    const page = await browser.newPage();
    try {
      await page.goto(`${app.url}${path.replace("__ID__", seeded.failed[0])}`);
      // The package names the setting both ways: the app's variable and the config field it feeds.
      expect(await page.getByTestId("dashboard-off").innerText()).toContain("DASHBOARD_SECRET (config.dashboardSecret) is not set");
      const html = await page.content();
      expect(html).not.toContain("SMTP 550");
      expect(html).not.toContain("user2@example.com");
      expect(await page.getByTestId("counts").count()).toBe(0);
      expect(await page.locator('input[name="secret"]').count()).toBe(0);
    } finally {
      await page.close();
    }
  });
});
