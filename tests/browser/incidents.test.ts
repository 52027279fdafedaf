// The dashboard's incident tools in headless Chromium against `next start` (production, signed
// in): bulk retry of 500 failed jobs of one type (the count shown first, all retried, the rest
// untouched), bulk cancel by error text, search by id, idempotency key and error text, live
// refresh of the job page and the overview without a reload, the per-type view with pause and
// resume. Saves tests/artifacts/incidents-*.png; with UPDATE_SCREENSHOT=1 also docs/incidents.png.
import { copyFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { registry } from "../../lib/job-types/index.ts";
import { startApp, TEST_SECRET, type App } from "../helpers/app.ts";
import { testDatabase, type TestDatabase } from "../helpers/db.ts";
import { artifactPath, DOCS, launchBrowser, signIn } from "./browser.ts";

const DASHBOARD_SECRET = "dashboard-secret-for-incidents";

let t: TestDatabase;
let app: App;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  t = await testDatabase();
  [app, browser] = await Promise.all([startApp({ DATABASE_URL: t.url, DASHBOARD_SECRET }), launchBrowser()]);
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await signIn(page, app.url, DASHBOARD_SECRET);
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await t?.close();
});

/** A manual tick of the app (POST /api/jobs/tick): the app's own handlers run the jobs. */
async function appTick(): Promise<{ completed: number }> {
  const res = await fetch(`${app.url}/api/jobs/tick`, {
    method: "POST",
    headers: { authorization: `Bearer ${TEST_SECRET}`, "content-type": "application/json" },
    body: JSON.stringify({ types: ["send-email"] }),
  });
  expect(res.status).toBe(200);
  return res.json();
}

const count = async (where: string, params: unknown[] = []) =>
  (await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM jobs WHERE ${where}`, params))[0].n;
const fingerprint = async (where: string) =>
  (await t.sql<{ f: string }>(`SELECT coalesce(md5(string_agg(j::text, '|' ORDER BY id)), '') AS f FROM jobs j WHERE ${where}`))[0].f;

describe("incident tools", () => {
  it("bulk retry: 500 failed send-email jobs, the count shown before confirming, all retried, the others untouched", async () => {
    await t.sql(`
      INSERT INTO jobs (type, payload, status, attempts, max_attempts, timeout_ms, last_error, finished_at, created_at)
      SELECT 'send-email', jsonb_build_object('to', 'user' || g || '@example.com', 'subject', 'Receipt'), 'failed', 5, 5, 10000,
             'SMTP 550 5.1.1 recipient rejected', now() - interval '5 minutes', now() - interval '10 minutes'
      FROM generate_series(1, 500) g`);
    await t.sql(`
      INSERT INTO jobs (type, payload, status, attempts, max_attempts, timeout_ms, last_error, finished_at)
      SELECT 'process-upload', jsonb_build_object('fileId', 'f' || g), 'failed', 3, 3, 60000, 'unsupported image format', now() - interval '1 minute'
      FROM generate_series(1, 40) g`);
    await t.sql(`
      INSERT INTO jobs (type, payload, status, attempts, timeout_ms, finished_at, result)
      SELECT 'send-email', jsonb_build_object('to', 'ok' || g || '@example.com', 'subject', 'Welcome'), 'completed', 1, 10000, now(), '{}'
      FROM generate_series(1, 10) g`);
    const others = await fingerprint("NOT (type = 'send-email' AND status = 'failed')");

    await page.goto(`${app.url}/jobs?status=failed&type=send-email#list`);
    expect(await page.getByTestId("bulk-retryable").innerText()).toBe("500");
    expect(await page.getByTestId("bulk-cancellable").innerText()).toBe("0");
    await page.getByTestId("bulk-retry").click();
    await page.getByTestId("confirm-retry").waitFor();
    expect(await page.getByTestId("confirm-count").innerText()).toBe("500");
    expect(await page.getByTestId("confirm-retry").innerText()).toContain("status failed, type send-email");
    // Nothing has happened yet.
    expect(await count("type = 'send-email' AND status = 'failed'")).toBe(500);
    await page.screenshot({ path: artifactPath("incidents-confirm.png") });

    await page.getByTestId("confirm-bulk").click();
    await page.waitForURL(/done=bulk-retried/);
    expect(await page.getByTestId("flash").innerText()).toBe("Retried: 500 jobs.");
    expect(new URL(page.url()).searchParams.get("status")).toBe("failed"); // back to the same filter
    expect(await count("type = 'send-email' AND status = 'pending' AND attempts = 0 AND finished_at IS NULL")).toBe(500);
    expect(await count("type = 'send-email' AND status = 'failed'")).toBe(0);
    expect(await fingerprint("NOT (type = 'send-email' AND status = 'pending')")).toBe(others);
  });

  it("bulk cancel by error text: the 500 retried jobs, nothing else", async () => {
    await t.sql(`INSERT INTO jobs (type, payload, status, timeout_ms, run_at)
                 SELECT 'send-email', jsonb_build_object('to', 'later' || g || '@example.com', 'subject', 'Later'), 'pending', 10000, now() + interval '1 day'
                 FROM generate_series(1, 5) g`);
    const others = await fingerprint("last_error IS NULL OR type <> 'send-email'");
    await page.goto(`${app.url}/jobs?status=pending#list`);
    await page.getByTestId("filter-text").fill("smtp 550"); // case-insensitive
    await page.getByTestId("filters").locator('button[type="submit"]').click();
    await page.waitForURL(/text=smtp\+550/);
    expect(await page.getByTestId("bulk-cancellable").innerText()).toBe("500");
    await page.getByTestId("bulk-cancel").click();
    expect(await page.getByTestId("confirm-count").innerText()).toBe("500");
    await page.getByTestId("confirm-bulk").click();
    await page.waitForURL(/done=bulk-cancelled/);
    expect(await page.getByTestId("flash").innerText()).toBe("Cancelled: 500 jobs.");
    expect(await count("status = 'cancelled' AND last_error = 'cancelled in bulk from the dashboard'")).toBe(500);
    expect(await count("type = 'send-email' AND status = 'pending'")).toBe(5);
    expect(await fingerprint("last_error IS NULL OR type <> 'send-email'")).toBe(others);
    // The filter is still applied, and now matches nothing to cancel.
    expect(await page.getByTestId("filter-text").inputValue()).toBe("smtp 550");
    expect(await page.getByTestId("bulk-cancellable").innerText()).toBe("0");
  });

  it("search: an id opens the job, an idempotency key opens its job, anything else filters by error text", async () => {
    const queue = t.queue(registry);
    const { job } = await queue.enqueue("send-email", { to: "key@example.com", subject: "Keyed" }, { idempotencyKey: "order-4711:receipt", delayMs: 86_400_000 });
    const search = async (q: string) => {
      await page.goto(`${app.url}/jobs`);
      await page.getByTestId("search").locator("input").fill(q);
      await page.getByTestId("search").locator("button").click();
      await page.waitForLoadState("load");
    };
    await search(job.id);
    expect(new URL(page.url()).pathname).toBe(`/jobs/${job.id}`);
    await search("order-4711:receipt");
    expect(new URL(page.url()).pathname).toBe(`/jobs/${job.id}`);
    await search("unsupported image");
    expect(new URL(page.url()).searchParams.get("text")).toBe("unsupported image");
    const rows = page.getByTestId("job-list").locator("tbody tr");
    expect(await rows.count()).toBe(40);
    expect(await page.getByTestId("job-list").innerText()).not.toContain("SMTP");
  });

  it("live refresh: the job page shows a job go from pending to completed, without a reload", async () => {
    const queue = t.queue(registry);
    const { job } = await queue.enqueue("send-email", { to: "live@example.com", subject: "Live" });
    await page.goto(`${app.url}/jobs/${job.id}`);
    expect(await page.getByTestId("job-status").innerText()).toBe("pending");
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
    expect((await appTick()).completed).toBe(1);
    await page.getByTestId("job-status").getByText("completed").waitFor({ timeout: 30_000 });
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);
    expect(new URL(page.url()).pathname).toBe(`/jobs/${job.id}`);
  });

  it("live refresh: the overview's counts move while the filters and the scroll position stay", async () => {
    await page.goto(`${app.url}/jobs?type=send-email#list`);
    await page.getByTestId("filter-text").fill("typed but not submitted");
    await page.evaluate(() => window.scrollTo(0, 600));
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 7));
    const before = Number(await page.getByTestId("count-completed").innerText());
    const queue = t.queue(registry);
    await queue.enqueue("send-email", { to: "live2@example.com", subject: "Live again" });
    expect((await appTick()).completed).toBe(1);
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid="count-completed"]')?.textContent) === n, before + 1, { timeout: 30_000 });
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(7);
    expect(await page.evaluate(() => window.scrollY)).toBe(600);
    expect(await page.getByTestId("filter-text").inputValue()).toBe("typed but not submitted");
    expect(new URL(page.url()).search).toBe("?type=send-email");
    expect(await page.getByTestId("live-at").count()).toBe(1);
  });

  it("per-type view: percentiles over the last hour, pause and resume from the page", async () => {
    await page.goto(`${app.url}/jobs/types/send-email`);
    expect(await page.getByTestId("type-running").count()).toBe(1);
    // The two jobs the live tests ran, each one attempt.
    expect(Number(await page.getByTestId("run-count").innerText())).toBe(2);
    expect(await page.getByTestId("run-p50").innerText()).toMatch(/^≈ \d+(\.\d)? (ms|s)$/);
    expect(await page.getByTestId("wait-p99").innerText()).toMatch(/^[≈≥] /);
    expect(await page.getByTestId("type-outcomes").innerText()).toBe("completed 2");
    await page.fill('input[name="reason"]', "SMTP provider outage");
    await page.getByTestId("pause").click();
    await page.waitForURL(/done=paused/);
    expect(await page.getByTestId("paused-since").innerText()).toContain("SMTP provider outage");
    await page.screenshot({ path: artifactPath("incidents-type.png"), fullPage: true });
    if (process.env.UPDATE_SCREENSHOT === "1") copyFileSync(artifactPath("incidents-type.png"), path.join(DOCS, "incidents.png"));
    expect(await t.sql("SELECT paused_reason FROM type_settings WHERE type = 'send-email' AND paused_at IS NOT NULL")).toEqual([
      { paused_reason: "SMTP provider outage" },
    ]);
    await page.goto(`${app.url}/jobs`);
    expect(await page.getByTestId("type-view-send-email").innerText()).toBe("paused");
    await page.screenshot({ path: artifactPath("incidents-overview.png"), fullPage: false });
    await page.goto(`${app.url}/jobs/types/send-email`);
    await page.getByTestId("resume").click();
    await page.waitForURL(/done=resumed/);
    expect(await page.getByTestId("type-running").count()).toBe(1);
    expect(await t.sql("SELECT 1 FROM type_settings WHERE paused_at IS NOT NULL")).toEqual([]);
  });
});
