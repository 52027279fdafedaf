// A malformed environment: the machine endpoints answer 500 with a JSON message that names the
// variable (never its value), instead of Next's HTML error page.
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
    ["GET", "/api/jobs/tick"],
    ["POST", "/api/jobs"],
    ["GET", "/api/jobs/stats"],
  ])("%s %s answers 500 naming DATABASE_URL, without its value", async (method, path) => {
    const res = await call(app, method, path, { json: method === "POST" ? {} : undefined });
    expect(res.status).toBe(500);
    expect(res.body.error).toMatch(/DATABASE_URL must be a postgres/);
    expect(res.text).not.toMatch(/hunter2|mysql:/);
  });
});
