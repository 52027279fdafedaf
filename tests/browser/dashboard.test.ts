// The /jobs dashboard end to end: `next start` in production mode on a real database, driven
// by headless Chromium. The tests in this file run in order and share one signed-in browser.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { registry } from "../../lib/job-types/index.ts";
import { startApp, type App } from "../helpers/app.ts";
import { testDatabase, type TestDatabase } from "../helpers/db.ts";
import { artifactPath, launchBrowser } from "./browser.ts";
import { seedKnownCounts, type Seeded } from "./seed.ts";

const DASHBOARD_SECRET = "dashboard-secret-for-tests";

let t: TestDatabase;
let app: App;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let seeded: Seeded;
let yearlyNextFire: Date;

beforeAll(async () => {
  t = await testDatabase();
  seeded = await seedKnownCounts(t.sql);
  // Fires on January 1st only, so no tick during the test enqueues anything from it.
  const s = await t.queue(registry).schedule("yearly-report", "0 0 1 1 *", { type: "send-email", payload: { to: "ops@example.com", subject: "Year in review" } });
  yearlyNextFire = s.nextRunAt as Date;
  [app, browser] = await Promise.all([startApp({ DATABASE_URL: t.url, DASHBOARD_SECRET }), launchBrowser()]);
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await t?.close();
});

const text = (testId: string) => page.getByTestId(testId).innerText();
const statusOf = async (id: string) => (await t.sql<{ status: string }>("SELECT status::text FROM jobs WHERE id = $1", [id]))[0].status;

describe("/jobs in production", () => {
  it("sends a signed-out visitor to the sign-in form and shows no data", async () => {
    const res = await page.goto(`${app.url}/jobs`);
    expect(res?.status()).toBe(200);
    expect(new URL(page.url()).pathname).toBe("/jobs/login");
    expect(await page.getByTestId("counts").count()).toBe(0);
    expect(await page.content()).not.toContain("SMTP 550");
  });

  it("refuses a wrong secret", async () => {
    await page.fill('input[name="secret"]', "not-the-secret-at-all");
    await page.click('button[type="submit"]');
    await page.getByTestId("login-error").waitFor();
    expect(new URL(page.url()).pathname).toBe("/jobs/login");
    expect(await context.cookies()).toEqual([]);
    await page.goto(`${app.url}/jobs`);
    expect(new URL(page.url()).pathname).toBe("/jobs/login");
  });

  it("accepts the right secret with an httpOnly, same-site cookie that is not the secret", async () => {
    await page.fill('input[name="secret"]', DASHBOARD_SECRET);
    await page.click('button[type="submit"]');
    await page.waitForURL(`${app.url}/jobs`);
    const [cookie] = await context.cookies();
    expect(cookie).toMatchObject({ name: "cronbound_dashboard", httpOnly: true, sameSite: "Strict", path: "/jobs" });
    expect(cookie.value).not.toContain(DASHBOARD_SECRET);
    // Plain http on loopback: a `secure` cookie would never come back, so it is not set here.
    expect(cookie.secure).toBe(false);
  });

  it("shows the seeded database's counts per status and per type, failures and the chart", async () => {
    await page.goto(`${app.url}/jobs`);
    expect(await text("count-pending")).toBe("3");
    expect(await text("count-processing")).toBe("1");
    expect(await text("count-completed")).toBe("4");
    expect(await text("count-failed")).toBe("2");
    expect(await text("count-cancelled")).toBe("1");
    expect(await text("count-scheduled")).toBe("3");
    // 2 failed of 6 finished in the last hour
    expect(await text("failure-rate")).toBe("33.3 %");
    const upload = page.locator('[data-testid="by-type"] tr[data-type="process-upload"]');
    expect(await upload.locator('td[data-status="failed"]').innerText()).toBe("1");
    const failures = await text("recent-failures");
    expect(failures).toContain("SMTP 550: mailbox unavailable");
    expect(failures).toContain("unsupported image format: image/x-tga");
    expect(await page.getByTestId("throughput-chart").getAttribute("aria-label")).toContain("6 in total");
    expect(await page.locator('[data-testid="job-list"] tbody tr').count()).toBe(11);
    expect(await text("next-fire-yearly-report")).toContain(yearlyNextFire.toISOString().slice(0, 16).replace("T", " "));
    await page.screenshot({ path: artifactPath("dashboard.png"), fullPage: true });
  });

  it("filters the list by status and type, and links each job", async () => {
    await page.goto(`${app.url}/jobs?status=failed`);
    const rows = page.locator('[data-testid="job-list"] tbody tr');
    expect(await rows.count()).toBe(2);
    await page.goto(`${app.url}/jobs?status=failed&type=process-upload`);
    expect(await rows.count()).toBe(1);
    await rows.first().locator("a").click();
    await page.waitForURL(`${app.url}/jobs/${seeded.failed[1]}`);
    expect(await text("last-error")).toBe("unsupported image format: image/x-tga");
  });

  it("pages through the list newest first with a keyset cursor", async () => {
    await t.sql(`
      INSERT INTO jobs (type, payload, status, timeout_ms, run_at)
      SELECT 'send-email', jsonb_build_object('to', 'bulk' || g || '@example.com', 'subject', 'bulk'), 'pending', 10000, now() + interval '1 day'
      FROM generate_series(1, 60) g`);
    try {
    await page.goto(`${app.url}/jobs`);
    const ids = () => page.locator('[data-testid="job-list"] tbody tr').evaluateAll((trs) => trs.map((tr) => Number(tr.getAttribute("data-job-id"))));
    const first = await ids();
    expect(first).toHaveLength(50);
    await page.getByTestId("older").click();
    await page.waitForURL((u) => u.searchParams.has("before"));
    const second = await ids();
    expect(second).toHaveLength(21);
    const all = [...first, ...second];
    expect(all).toEqual([...all].sort((a, b) => b - a));
    expect(new Set(all).size).toBe(71);
    } finally {
      await t.sql("DELETE FROM jobs WHERE payload->>'subject' = 'bulk'");
    }
  });

  it("counts an enqueued job as pending, and as completed after clicking 'run one tick now'", async () => {
    const { job } = await t.queue(registry).enqueue("send-email", { to: "new@example.com", subject: "Hi" });
    const id = job.id;
    await page.goto(`${app.url}/jobs`);
    expect(await text("count-pending")).toBe("4");
    expect(await text("count-completed")).toBe("4");
    await page.getByTestId("run-tick").click();
    await page.getByTestId("flash").waitFor();
    expect(await text("flash")).toContain("completed 1");
    expect(await text("count-pending")).toBe("3");
    expect(await text("count-completed")).toBe("5");
    expect(await statusOf(id)).toBe("completed");
    const [outbox] = await t.sql<{ to: string }>("SELECT \"to\" FROM outbox WHERE job_id = $1", [id]);
    expect(outbox.to).toBe("new@example.com");
  });

  it("shows a job's attempts with each attempt's error, and retries a failed job to pending", async () => {
    const id = seeded.failed[0];
    await page.goto(`${app.url}/jobs/${id}`);
    expect(await text("job-status")).toBe("failed");
    expect(await text("attempts")).toBe("3 of 3");
    const errors = await text("errors");
    expect(errors).toContain("connect ETIMEDOUT");
    expect(errors).toContain("SMTP 421: try again later");
    expect(await page.getByTestId("payload").innerText()).toContain("user2@example.com");
    expect(await page.getByTestId("cancel").count()).toBe(0);
    await page.getByTestId("retry").click();
    await page.getByTestId("flash").waitFor();
    expect(await text("job-status")).toBe("pending");
    expect(await text("attempts")).toBe("0 of 3");
    expect(await statusOf(id)).toBe("pending");
  });

  it("cancels a pending job", async () => {
    const id = seeded.pending[0];
    await page.goto(`${app.url}/jobs/${id}`);
    expect(await page.getByTestId("retry").count()).toBe(0);
    await page.getByTestId("cancel").click();
    await page.getByTestId("flash").waitFor();
    expect(await text("job-status")).toBe("cancelled");
    expect(await statusOf(id)).toBe("cancelled");
  });

  it("draws a running job's progress as a bar and links its dependencies with their status", async () => {
    const running = seeded.processing[0];
    await t.sql("UPDATE jobs SET progress = '0.4' WHERE id = $1", [running]);
    await page.goto(`${app.url}/jobs/${running}`);
    expect(await text("progress")).toBe("40 %");
    expect(await page.locator('[data-testid="progress"] .progress-bar').getAttribute("style")).toContain("width:40%");
    expect(await page.getByTestId("cancel").count()).toBe(1);

    const [dependent] = await t.sql<{ id: string }>(
      `INSERT INTO jobs (type, payload, status, timeout_ms, depends_on, blocked)
       VALUES ('send-email', '{"to":"after@example.com","subject":"Next"}', 'pending', 10000, ARRAY[$1, $2]::bigint[], true)
       RETURNING id::text AS id`,
      [seeded.completed[0], seeded.failed[1]],
    );
    try {
      await page.goto(`${app.url}/jobs/${dependent.id}`);
      const deps = await text("dependencies");
      expect(deps).toContain(`#${seeded.completed[0]} send-email completed`);
      expect(deps).toContain(`#${seeded.failed[1]} process-upload failed`);
      await page.getByTestId("dependencies").getByText(`#${seeded.failed[1]}`).click();
      await page.waitForURL(`${app.url}/jobs/${seeded.failed[1]}`);
    } finally {
      await t.sql("DELETE FROM jobs WHERE id = $1", [dependent.id]);
    }
  });

  it("runs no action for a browser whose session cookie is gone", async () => {
    const id = seeded.failed[1];
    await page.goto(`${app.url}/jobs/${id}`);
    await context.clearCookies();
    await page.getByTestId("retry").click();
    await page.waitForURL((u) => u.pathname === "/jobs/login");
    expect(await statusOf(id)).toBe("failed");
  });

  it("refuses a forged session cookie", async () => {
    const forged = `v1.${Math.floor(Date.now() / 1000) + 3600}.${"A".repeat(43)}`;
    await context.addCookies([{ name: "cronbound_dashboard", value: forged, url: `${app.url}/jobs` }]);
    await page.goto(`${app.url}/jobs`);
    expect(new URL(page.url()).pathname).toBe("/jobs/login");
  });
});
