// The onboarding sequence in a browser: started from the demo page, its job page on the
// dashboard shows what it waits on (a sleep, then an event, with until when) and its steps as
// a timeline; the demo page's Activate form resumes it. `next start` in production mode, a
// real database, headless Chromium; time passes by backdating rows.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { startApp, type App } from "../helpers/app.ts";
import { testDatabase, type TestDatabase } from "../helpers/db.ts";
import { call } from "../routes/helpers.ts";
import { artifactPath, launchBrowser, signIn } from "./browser.ts";

const DASHBOARD_SECRET = "dashboard-secret-for-steps";

let t: TestDatabase;
let app: App;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  t = await testDatabase();
  [app, browser] = await Promise.all([startApp({ DATABASE_URL: t.url, DASHBOARD_SECRET, DEMO_ENABLED: "1", DEMO_RATE_PER_CLIENT: "1000", DEMO_RATE_TOTAL: "1000", DEMO_JOB_DELAY_MS: "20", DEMO_ONBOARDING_PAUSE_MS: "60000" }), launchBrowser()]);
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await signIn(page, app.url, DASHBOARD_SECRET);
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await t?.close();
});

const tick = async () => expect((await call(app, "POST", "/api/jobs/tick", { json: { budgetMs: 60_000 } })).status).toBe(200);
const elapse = async (id: string) => {
  await t.sql("UPDATE steps SET wake_at = now() - interval '1 ms' WHERE job_id = $1 AND status = 'waiting'", [id]);
  await t.sql("UPDATE jobs SET run_at = now() - interval '1 ms' WHERE id = $1 AND status = 'pending'", [id]);
};
const rows = async () =>
  page.getByTestId("steps").locator("tbody tr").evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => (td.textContent ?? "").trim())));

describe("a durable sequence, from the demo page to the dashboard", () => {
  let id = "";

  it("starts from the demo page's form", async () => {
    await page.goto(app.url);
    await page.fill("#onboarding-email", "ada@example.com");
    await page.fill("#onboarding-name", "Ada");
    await page.click("#onboarding button[type=submit]");
    const line = page.getByTestId("job-result");
    await line.waitFor();
    id = (await line.getAttribute("data-job-id")) as string;
    expect(id).toMatch(/^\d+$/);
    expect((await t.sql("SELECT type, payload FROM jobs WHERE id = $1", [id]))[0]).toEqual({ type: "onboarding", payload: { email: "ada@example.com", name: "Ada" } });
  });

  it("while it sleeps, its job page says so, until when, and shows the steps so far", async () => {
    await tick(); // (the kick may have started it already; either way it now sleeps)
    await page.goto(`${app.url}/jobs/${id}`);
    const [{ run_at }] = await t.sql<{ run_at: Date }>("SELECT run_at FROM jobs WHERE id = $1", [id]);
    const waiting = await page.getByTestId("waiting").innerText();
    expect(waiting).toContain("sleeping (pause) until");
    expect(waiting).toContain(run_at.toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z"));
    expect(await page.getByTestId("job-status").innerText()).toBe("pending");
    const [child] = await t.sql<{ id: string }>("SELECT id::text FROM jobs WHERE parent_id = $1", [id]);
    const table = await rows();
    expect(table.map((r) => r.slice(0, 3))).toEqual([
      ["welcome", "invoke", "completed"],
      ["pause", "sleep", "waiting"],
    ]);
    expect(table[0][5]).toBe("1"); // the attempt that wrote it
    expect(table[0][4]).toMatch(/^\d+ B$/); // the child's result, stored
    expect(table[0][7]).toBe(`job #${child.id} send-email completed`);
    await page.screenshot({ path: artifactPath("job-steps.png"), fullPage: true });

    // The child's page names its parent.
    await page.goto(`${app.url}/jobs/${child.id}`);
    expect(await page.getByTestId("parent").innerText()).toBe(`Invoked by job #${id}, which waits for its result.`);
  });

  it("after the sleep, it waits for the event: shown with the match and the timeout", async () => {
    await elapse(id);
    await tick();
    await page.goto(`${app.url}/jobs/${id}`);
    const waiting = await page.getByTestId("waiting").innerText();
    expect(waiting).toMatch(/waiting for event user\.activated matching \{"email":"ada@example\.com"\} \(activation\) until .*, then resumes with null/);
    expect((await rows()).map((r) => r.slice(0, 3))).toEqual([
      ["welcome", "invoke", "completed"],
      ["pause", "sleep", "completed"],
      ["activation", "event", "waiting"],
    ]);
  });

  it("the demo page's Activate form resumes it; the timeline shows the event that did", async () => {
    await page.goto(app.url);
    await page.fill("#activate-email", "ada@example.com");
    await page.click("#activate button[type=submit]");
    const result = page.getByTestId("event-result");
    await result.waitFor();
    expect(await result.getAttribute("data-resumed")).toBe("1");
    await tick();
    await page.goto(`${app.url}/jobs/${id}`);
    expect(await page.getByTestId("job-status").innerText()).toBe("completed");
    expect(await page.getByTestId("waiting").count()).toBe(0);
    const [{ id: eventId }] = await t.sql<{ id: string }>("SELECT id::text FROM events");
    const table = await rows();
    expect(table.map((r) => r.slice(0, 3))).toEqual([
      ["welcome", "invoke", "completed"],
      ["pause", "sleep", "completed"],
      ["activation", "event", "completed"],
    ]);
    expect(table[2][7]).toBe(`event user.activated: resumed by event ${eventId}`);
    expect(await page.getByTestId("result").innerText()).toContain('"activated": true');
  });

  it("an address with nothing waiting: the form says so, and writes only the event", async () => {
    await page.goto(app.url);
    await page.fill("#activate-email", "nobody@example.com");
    await page.click("#activate button[type=submit]");
    await page.getByTestId("event-result").waitFor();
    expect(await page.getByTestId("event-result").getAttribute("data-resumed")).toBe("0");
    await page.fill("#activate-email", "not-an-address");
    await page.click("#activate button[type=submit]");
    await page.getByTestId("error-email").waitFor();
    expect(await t.sql("SELECT data FROM events ORDER BY id")).toEqual([{ data: { email: "ada@example.com" } }, { data: { email: "nobody@example.com" } }]);
  });
});
