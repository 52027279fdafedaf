// Production with no CRON_SECRET configured: every machine endpoint refuses (fail closed) with
// a message that names the missing variable, and nothing runs or is written.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, TEST_SECRET, type App } from "../helpers/app.ts";
import { testDatabase, type TestDatabase } from "../helpers/db.ts";
import { call, jobCount } from "./helpers.ts";

let t: TestDatabase;
let app: App;

beforeAll(async () => {
  t = await testDatabase();
  // An empty variable is unset (cronbound's configFromEnv), as a host's dashboard may store it.
  app = await startApp({ DATABASE_URL: t.url, CRON_SECRET: "", NODE_ENV: "production" });
  await t.sql("INSERT INTO jobs (type, payload, timeout_ms) VALUES ('send-email', '{\"to\":\"a@example.com\",\"subject\":\"s\"}', 10000)");
});
afterAll(async () => {
  await app?.stop();
  await t?.close();
});

describe("production without CRON_SECRET", () => {
  it.each([
    ["GET", "/api/jobs/tick"],
    ["POST", "/api/jobs/tick"],
    ["POST", "/api/jobs"],
    ["GET", "/api/jobs/1"],
    ["GET", "/api/jobs/stats"],
    ["GET", "/api/jobs"],
  ])("%s %s refuses with 503 naming CRON_SECRET, whatever token is sent", async (method, path) => {
    for (const auth of [null, `Bearer ${TEST_SECRET}`, "Bearer "]) {
      const res = await call(app, method, path, {
        auth,
        json: method === "POST" && path === "/api/jobs" ? { type: "send-email", payload: { to: "b@example.com", subject: "s" } } : undefined,
      });
      expect(res.status).toBe(503);
      expect(res.body).toEqual({ code: "not_configured", error: expect.stringMatching(/^CRON_SECRET is not set/) });
    }
  });

  it("runs nothing and writes nothing", async () => {
    await call(app, "GET", "/api/jobs/tick", { auth: null });
    expect(await jobCount(t)).toBe(1);
    expect(await t.sql("SELECT status::text, attempts FROM jobs")).toEqual([{ status: "pending", attempts: 0 }]);
  });
});
