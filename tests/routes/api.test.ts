// POST /api/jobs, GET /api/jobs/{id}, GET /api/jobs/stats against `next start` (production
// mode) and a real database: every status of docs/HTTP.md's table, and for every refused
// request, the job table unchanged. All of them are one catch-all route
// (app/api/jobs/[[...path]]/route.ts), so the paths it does not serve are pinned here too.
import http from "node:http";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { MAX_BODY_BYTES } from "cronbound/next";
import { startApp, TEST_SECRET, type App } from "../helpers/app.ts";
import { testDatabase, type TestDatabase } from "../helpers/db.ts";
import { call, jobCount, jobRow } from "./helpers.ts";

let t: TestDatabase;
let app: App;

beforeAll(async () => {
  t = await testDatabase();
  app = await startApp({ DATABASE_URL: t.url });
});
afterAll(async () => {
  await app?.stop();
  await t?.close();
});
beforeEach(async () => {
  await t.sql("TRUNCATE jobs, outbox RESTART IDENTITY");
});

const email = { type: "send-email", payload: { to: "ada@example.com", subject: "Welcome" } };

/** Sends a request that must be refused and checks that it wrote nothing. */
async function refused(path: string, o: Parameters<typeof call>[3], method = "POST") {
  const before = await jobCount(t);
  const res = await call(app, method, path, o);
  expect(await jobCount(t)).toBe(before);
  return res;
}

describe("POST /api/jobs", () => {
  it("enqueues: 201 with {id, status} and a Location, and the row is pending", async () => {
    const res = await call(app, "POST", "/api/jobs", { json: email });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ id: expect.stringMatching(/^[1-9][0-9]*$/), status: "pending", created: true });
    expect(res.headers.get("location")).toBe(`/api/jobs/${res.body.id}`);
    expect(await jobRow(t, res.body.id)).toEqual({ status: "pending", attempts: 0 });
  });

  it("accepts the options of the contract: runAt, delayMs, priority, maxAttempts, idempotencyKey, dependsOn", async () => {
    const first = await call(app, "POST", "/api/jobs", { json: email });
    const res = await call(app, "POST", "/api/jobs", {
      json: { ...email, delayMs: 60_000, priority: -5, maxAttempts: 2, idempotencyKey: "opts-1", dependsOn: [first.body.id] },
    });
    expect(res.status).toBe(201);
    const [row] = await t.sql<{ priority: number; max_attempts: number; blocked: boolean; future: boolean }>(
      "SELECT priority, max_attempts, blocked, run_at > now() + interval '50 seconds' AS future FROM jobs WHERE id = $1",
      [res.body.id],
    );
    expect(row).toEqual({ priority: -5, max_attempts: 2, blocked: true, future: true });
    const at = await call(app, "POST", "/api/jobs", { json: { ...email, runAt: "2031-05-01T12:00:00Z" } });
    expect(at.status).toBe(201);
    expect((await call(app, "GET", `/api/jobs/${at.body.id}`)).body.runAt).toBe("2031-05-01T12:00:00.000Z");
  });

  it("answers 200 with the existing job for a repeated idempotencyKey, and writes one row", async () => {
    const body = { ...email, idempotencyKey: "welcome-ada" };
    const a = await call(app, "POST", "/api/jobs", { json: body });
    const b = await call(app, "POST", "/api/jobs", { json: body });
    expect(a.status).toBe(201);
    expect(b.status).toBe(200);
    expect(b.body).toEqual({ id: a.body.id, status: "pending", created: false });
    expect(await jobCount(t)).toBe(1);
  });

  it("answers 400 to malformed JSON", async () => {
    const res = await refused("/api/jobs", { raw: '{"type": "send-email", ', headers: { "content-type": "application/json" } });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: "malformed_json", error: expect.stringMatching(/not valid JSON/) });
  });

  it("answers 400 to an empty body", async () => {
    expect((await refused("/api/jobs", { raw: "" })).status).toBe(400);
  });

  it("answers 422 to an unknown type, naming the known ones", async () => {
    const res = await refused("/api/jobs", { json: { type: "send-fax", payload: {} } });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: "unknown_type", error: expect.stringMatching(/send-fax.*send-email, process-upload/) });
  });

  it("answers 422 to a missing type", async () => {
    const res = await refused("/api/jobs", { json: { payload: {} } });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe("unknown_type");
  });

  it("answers 422 with the zod issues to a payload failing its schema", async () => {
    const res = await refused("/api/jobs", { json: { type: "send-email", payload: { to: "not-an-address", subject: "" } } });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe("invalid_payload");
    expect(res.body.issues).toEqual([
      expect.objectContaining({ path: ["payload", "to"], message: expect.stringMatching(/email/i) }),
      expect.objectContaining({ path: ["payload", "subject"] }),
    ]);
  });

  it("answers 422 to invalid options, with the issue at the option's own name", async () => {
    const res = await refused("/api/jobs", { json: { ...email, delayMs: -1 } });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: "invalid_options", issues: [expect.objectContaining({ path: ["delayMs"] })] });
    expect((await refused("/api/jobs", { json: { ...email, colour: "red" } })).status).toBe(422);
    expect((await refused("/api/jobs", { json: { ...email, dependsOn: ["424242"] } })).status).toBe(422);
  });

  it("refuses the server-side options `now` and `tx`: a client cannot set the clock", async () => {
    const res = await refused("/api/jobs", { json: { ...email, now: "2001-01-01T00:00:00Z" } });
    expect(res.status).toBe(422);
    expect(res.body.issues).toEqual([expect.objectContaining({ path: ["now"] })]);
    expect((await refused("/api/jobs", { json: { ...email, tx: {} } })).status).toBe(422);
  });

  it("answers 422 to JSON that is not an object", async () => {
    expect((await refused("/api/jobs", { json: [email] })).status).toBe(422);
    expect((await refused("/api/jobs", { json: "send-email" })).status).toBe(422);
  });

  it("answers 413 to a body over 1 MiB with a Content-Length, before reading it", async () => {
    const big = JSON.stringify({ ...email, payload: { ...email.payload, body: "x".repeat(1024 * 1024) } });
    const res = await refused("/api/jobs", { raw: big, headers: { "content-type": "application/json" } });
    expect(res.status).toBe(413);
    expect(res.body.code).toBe("too_large");
  });

  it("answers 413 to a chunked body (no Content-Length) once it passes 1 MiB", async () => {
    // node:http rather than fetch, and exactly one byte over the limit, then no more: the server
    // answers 413 and closes as soon as the limit is passed, and bytes it had not read when it
    // closed would make its kernel reset the connection, which can discard the 413 before this
    // client reads it (seen under a CPU hog). With nothing sent past the deciding byte, the
    // server has read everything when it answers, and the close is a clean one.
    const before = await jobCount(t);
    const prefix = JSON.stringify(email).slice(0, -1);
    const total = MAX_BODY_BYTES + 1;
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(`${app.url}/api/jobs`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${TEST_SECRET}`, "transfer-encoding": "chunked" },
      });
      req.on("response", (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      void (async () => {
        req.write(prefix);
        for (let sent = prefix.length; sent < total; ) {
          const n = Math.min(64 * 1024, total - sent);
          sent += n;
          if (!req.write(" ".repeat(n))) await new Promise((r) => req.once("drain", r));
        }
        // No req.end(): its final chunk would be more bytes the server never reads.
      })();
    });
    expect(status).toBe(413);
    expect(await jobCount(t)).toBe(before);
  });

  it("accepts a body just under the limit (the limit is the body's, not an arbitrary smaller one)", async () => {
    const padded = JSON.stringify(email) + " ".repeat(1024 * 1024 - JSON.stringify(email).length - 1);
    const res = await call(app, "POST", "/api/jobs", { raw: padded, headers: { "content-type": "application/json" } });
    expect(res.status).toBe(201);
  });
});

describe("GET /api/jobs/{id}", () => {
  it("answers the job as JSON: string ids, ISO dates, status, attempts, lastError, result, progress", async () => {
    const { body } = await call(app, "POST", "/api/jobs", { json: { type: "process-upload", payload: { fileId: "f-1" } } });
    const res = await call(app, "GET", `/api/jobs/${body.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: body.id,
      type: "process-upload",
      status: "pending",
      payload: { fileId: "f-1" },
      attempts: 0,
      lastError: null,
      result: null,
      progress: null,
      startedAt: null,
      finishedAt: null,
    });
    for (const k of ["runAt", "createdAt", "updatedAt"]) {
      expect(res.body[k]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    }
  });

  it("answers 404 to an id that does not exist or is not an id", async () => {
    for (const id of ["999999", "abc", "0", "-1", "1.5", "99999999999999999999"]) {
      const res = await call(app, "GET", `/api/jobs/${id}`);
      expect(res.status, id).toBe(404);
      expect(res.body.code).toBe("not_found");
    }
  });
});

describe("GET /api/jobs/stats", () => {
  it("counts per status and per type, and the age of the oldest due pending job", async () => {
    await call(app, "POST", "/api/jobs", { json: email });
    await call(app, "POST", "/api/jobs", { json: email });
    const up = await call(app, "POST", "/api/jobs", { json: { type: "process-upload", payload: { fileId: "f" } } });
    await t.sql("UPDATE jobs SET run_at = now() - interval '120 seconds' WHERE id = $1", [up.body.id]);
    await t.sql("UPDATE jobs SET status = 'failed', attempts = 1, finished_at = now() WHERE id = (SELECT min(id) FROM jobs)");
    const res = await call(app, "GET", "/api/jobs/stats");
    expect(res.status).toBe(200);
    expect(res.body.counts).toEqual({ pending: 2, processing: 0, completed: 0, failed: 1, cancelled: 0 });
    expect(res.body.byType["send-email"]).toMatchObject({ pending: 1, failed: 1 });
    expect(res.body.byType["process-upload"]).toMatchObject({ pending: 1 });
    expect(res.body.oldestPendingAgeSeconds).toBeGreaterThanOrEqual(120);
    expect(res.body.oldestPendingAgeSeconds).toBeLessThan(180);
  });
});

describe("the catch-all's other paths", () => {
  it("answers GET /api/jobs with 405 JSON and Allow: POST, and writes nothing", async () => {
    const res = await refused("/api/jobs", {}, "GET");
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("POST");
    expect(res.body).toMatchObject({ code: "method_not_allowed", error: expect.any(String) });
  });

  it("answers POST to a job or to the stats with 405 JSON and Allow: GET, and writes nothing", async () => {
    for (const path of ["/api/jobs/stats", "/api/jobs/1"]) {
      const res = await refused(path, { json: email });
      expect(res.status, path).toBe(405);
      expect(res.headers.get("allow")).toBe("GET");
      expect(res.body.code).toBe("method_not_allowed");
    }
  });

  it("answers unknown sub-paths with 404 JSON", async () => {
    for (const [method, path] of [["GET", "/api/jobs/tick/now"], ["GET", "/api/jobs/1/result"], ["POST", "/api/jobs/tick/now"]]) {
      const res = await refused(path, { json: method === "POST" ? {} : undefined }, method);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body).toMatchObject({ code: "not_found", error: expect.any(String) });
    }
  });
});

describe("the secret", () => {
  // The catch-all checks the secret before it looks at the path: the 405 and 404 answers
  // above are only for callers that hold it.
  const routes: [string, string, unknown?][] = [
    ["POST", "/api/jobs", email],
    ["GET", "/api/jobs/1"],
    ["GET", "/api/jobs/stats"],
    ["GET", "/api/jobs"],
    ["GET", "/api/jobs/tick/now"],
  ];
  const wrong: [string, string | null][] = [
    ["missing", null],
    ["wrong", "Bearer not-the-secret-at-all-000"],
    ["wrong scheme", "Basic dGVzdA=="],
  ];

  it.each(routes.flatMap(([m, p, j]) => wrong.map(([label, auth]) => [`${m} ${p}`, label, m, p, j, auth] as const)))(
    "%s with a %s secret: 401, no data, nothing written",
    async (_route, _label, method, path, json, auth) => {
      await t.sql("INSERT INTO jobs (type, payload, timeout_ms) VALUES ('send-email', '{}', 1000)");
      const res = await refused(path, { json, auth }, method);
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ error: "unauthorized", code: "unauthorized" });
      expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
    },
  );
});
