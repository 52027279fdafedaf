// Changing limits at run time from the dashboard, in headless Chromium against `next start`
// (production, signed in): the Limits section's form overrides the reference app's limited type
// (sync-customer, 2 running per customer in code), the type page sets its rate limit and clears
// the override; the database row and queue.limits() follow each step, and the pages say where
// each limit comes from. Then the same server action called over HTTP: invalid numbers, a type
// without limits, an unknown type, and a call without a session are refused, nothing written.
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { registry } from "../../lib/job-types/index.ts";
import { DIST_DIR, startApp, type App } from "../helpers/app.ts";
import { testDatabase, type TestDatabase } from "../helpers/db.ts";
import { artifactPath, launchBrowser, signIn } from "./browser.ts";

const root = path.resolve(import.meta.dirname, "../..");
const DASHBOARD_SECRET = "dashboard-secret-for-limits";
const TYPE = "sync-customer";

let t: TestDatabase;
let app: App;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const appQueue = () => t.queue(registry);
let queue: ReturnType<typeof appQueue>;

beforeAll(async () => {
  t = await testDatabase();
  [app, browser] = await Promise.all([startApp({ DATABASE_URL: t.url, DASHBOARD_SECRET }), launchBrowser()]);
  queue = appQueue();
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  await signIn(page, app.url, DASHBOARD_SECRET);
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await t?.close();
});

const settingsRow = async () =>
  (await t.sql<{ concurrency: number | null; rate: number | null; periodMs: number | null }>(
    `SELECT concurrency_limit AS concurrency, rate_limit AS rate, rate_period_ms AS "periodMs" FROM type_settings WHERE type = $1`,
    [TYPE],
  ))[0] ?? null;
const limitsOf = async (type: string) => (await queue.limits()).find((l) => l.type === type);
const snapshot = async () =>
  JSON.stringify([await t.sql("SELECT * FROM type_settings ORDER BY type"), await t.sql("SELECT count(*)::int AS n, max(id)::text AS last FROM jobs")]);

describe("dashboard: limits changed at run time", () => {
  it("sets the concurrency limit from the overview, the rate limit from the type page, then clears the override", async () => {
    // Some backlog so the section has something to count: 5 jobs of one customer.
    for (let n = 0; n < 5; n++) await queue.enqueue(TYPE, { customerId: "acme" });
    await page.goto(`${app.url}/jobs`);
    expect(await page.getByTestId(`limits-${TYPE}`).innerText()).toBe("concurrency 2 per key");
    expect(await page.getByTestId(`limits-source-${TYPE}`).innerText()).toBe("code");
    expect(await page.getByTestId(`clear-limit-${TYPE}`).count()).toBe(0);

    // The overview's form: concurrency 5 per key.
    const form = page.getByTestId(`limit-form-${TYPE}`);
    await form.locator('input[name="concurrency"]').fill("5");
    await form.getByTestId(`set-limit-${TYPE}`).click();
    await page.waitForURL(/done=limit-set/);
    expect(await page.getByTestId("flash").innerText()).toContain(`Limits overridden, from the next claim on, for ${TYPE}.`);
    expect(await page.getByTestId(`limits-${TYPE}`).innerText()).toBe("concurrency 5 per key (override)");
    expect(await page.getByTestId(`limits-source-${TYPE}`).innerText()).toBe("runtime override");
    expect(await settingsRow()).toEqual({ concurrency: 5, rate: null, periodMs: null });
    expect((await limitsOf(TYPE))?.concurrency).toEqual({ limit: 5, perKey: true, source: "override" });
    await page.screenshot({ path: artifactPath("limits-overview.png"), fullPage: true });

    // The type page: its limits, their source, and the same form; a rate limit of 10 per 1,000 ms.
    await page.goto(`${app.url}/jobs/types/${TYPE}`);
    expect(await page.getByTestId("type-limits-source").innerText()).toBe("runtime override");
    const typeForm = page.getByTestId(`limit-form-${TYPE}`);
    await typeForm.locator('input[name="rate"]').fill("10");
    await typeForm.locator('input[name="period"]').fill("1000");
    await typeForm.getByTestId(`set-limit-${TYPE}`).click();
    await page.waitForURL(new RegExp(`/jobs/types/${TYPE}\\?.*done=limit-set`));
    expect(await page.getByTestId("type-limits").innerText()).toContain("concurrency 5 per key (override), 10 starts per 1 s per key (override)");
    // Blank fields stay as they are: the concurrency override is kept.
    expect(await settingsRow()).toEqual({ concurrency: 5, rate: 10, periodMs: 1000 });
    expect((await limitsOf(TYPE))?.rateLimit).toEqual({ limit: 10, periodMs: 1000, perKey: true, source: "override" });
    await page.screenshot({ path: artifactPath("limits-type.png"), fullPage: true });

    // Clear: the code's declaration holds again, the page says so, the button is gone.
    await page.getByTestId(`clear-limit-${TYPE}`).click();
    await page.waitForURL(/done=limit-cleared/);
    expect(await page.getByTestId("flash").innerText()).toContain(`Override cleared: the code's limits hold again for ${TYPE}.`);
    expect(await page.getByTestId("type-limits").innerText()).toContain("concurrency 2 per key");
    expect(await page.getByTestId("type-limits-source").innerText()).toBe("code");
    expect(await page.getByTestId(`clear-limit-${TYPE}`).count()).toBe(0);
    expect(await settingsRow()).toEqual({ concurrency: null, rate: null, periodMs: null });
    const after = await limitsOf(TYPE);
    expect(after?.concurrency).toEqual({ limit: 2, perKey: true, source: "code" });
    expect(after?.rateLimit).toBeNull();
  });
});

// ---------------------------------------------------------------------------------------------
// The same action over HTTP, as React calls it (tests/reliability/bad-input.test.ts does the same).
// ---------------------------------------------------------------------------------------------

const { encodeReply } = (await import("next/dist/compiled/react-server-dom-webpack/client.node.js" as string)) as {
  encodeReply: (v: unknown) => Promise<string | FormData>;
};
const DASHBOARD = "app/jobs/[[...path]]/actions.ts";

function actionId(): string {
  const m = JSON.parse(readFileSync(path.join(root, DIST_DIR, "server/server-reference-manifest.json"), "utf8")) as {
    node: Record<string, { filename: string; exportedName: string }>;
  };
  const hit = Object.entries(m.node).find(([, v]) => v.filename === DASHBOARD && v.exportedName === "dashboardAction");
  if (!hit) throw new Error("no dashboardAction in the build");
  return hit[0];
}

async function dashboardAction(fields: Record<string, string>, cookie?: string) {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.append(k, v);
  const body = await encodeReply([f]);
  const headers: Record<string, string> = { "next-action": actionId(), accept: "text/x-component" };
  if (typeof body === "string") headers["content-type"] = "text/plain;charset=UTF-8";
  if (cookie) headers.cookie = cookie;
  const res = await fetch(`${app.url}/jobs`, { method: "POST", headers, body, redirect: "manual" });
  await res.text();
  // "<url>;push": the redirect and how the client applies it.
  return (res.headers.get("x-action-redirect") ?? "").replace(/;(push|replace)$/, "");
}

async function unchanged(run: () => Promise<string>): Promise<string> {
  const before = await snapshot();
  const redirect = await run();
  expect(await snapshot(), "the database changed").toBe(before);
  return redirect;
}

describe("dashboard limit intents over HTTP: bad input and no session write nothing", () => {
  it("refuses invalid numbers, a type without limits and an unknown type, with the reason shown on the page", async () => {
    const session = (await context.cookies()).find((c) => c.name === "cronbound_dashboard");
    expect(session, "the browser is signed in").toBeTruthy();
    const cookie = `${session!.name}=${session!.value}`;
    // An override in place, so a refusal that wrote anything would show.
    expect((await queue.setLimit(TYPE, { concurrency: 3 })).ok).toBe(true);

    const cases: [string, Record<string, string>, RegExp, RegExp][] = [
      ["concurrency 0", { concurrency: "0" }, /error=invalid_limit/, /concurrency must be an integer from 1 to 100000 \(got 0\)/],
      ["a negative concurrency", { concurrency: "-2" }, /error=invalid_limit/, /concurrency must be an integer from 1 .*\(got -2\)/],
      ["a fractional concurrency", { concurrency: "1.5" }, /error=invalid_limit/, /concurrency must be an integer from 1 .*\(got 1\.5\)/],
      ["a concurrency that is not a number", { concurrency: "ten" }, /error=invalid_limit/, /concurrency must be a whole number \(got "ten"\)/],
      ["a rate period of 0", { rate: "10", period: "0" }, /error=invalid_limit/, /rateLimit\.periodMs must be an integer from 1 .*\(got 0\)/],
      ["a rate limit of 0", { rate: "0", period: "1000" }, /error=invalid_limit/, /rateLimit\.limit must be an integer from 1 .*\(got 0\)/],
      ["a rate without its period", { rate: "10" }, /error=invalid_limit/, /give both the rate limit and its period, or neither/],
      ["no number at all", {}, /error=invalid_limit/, /give concurrency, rateLimit or both/],
      ["a valid number with a bad one", { concurrency: "4", rate: "5", period: "-1" }, /error=invalid_limit/, /periodMs must be an integer from 1 to 86400000 \(got -1\)/],
    ];
    for (const [label, fields, code, message] of cases) {
      const redirect = await unchanged(() => dashboardAction({ intent: "set-limit", type: TYPE, back: "/jobs", ...fields }, cookie));
      expect(redirect, label).toMatch(/^\/jobs\?/);
      expect(redirect, label).toMatch(code);
      // The page the redirect lands on says why, in words.
      await page.goto(`${app.url}${redirect}`);
      const flash = await page.getByTestId("flash-error").innerText();
      expect(flash, label).toContain("That limit is not valid; nothing was written: ");
      expect(flash, label).toMatch(message);
      expect(flash, label).toMatch(new RegExp(`${message.source}\\.$`)); // the whole reason, then the end
      if (label === "concurrency 0") await page.screenshot({ path: artifactPath("limits-refused.png") });
    }

    const notLimited = await unchanged(() => dashboardAction({ intent: "set-limit", type: "send-email", concurrency: "2", back: "/jobs" }, cookie));
    expect(notLimited).toMatch(/error=not_limited/);
    const notLimitedClear = await unchanged(() => dashboardAction({ intent: "clear-limit", type: "send-email", back: "/jobs" }, cookie));
    expect(notLimitedClear).toMatch(/error=not_limited/);
    for (const type of ["no-such-type", "", "x".repeat(5_000)]) {
      const r = await unchanged(() => dashboardAction({ intent: "set-limit", type, concurrency: "2", back: "/jobs" }, cookie));
      expect(r, `type ${type.slice(0, 20)}`).toMatch(/error=unknown_type/);
    }
    // A `back` outside the dashboard is not followed.
    const offsite = await unchanged(() => dashboardAction({ intent: "set-limit", type: TYPE, concurrency: "0", back: "https://evil.example/" }, cookie));
    expect(offsite).toMatch(/^\/jobs\?.*error=invalid_limit/);
  });

  it("refuses set-limit and clear-limit without a session: sent to sign in, nothing written", async () => {
    for (const fields of <Record<string, string>[]>[
      { intent: "set-limit", type: TYPE, concurrency: "50", back: "/jobs" },
      { intent: "clear-limit", type: TYPE, back: "/jobs" },
    ]) {
      const redirect = await unchanged(() => dashboardAction(fields));
      expect(redirect, fields.intent).toMatch(/^\/jobs\/login/);
      const forged = await unchanged(() => dashboardAction(fields, "cronbound_dashboard=v1.forged.signature"));
      expect(forged, `${fields.intent} with a forged cookie`).toMatch(/^\/jobs\/login/);
    }
    expect(await settingsRow()).toMatchObject({ concurrency: 3 });
  });
});
