// The dashboard's access rules and sessions, without a browser, against `next start`
// (production, DASHBOARD_SECRET set). Sessions are server-side (cronbound.sessions): the
// cookie is a random id, signing out deletes it, a new secret matches none. Failed sign-ins are
// counted per client and in total in PostgreSQL (cronbound.rate_limits) and logged. Signing in
// is posted as the page's form is without JavaScript; X-Forwarded-For stands for the client.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { dashboardMode } from "cronbound/next/dashboard";
import { startApp, type App } from "../helpers/app.ts";
import { testDatabase, type TestDatabase } from "../helpers/db.ts";
import { SESSION_COOKIE } from "./browser.ts";

const SECRET = "a-dashboard-secret-0123";
/** How long a session lasts: 12 hours (docs/DASHBOARD.md). */
const SESSION_SECONDS = 12 * 60 * 60;
/** docs/SECURITY.md: 10 failed sign-ins per client and 100 in total per 15 minutes. */
const PER_CLIENT = 10;
const TOTAL = 100;

let t: TestDatabase;
let app: App;

beforeAll(async () => {
  t = await testDatabase();
  app = await startApp({ DATABASE_URL: t.url, DASHBOARD_SECRET: SECRET });
});
afterAll(async () => {
  await app?.stop();
  await t?.close();
});
beforeEach(async () => {
  await t.sql("DELETE FROM rate_limits");
});

let clients = 0;
/** A client address of its own for each test (TEST-NET-3), so counts never leak between tests. */
const newClient = () => `203.0.113.${++clients}`;

/** GET /jobs with this session cookie (none if undefined): "in" for the overview, "out" for the sign-in form. */
async function session(token: string | undefined, headers: Record<string, string> = {}): Promise<"in" | "out"> {
  const h: Record<string, string> = token === undefined ? { ...headers } : { ...headers, cookie: `${SESSION_COOKIE}=${token}` };
  const res = await fetch(`${app.url}/jobs`, { headers: h, redirect: "manual" });
  if (res.status === 307 && res.headers.get("location") === "/jobs/login?next=%2Fjobs") return "out";
  const html = await res.text();
  if (res.status === 200 && html.includes('data-testid="counts"')) return "in";
  throw new Error(`GET /jobs answered neither the overview nor the sign-in redirect: ${res.status} ${html.slice(0, 200)}`);
}

/** Posts a dashboard form as a browser without JavaScript does (multipart, with the page's action id). */
async function post(fields: Record<string, string>, headers: Record<string, string> = {}, page = "/jobs/login") {
  const html = await (await fetch(`${app.url}${page}`, { headers })).text();
  const actionId = /name="(\$ACTION_ID_[0-9a-f]+)"/.exec(html)?.[1];
  expect(actionId, "the page renders its form's action id").toBeTruthy();
  const form = new FormData();
  form.append(actionId!, "");
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  const res = await fetch(`${app.url}${page}`, { method: "POST", body: form, redirect: "manual", headers: { origin: app.url, ...headers } });
  const cookie = res.headers.get("set-cookie") ?? "";
  return { status: res.status, location: res.headers.get("location"), cookie, token: new RegExp(`${SESSION_COOKIE}=([^;]+)`).exec(cookie)?.[1] };
}
const signIn = (secret: string, client = newClient(), extra: Record<string, string> = {}) =>
  post({ intent: "signin", next: "/jobs", secret }, { "x-forwarded-for": client, ...extra });

describe("dashboardMode", () => {
  it("is open in development from this machine only, whatever the secret", () => {
    expect(dashboardMode({ production: false, local: true })).toBe("open");
    expect(dashboardMode({ production: false, secret: SECRET, local: true })).toBe("open");
    expect(dashboardMode({ production: false, local: false })).toBe("off");
    expect(dashboardMode({ production: false, secret: SECRET, local: false })).toBe("protected");
    expect(dashboardMode({ production: false })).toBe("off");
  });
  it("is off in production without DASHBOARD_SECRET, protected with it, from loopback too", () => {
    expect(dashboardMode({ production: true, local: true })).toBe("off");
    expect(dashboardMode({ production: true, secret: SECRET, local: true })).toBe("protected");
  });
});

describe("sessions", () => {
  it("signing in issues a random id (never the secret), stored server-side with SESSION_SECONDS to live", async () => {
    const r = await signIn(SECRET);
    expect(r).toMatchObject({ status: 303, location: "/jobs" });
    expect(r.cookie).toMatch(new RegExp(`Max-Age=${SESSION_SECONDS}(;|$)`));
    expect(r.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(r.token).not.toContain(SECRET);
    const [row] = await t.sql<{ n: string; ttl: number; raw: boolean }>(
      "SELECT count(*)::text AS n, max(extract(epoch FROM expires_at - created_at))::int AS ttl, bool_or(id_hash = $1) AS raw FROM sessions",
      [r.token],
    );
    expect(row.ttl).toBe(SESSION_SECONDS);
    expect(row.raw, "the table holds a hash of the id, not the id").toBe(false);
    expect(await session(r.token)).toBe("in");
  });

  it("two sign-ins in the same second get different sessions", async () => {
    const [a, b] = await Promise.all([signIn(SECRET), signIn(SECRET)]);
    expect(a.token && b.token).toBeTruthy();
    expect(a.token).not.toBe(b.token);
  });

  it("signing out ends the session: the same cookie no longer loads /jobs", async () => {
    const r = await signIn(SECRET);
    expect(await session(r.token)).toBe("in");
    const out = await post({ intent: "signout" }, { cookie: `${SESSION_COOKIE}=${r.token}` }, "/jobs");
    expect(out.location).toBe("/jobs/login");
    expect(await session(r.token), "the old cookie, replayed after sign-out").toBe("out");
    expect(await session((await signIn(SECRET)).token), "another session still works").toBe("in");
  });

  it("an expired session is refused (its row backdated)", async () => {
    const r = await signIn(SECRET);
    await t.sql("UPDATE sessions SET expires_at = now() - interval '1 second', created_at = now() - interval '13 hours'");
    expect(await session(r.token)).toBe("out");
  });

  it("refuses ids that were never issued, and edited ones", async () => {
    const r = await signIn(SECRET);
    const flipped = r.token!.slice(0, -1) + (r.token!.endsWith("A") ? "B" : "A");
    for (const bad of [undefined, "", SECRET, flipped, `${r.token}x`, "A".repeat(43), `v1.9999999999.${"A".repeat(43)}`]) {
      expect(await session(bad), String(bad)).toBe("out");
    }
    expect(await session(r.token), "the untouched id, as a control").toBe("in");
  });

  it("a session id made under another secret matches no row (rotating the secret signs everybody out)", async () => {
    // The table holds HMAC(secret, id): a row written for the same id under another secret does not match.
    const { createHmac } = await import("node:crypto");
    const id = "B".repeat(43);
    const other = createHmac("sha256", "another-secret-456789").update(`session:${id}`).digest("base64url");
    await t.sql("INSERT INTO sessions (id_hash, expires_at) VALUES ($1, now() + interval '1 hour')", [other]);
    expect(await session(id)).toBe("out");
  });
});

describe("the session cookie's flags", () => {
  it("is Secure behind a proxy that sends no X-Forwarded-Proto (a client address that is not loopback)", async () => {
    const r = await signIn(SECRET, newClient());
    expect(r.cookie).toMatch(/;\s*Secure/i);
    expect(r.cookie).toMatch(/HttpOnly/i);
    expect(r.cookie).toMatch(/SameSite=Strict/i);
    expect(r.cookie).toMatch(/Path=\/jobs/);
  });

  it("is Secure even when the proxy says http, unless the request is from loopback", async () => {
    const r = await signIn(SECRET, newClient(), { "x-forwarded-proto": "http" });
    expect(r.cookie).toMatch(/;\s*Secure/i);
  });

  it("is not Secure for a plain-http request from this machine to a loopback address (local `next start`)", async () => {
    const r = await signIn(SECRET, "127.0.0.1");
    expect(r.token).toBeTruthy();
    expect(r.cookie).not.toMatch(/;\s*Secure/i);
  });
});

describe("the secret's comparison at sign-in", () => {
  // Constant time for secrets of any length (both sides hashed first): a longer, shorter or
  // empty secret is refused with the sign-in form's error, never a server error.
  it.each([
    ["the secret plus a space", `${SECRET} `],
    ["the secret less its last character", SECRET.slice(0, -1)],
    ["an empty secret", ""],
    ["a 500-character secret", "s".repeat(500)],
  ])("refuses %s: back to the form, no session cookie", async (_label, secret) => {
    const r = await signIn(secret);
    expect(r).toMatchObject({ status: 303, location: "/jobs/login?error=1" });
    expect(r.token).toBeUndefined();
  });
});

describe("failed sign-ins: limited per client and in total, in PostgreSQL, and logged", () => {
  it(`${PER_CLIENT + 5} concurrent wrong guesses from one client: ${PER_CLIENT} are checked, the rest refused unchecked; then even the right secret waits`, async () => {
    const client = newClient();
    const results = await Promise.all(Array.from({ length: PER_CLIENT + 5 }, (_, i) => signIn(`wrong-guess-${i}-0123456789`, client)));
    const wrong = results.filter((r) => r.location === "/jobs/login?error=1").length;
    const limited = results.filter((r) => r.location === "/jobs/login?error=limited").length;
    expect({ wrong, limited }).toEqual({ wrong: PER_CLIENT, limited: 5 });
    const right = await signIn(SECRET, client);
    expect(right.location).toBe("/jobs/login?error=limited");
    expect(right.token).toBeUndefined();
    // Another client is not affected.
    expect((await signIn(SECRET, newClient())).location).toBe("/jobs");
    // Logged: each failure and each refusal, with the client.
    // (Polled: the server's output reaches this process through a pipe.)
    await expect.poll(() => (app.output().match(new RegExp(`"event":"dashboard_signin_failed","client":"${client.replace(/\./g, "\\.")}"`, "g")) ?? []).length, { timeout: 15_000 }).toBe(PER_CLIENT);
    await expect.poll(() => app.output(), { timeout: 15_000 }).toMatch(new RegExp(`"event":"dashboard_signin_limited","client":"${client.replace(/\./g, "\\.")}"`));
  });

  it("the sign-in page says why: a wrong secret, or too many failed attempts", async () => {
    expect(await (await fetch(`${app.url}/jobs/login?error=1`)).text()).toContain("Wrong secret.");
    expect(await (await fetch(`${app.url}/jobs/login?error=limited`)).text()).toContain("Too many failed sign-ins: try again in 15 minutes.");
  });

  it("a successful sign-in does not count against its client", async () => {
    const client = newClient();
    for (let i = 0; i < PER_CLIENT + 2; i++) expect((await signIn(SECRET, client)).location).toBe("/jobs");
  });

  it(`when ${TOTAL} failures were counted in total this window, every client waits, the right secret too`, async () => {
    // The total's count, as if TOTAL failures from many addresses had come (this window and the next, so a window boundary cannot slip between).
    await t.sql(
      `INSERT INTO rate_limits (key, window_start, count)
       SELECT 'dashboard-signin:all', to_timestamp(floor(extract(epoch FROM now()) * 1000 / 900000) * 900000 / 1000.0) + n * interval '15 minutes', $1
       FROM generate_series(0, 1) n`,
      [TOTAL],
    );
    const r = await signIn(SECRET, newClient());
    expect(r.location).toBe("/jobs/login?error=limited");
    expect(r.token).toBeUndefined();
    await expect.poll(() => app.output(), { timeout: 15_000 }).toMatch(/dashboard sign-in refused: too many failed attempts \(from all clients\)/);
  });
});
