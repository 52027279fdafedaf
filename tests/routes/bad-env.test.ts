// A malformed environment: the machine endpoints answer 500 with a generic JSON body, to callers
// with the secret and without it alike (the secret is part of the configuration that failed, so
// the check cannot run first). Which variable is wrong, and why, goes to the server log only;
// never its value.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type App } from "../helpers/app.ts";
import { call } from "./helpers.ts";

let app: App;

beforeAll(async () => {
  app = await startApp({ DATABASE_URL: "mysql://root:hunter2@127.0.0.1/app" });
});
afterAll(async () => {
  await app?.stop();
});

describe("a malformed DATABASE_URL", () => {
  it.each([
    ["GET", "/api/jobs/tick", undefined],
    ["POST", "/api/jobs", undefined],
    ["GET", "/api/jobs/stats", undefined],
    ["GET", "/api/jobs/stats", null],
    ["GET", "/api/jobs/1", "Bearer wrong-secret-0123456789"],
  ])("%s %s (auth %s) answers 500 with a generic body: no variable name, no rule, no value", async (method, path, auth) => {
    const res = await call(app, method, path, { json: method === "POST" ? {} : undefined, auth });
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ code: "internal", error: expect.stringMatching(/misconfigured; see the server log$/) });
    expect(res.text).not.toMatch(/DATABASE_URL|postgres|hunter2|mysql:/);
  });

  it("the server log names the variable and its rule, never its value", async () => {
    await expect.poll(() => app.output(), { timeout: 15_000 }).toMatch(/DATABASE_URL must be a postgres/);
    expect(app.output()).not.toMatch(/hunter2/);
  });
});

describe("a malformed CRON_SECRET (too short), checked before any request is authenticated", () => {
  let short: App;
  beforeAll(async () => {
    short = await startApp({ DATABASE_URL: "postgresql://postgres@127.0.0.1:1/none", CRON_SECRET: "short-secret" });
  });
  afterAll(async () => {
    await short?.stop();
  });

  it("an anonymous caller learns nothing about the rule; the log has it", async () => {
    const res = await call(short, "GET", "/api/jobs/stats", { auth: null });
    expect(res.status).toBe(500);
    expect(res.text).not.toMatch(/CRON_SECRET|16 characters|short-secret/);
    await expect.poll(() => short.output(), { timeout: 15_000 }).toMatch(/CRON_SECRET must be at least 16 characters/);
    expect(short.output()).not.toMatch(/short-secret/);
  });
});
