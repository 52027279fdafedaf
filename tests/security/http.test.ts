// Security over HTTP against `next start` in production mode: job ids past the bigint range on
// every way in, SQLSTATE classes (only an unavailable database answers 503), timeouts no trigger
// can hold, open mode only for development on loopback, and the security headers.
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type App } from "../helpers/app.ts";
import { testDatabase, type TestDatabase } from "../helpers/db.ts";
import { call } from "../routes/helpers.ts";

const DASHBOARD_SECRET = "dashboard-secret-0123456789";
const BIG = ["9223372036854775808", "9999999999999999999"];

let t: TestDatabase;
let app: App;

beforeAll(async () => {
  t = await testDatabase();
  app = await startApp({ DATABASE_URL: t.url, DASHBOARD_SECRET });
});
afterAll(async () => {
  await app?.stop();
  await t?.close();
});

async function signedIn(): Promise<string> {
  const { createSession, engineOf } = await import("cronbound/engine");
  const { registry } = await import("../../lib/job-types/index.ts");
  return `cronbound_dashboard=${await createSession(engineOf(t.queue(registry)), DASHBOARD_SECRET, 3_600_000)}`;
}

describe("job ids past 2^63 - 1: refused as ids everywhere, never a database error", () => {
  it.each(BIG)("GET /api/jobs/%s answers 404 not_found", async (id) => {
    const res = await call(app, "GET", `/api/jobs/${id}`);
    expect(res.status).toBe(404);
    expect(res.body.code).toBe("not_found");
  });

  it.each(BIG)("dependsOn [%s] answers 422 invalid_options and writes nothing", async (id) => {
    const res = await call(app, "POST", "/api/jobs", { json: { type: "send-email", payload: { to: "a@example.com", subject: "s" }, dependsOn: [id] } });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe("invalid_options");
    expect(JSON.stringify(res.body.issues)).toMatch(/must be a job id/);
  });

  it("the largest bigint is a well-formed id (404: no such job)", async () => {
    expect((await call(app, "GET", "/api/jobs/9223372036854775807")).status).toBe(404);
  });

  it.each(BIG)("the dashboard's /jobs/%s is not found (404), not a server error", async (id) => {
    const res = await fetch(`${app.url}/jobs/${id}`, { headers: { cookie: await signedIn() }, redirect: "manual" });
    expect(res.status).toBe(404);
  });

  it.each(BIG)("the dashboard's /jobs?before=%s ignores the cursor (200)", async (id) => {
    const res = await fetch(`${app.url}/jobs?before=${id}`, { headers: { cookie: await signedIn() }, redirect: "manual" });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('data-testid="counts"');
  });
});

describe("database errors by SQLSTATE", () => {
  it("an SQL error that is not unavailability (a renamed column: 42703) answers 500 with a generic body, no Retry-After; the detail is logged", async () => {
    const [{ id }] = await t.sql<{ id: string }>(`INSERT INTO jobs (type, payload, timeout_ms) VALUES ('send-email', '{"to":"a@example.com","subject":"s"}', 10000) RETURNING id::text`);
    await t.sql("ALTER TABLE jobs RENAME COLUMN progress TO progress_renamed");
    try {
      const res = await call(app, "GET", `/api/jobs/${id}`);
      expect(res.status).toBe(500);
      expect(res.body).toEqual({ code: "internal", error: "get job failed with an unexpected error; see the server log" });
      expect(res.headers.get("retry-after")).toBeNull();
      expect(res.text).not.toMatch(/progress|column|42703/);
      await expect.poll(() => app.output(), { timeout: 15_000 }).toMatch(/"code":"42703"/);
    } finally {
      await t.sql("ALTER TABLE jobs RENAME COLUMN progress_renamed TO progress");
    }
  });
});

describe("timeoutMs no trigger can hold", () => {
  it("POST /api/jobs with a 1 h timeout answers 422 invalid_options naming MAX_TIMEOUT_MS, nothing written", async () => {
    const before = await t.sql("SELECT count(*) FROM jobs");
    const res = await call(app, "POST", "/api/jobs", { json: { type: "send-email", payload: { to: "a@example.com", subject: "s" }, timeoutMs: 3_600_000 } });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe("invalid_options");
    expect(res.body.issues[0]).toMatchObject({ path: ["timeoutMs"], message: expect.stringMatching(/longer than any tick's budget \(900000 ms: MAX_TIMEOUT_MS\)/) });
    expect(await t.sql("SELECT count(*) FROM jobs")).toEqual(before);
  });

  it("a timeout of exactly the largest budget (the worker's 15 min) is accepted", async () => {
    const res = await call(app, "POST", "/api/jobs", { json: { type: "send-email", payload: { to: "a@example.com", subject: "s" }, timeoutMs: 900_000 } });
    expect(res.status).toBe(201);
    await t.sql("DELETE FROM jobs WHERE id = $1", [res.body.id]);
  });
});

describe("security headers on every page and route", () => {
  it.each(["/", "/jobs/login", "/jobs", "/api/jobs/stats"])("%s", async (p) => {
    const res = await fetch(`${app.url}${p}`, { redirect: "manual" });
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toMatch(/frame-ancestors 'none'/);
    expect(csp).toMatch(/default-src 'self'/);
    expect(csp).toMatch(/object-src 'none'/);
    expect(csp).not.toMatch(/unsafe-eval/);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
  });
});

describe("open mode: only NODE_ENV=development, and only from loopback", () => {
  let test: App;
  let dev: App;
  beforeAll(async () => {
    [test, dev] = await Promise.all([
      startApp({ DATABASE_URL: t.url, NODE_ENV: "test", CRON_SECRET: "", DASHBOARD_SECRET: "" }),
      startApp({ DATABASE_URL: t.url, NODE_ENV: "development", CRON_SECRET: "", DASHBOARD_SECRET: "" }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([test?.stop(), dev?.stop()]);
  });

  it("NODE_ENV=test without secrets fails closed: routes 503 not_configured, dashboard off", async () => {
    const res = await call(test, "GET", "/api/jobs/stats", { auth: null });
    expect(res.status).toBe(503);
    expect(res.body.code).toBe("not_configured");
    const page = await (await fetch(`${test.url}/jobs`)).text();
    expect(page).toMatch(/dashboard is off/i);
    expect(page).not.toContain('data-testid="counts"');
  });

  it("NODE_ENV=development without secrets: open from loopback, 401 and off for any other client", async () => {
    expect((await call(dev, "GET", "/api/jobs/stats", { auth: null })).status).toBe(200);
    const lan = { "x-forwarded-for": "192.168.1.20" };
    const res = await call(dev, "GET", "/api/jobs/stats", { auth: null, headers: lan });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: "unauthorized", code: "unauthorized" });
    // A request for another host name (DNS rebinding) is not local either.
    // (fetch cannot set Host, so node:http sends this one.)
    const rebound = await new Promise<number>((resolve, reject) => {
      const req = http.get({ host: "127.0.0.1", port: dev.port, path: "/api/jobs/stats", headers: { host: `attacker.example:${dev.port}` } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
    });
    expect(rebound).toBe(401);
    expect(await (await fetch(`${dev.url}/jobs`)).text()).toContain('data-testid="counts"');
    const away = await (await fetch(`${dev.url}/jobs`, { headers: lan })).text();
    expect(away).toMatch(/dashboard is off/i);
    expect(away).not.toContain('data-testid="counts"');
  });
});
