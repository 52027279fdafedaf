// The pure pieces of the HTTP layer, without a server: the tick budget, the Bearer check,
// the body reader's limits, and the kick's maxDuration kept equal to the page's.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { checkBearer } from "../../lib/http/auth.ts";
import { readJsonBody } from "../../lib/http/body.ts";
import { SAFETY_MARGIN_MS, tickBudgetMs } from "../../lib/http/budget.ts";
import { isDatabaseError } from "../../lib/http/errors.ts";
import { KICK_MAX_DURATION_S } from "../../lib/kick.ts";

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
    expect(checkBearer(`Bearer ${secret}`, secret, "production")).toEqual({ ok: true });
    expect(checkBearer(`bearer ${secret}`, secret, "production")).toEqual({ ok: true });
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
    expect(checkBearer(header, secret, "production")).toMatchObject({ ok: false, status: 401 });
  });

  it("fails closed in production when no secret is configured, naming CRON_SECRET", () => {
    const r = checkBearer(`Bearer anything`, undefined, "production");
    expect(r).toMatchObject({ ok: false, status: 503 });
    expect(!r.ok && r.message).toMatch(/CRON_SECRET is not set/);
  });

  it("lets requests through in development when no secret is configured", () => {
    expect(checkBearer(null, undefined, "development")).toEqual({ ok: true });
  });

  it("still requires the secret in development once one is configured", () => {
    expect(checkBearer(null, secret, "development")).toMatchObject({ ok: false, status: 401 });
  });
});

describe("request body", () => {
  const post = (body: BodyInit, headers: Record<string, string> = {}) =>
    new Request("http://x/", { method: "POST", body, headers, duplex: "half" } as RequestInit);

  it("refuses a declared Content-Length over the limit before reading", async () => {
    const r = await readJsonBody(post("{}", { "content-length": "2000" }), 1000);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.response.status).toBe(413);
  });

  it("stops reading a chunked body as soon as it passes the limit", async () => {
    let pulled = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        pulled++;
        c.enqueue(new Uint8Array(400).fill(32));
        if (pulled > 1000) c.close();
      },
    });
    const r = await readJsonBody(post(stream), 1000);
    expect(!r.ok && r.response.status).toBe(413);
    expect(pulled).toBeLessThan(10);
  });

  it("reads JSON, reports an empty body as empty, and malformed JSON as 400", async () => {
    expect(await readJsonBody(post('{"a":1}'), 1000)).toEqual({ ok: true, value: { a: 1 }, empty: false });
    expect(await readJsonBody(post(""), 1000, { allowEmpty: true })).toEqual({ ok: true, value: undefined, empty: true });
    const empty = await readJsonBody(post(" "), 1000);
    expect(!empty.ok && empty.response.status).toBe(400);
    const bad = await readJsonBody(post("{nope"), 1000);
    expect(!bad.ok && bad.response.status).toBe(400);
  });
});

describe("database errors", () => {
  it("recognises Prisma's wrapped driver errors and bare connection errors, not programming errors", () => {
    expect(isDatabaseError(Object.assign(new Error("x"), { name: "PrismaClientKnownRequestError", code: "P2010" }))).toBe(true);
    expect(isDatabaseError(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }))).toBe(true);
    expect(isDatabaseError(Object.assign(new Error("terminating connection"), { code: "57P01" }))).toBe(true);
    expect(isDatabaseError(new Error("wrapped", { cause: Object.assign(new Error("x"), { code: "08006" }) }))).toBe(true);
    expect(isDatabaseError(new Error("outer", { cause: new Error("Connection terminated unexpectedly") }))).toBe(true);
    expect(isDatabaseError(new TypeError("cannot read properties of undefined"))).toBe(false);
  });
});

describe("the kick's time limit", () => {
  it("equals the maxDuration app/page.tsx exports (its server actions' kicks run within it)", () => {
    const page = readFileSync(path.resolve(import.meta.dirname, "../../app/page.tsx"), "utf8");
    expect(page).toMatch(new RegExp(`export const maxDuration = ${KICK_MAX_DURATION_S};`));
  });
});
