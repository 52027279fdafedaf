// The pieces of the HTTP layer, without a server: the tick budget, the Bearer check, the body
// reader's limits (through the route handlers, called in this process), and the maxDuration
// the app passes to cronbound/next kept equal to the one its files export.
import { readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import {
  checkBearer,
  isLoopbackRequest,
  createRouteHandlers,
  isDatabaseUnavailable,
  MAX_TICK_BODY_BYTES,
  SAFETY_MARGIN_MS,
  tickBudgetMs,
  type RouteHandlers,
} from "cronbound/next";
import { useTestDatabase } from "../helpers/db.ts";
import { testRegistry } from "../helpers/registry.ts";

const root = path.resolve(import.meta.dirname, "../..");
const source = (file: string) => readFileSync(path.join(root, file), "utf8");

describe("tick budget", () => {
  const now = Date.parse("2030-01-01T00:00:00Z");

  it("is maxDuration minus the safety margin when the platform gives no deadline", () => {
    expect(tickBudgetMs({ maxDurationS: 300, now })).toBe(300_000 - SAFETY_MARGIN_MS);
  });

  it("follows getDeadline() when Vercel provides one, whatever maxDuration says", () => {
    const deadline = new Date(now + 120_000);
    expect(tickBudgetMs({ maxDurationS: 300, deadline, now })).toBe(120_000 - SAFETY_MARGIN_MS);
  });

  it("keeps at most a fifth back for a short limit, so it still has a useful budget", () => {
    expect(tickBudgetMs({ maxDurationS: 10, now })).toBe(8_000);
    expect(tickBudgetMs({ maxDurationS: 300, deadline: new Date(now + 5_000), now })).toBe(4_000);
  });

  it("lets TICK_BUDGET_MS and the request shorten it, never lengthen it past the platform", () => {
    expect(tickBudgetMs({ maxDurationS: 300, override: 30_000, now })).toBe(30_000);
    expect(tickBudgetMs({ maxDurationS: 300, override: 30_000, requested: 5_000, now })).toBe(5_000);
    expect(tickBudgetMs({ maxDurationS: 60, override: 700_000, now })).toBe(50_000);
    expect(tickBudgetMs({ maxDurationS: 60, requested: 700_000, now })).toBe(50_000);
  });

  it("is zero, not negative, when the deadline has passed", () => {
    expect(tickBudgetMs({ maxDurationS: 300, deadline: new Date(now - 1_000), now })).toBe(0);
  });
});

describe("Bearer check", () => {
  const secret = "s3cret-value-0123456789";

  it("accepts exactly the configured secret, with any case of 'Bearer'", () => {
    expect(checkBearer(`Bearer ${secret}`, secret, true)).toEqual({ ok: true });
    expect(checkBearer(`bearer ${secret}`, secret, true)).toEqual({ ok: true });
  });

  it.each([
    ["a missing header", null],
    ["an empty header", ""],
    ["another scheme", `Basic ${secret}`],
    ["the bare secret", secret],
    ["a wrong secret of the same length", `Bearer ${secret.slice(0, -1)}X`],
    ["a prefix of the secret", `Bearer ${secret.slice(0, 8)}`],
    ["the secret with a suffix", `Bearer ${secret}x`],
    ["'Bearer' with no token", "Bearer "],
  ])("refuses %s with 401", (_, header) => {
    expect(checkBearer(header, secret, true)).toMatchObject({ ok: false, status: 401 });
  });

  it("fails closed in production when no secret is configured, naming CRON_SECRET", () => {
    const r = checkBearer(`Bearer anything`, undefined, true);
    expect(r).toMatchObject({ ok: false, status: 503 });
    expect(!r.ok && r.message).toMatch(/CRON_SECRET is not set/);
  });

  it("lets requests through in development when no secret is configured, from this machine only", () => {
    expect(checkBearer(null, undefined, false, true)).toEqual({ ok: true });
    expect(checkBearer(null, undefined, false, false)).toMatchObject({ ok: false, status: 401 });
    expect(checkBearer(null, undefined, false)).toMatchObject({ ok: false, status: 401 });
  });

  it("still requires the secret in development once one is configured", () => {
    expect(checkBearer(null, secret, false)).toMatchObject({ ok: false, status: 401 });
  });
});

describe("request body", () => {
  // The body reader is the route's own; the manual tick's limit (16 KiB) keeps these small.
  const t = useTestDatabase();
  const secret = "units-cron-secret-0123456789";
  let routes: RouteHandlers;
  beforeAll(() => {
    routes = createRouteHandlers(t.queue(testRegistry, { cronSecret: secret }), { maxDuration: 300 });
  });
  /** POST /api/jobs/{path}, as Next calls the catch-all route's handler. */
  const post = async (segments: string[], body: BodyInit, headers: Record<string, string> = {}) => {
    const request = new Request(`http://x/api/jobs/${segments.join("/")}`, {
      method: "POST",
      body,
      headers: { authorization: `Bearer ${secret}`, "content-type": "application/json", ...headers },
      duplex: "half",
    } as RequestInit);
    const res = await routes.POST(request, { params: Promise.resolve(segments.length ? { path: segments } : {}) });
    return { status: res.status, body: await res.json() };
  };

  it("refuses a declared Content-Length over the limit before reading", async () => {
    // Two bytes of body: only the declared length can be what refused it.
    const r = await post(["tick"], "{}", { "content-length": String(MAX_TICK_BODY_BYTES + 1) });
    expect(r.status).toBe(413);
    expect(r.body.code).toBe("too_large");
  });

  it("stops reading a chunked body as soon as it passes the limit", async () => {
    let pulled = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        pulled++;
        c.enqueue(new Uint8Array(4096).fill(32));
        if (pulled > 1000) c.close();
      },
    });
    const r = await post(["tick"], stream);
    expect(r.status).toBe(413);
    // 16 KiB is passed on the fifth chunk of 4 KiB.
    expect(pulled).toBeLessThan(10);
  });

  it("reads JSON, reports an empty body as empty, and malformed JSON as 400", async () => {
    const created = await post([], JSON.stringify({ type: "noop", payload: { n: 1 } }));
    expect(created.status).toBe(201);
    expect(await t.sql("SELECT payload FROM jobs WHERE id = $1", [created.body.id])).toEqual([{ payload: { n: 1 } }]);
    // The manual tick allows an empty body (an ordinary tick); enqueue does not.
    const tick = await post(["tick"], "");
    expect(tick.status).toBe(200);
    expect(tick.body).toMatchObject({ claimed: 1, completed: 1 });
    const empty = await post([], " ");
    expect(empty).toMatchObject({ status: 400, body: { code: "malformed_json" } });
    const bad = await post([], "{nope");
    expect(bad).toMatchObject({ status: 400, body: { code: "malformed_json" } });
  });
});

describe("loopback requests (open mode in development)", () => {
  const req = (url: string, headers: Record<string, string> = {}) => new Request(url, { headers });
  it("is a loopback Host with only loopback X-Forwarded-For addresses", () => {
    expect(isLoopbackRequest(req("http://127.0.0.1:3000/x").headers, "http://127.0.0.1:3000/x")).toBe(true);
    expect(isLoopbackRequest(new Headers({ host: "localhost:3000", "x-forwarded-for": "::1" }))).toBe(true);
    expect(isLoopbackRequest(new Headers({ host: "[::1]:3000", "x-forwarded-for": "::ffff:127.0.0.1" }))).toBe(true);
  });
  it("is not a request from another machine, nor one for another host name (DNS rebinding), nor through a proxy", () => {
    expect(isLoopbackRequest(new Headers({ host: "localhost:3000", "x-forwarded-for": "192.168.1.20" }))).toBe(false);
    expect(isLoopbackRequest(new Headers({ host: "localhost:3000", "x-forwarded-for": "127.0.0.1, 198.51.100.7" }))).toBe(false);
    expect(isLoopbackRequest(new Headers({ host: "attacker.example:3000", "x-forwarded-for": "127.0.0.1" }))).toBe(false);
    expect(isLoopbackRequest(new Headers({ host: "192.168.1.5:3000", "x-forwarded-for": "127.0.0.1" }))).toBe(false);
    expect(isLoopbackRequest(new Headers({}))).toBe(false);
  });
});

describe("database errors", () => {
  it("recognises Prisma's wrapped driver errors and bare connection errors, not programming errors", () => {
    expect(isDatabaseUnavailable(Object.assign(new Error("x"), { name: "PrismaClientKnownRequestError", code: "P1001" }))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error("x"), { name: "PrismaClientInitializationError" }))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error("x"), { name: "DriverAdapterError", cause: { kind: "postgres", originalCode: "53300" } }))).toBe(true);
    expect(isDatabaseUnavailable(new Error("timeout exceeded when trying to connect"))).toBe(true);
    // Not "unavailable": SQL errors that a retry would only repeat (a bug, bad data) answer 500.
    expect(isDatabaseUnavailable(Object.assign(new Error("x"), { name: "PrismaClientKnownRequestError", code: "P2010" }))).toBe(false);
    expect(isDatabaseUnavailable(Object.assign(new Error("bigint out of range"), { code: "22003" }))).toBe(false);
    expect(isDatabaseUnavailable(Object.assign(new Error("syntax error"), { code: "42601" }))).toBe(false);
    expect(isDatabaseUnavailable(Object.assign(new Error("duplicate key"), { code: "23505" }))).toBe(false);
    expect(isDatabaseUnavailable(Object.assign(new Error("x"), { name: "DriverAdapterError", cause: { kind: "postgres", originalCode: "22P02" } }))).toBe(false);
    expect(isDatabaseUnavailable(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error("terminating connection"), { code: "57P01" }))).toBe(true);
    expect(isDatabaseUnavailable(new Error("wrapped", { cause: Object.assign(new Error("x"), { code: "08006" }) }))).toBe(true);
    expect(isDatabaseUnavailable(new Error("outer", { cause: new Error("Connection terminated unexpectedly") }))).toBe(true);
    expect(isDatabaseUnavailable(new TypeError("cannot read properties of undefined"))).toBe(false);
  });
});

describe("the time limits the app passes to cronbound/next", () => {
  const exported = (file: string) => Number(/export const maxDuration = (\d+);/.exec(source(file))?.[1]);

  it("the kick's maxDuration (app/actions.ts) equals the maxDuration app/page.tsx exports (its server actions' kicks run within it)", () => {
    const kicked = /kick\(queue, job, \{ maxDuration: (\d+) \}\)/.exec(source("app/actions.ts"));
    expect(kicked, "app/actions.ts calls kick(queue, job, { maxDuration: <literal> })").not.toBeNull();
    expect(exported("app/page.tsx")).toBe(Number(kicked![1]));
  });

  it("the API route gives createRouteHandlers its own maxDuration export", () => {
    const route = "app/api/jobs/[[...path]]/route.ts";
    expect(exported(route)).toBeGreaterThan(0);
    expect(source(route)).toMatch(/createRouteHandlers\(queue, \{ maxDuration \}\)/);
  });
});
