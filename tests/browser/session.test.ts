// The dashboard's access rules and session token, without a browser: the cases a browser test
// cannot reach cheaply (expiry, tampering, other secrets, the development mode). The token
// functions are the package's own, so tokens are made here from the documented format
// (browser.ts) and shown to the app (`next start`, production, DASHBOARD_SECRET set): a valid
// session gets the overview, anything else is sent to the sign-in form. Signing in is posted
// as the page's form is without JavaScript.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dashboardMode } from "cronbound/next/dashboard";
import { startApp, type App } from "../helpers/app.ts";
import { testDatabase, type TestDatabase } from "../helpers/db.ts";
import { SESSION_COOKIE, sessionToken } from "./browser.ts";

const SECRET = "a-dashboard-secret-0123";
/** How long a session lasts: 12 hours (docs/DASHBOARD.md). */
const SESSION_SECONDS = 12 * 60 * 60;

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

const nowS = () => Math.floor(Date.now() / 1000);

/** GET /jobs with this session cookie (none if undefined): "in" for the overview, "out" for the sign-in form. */
async function session(token: string | undefined): Promise<"in" | "out"> {
  const headers: Record<string, string> = token === undefined ? {} : { cookie: `${SESSION_COOKIE}=${token}` };
  const res = await fetch(`${app.url}/jobs`, { headers, redirect: "manual" });
  if (res.status === 307 && res.headers.get("location") === "/jobs/login?next=%2Fjobs") return "out";
  const html = await res.text();
  if (res.status === 200 && html.includes('data-testid="counts"')) return "in";
  throw new Error(`GET /jobs answered neither the overview nor the sign-in redirect: ${res.status} ${html.slice(0, 200)}`);
}

/** Posts the sign-in form as a browser without JavaScript does (multipart, with the page's action id). */
async function signIn(secret: string) {
  const page = await (await fetch(`${app.url}/jobs/login`)).text();
  const actionId = /name="(\$ACTION_ID_[0-9a-f]+)"/.exec(page)?.[1];
  expect(actionId, "the sign-in page renders its form's action id").toBeTruthy();
  const form = new FormData();
  form.append(actionId!, "");
  form.append("intent", "signin");
  form.append("next", "/jobs");
  form.append("secret", secret);
  const res = await fetch(`${app.url}/jobs/login`, { method: "POST", body: form, redirect: "manual", headers: { origin: app.url } });
  const cookie = res.headers.get("set-cookie") ?? "";
  return { status: res.status, location: res.headers.get("location"), cookie, token: new RegExp(`${SESSION_COOKIE}=([^;]+)`).exec(cookie)?.[1] };
}

describe("dashboardMode", () => {
  it("is open outside production, whatever the secret", () => {
    expect(dashboardMode({ production: false })).toBe("open");
    expect(dashboardMode({ production: false, secret: SECRET })).toBe("open");
  });
  it("is off in production without DASHBOARD_SECRET, protected with it", () => {
    expect(dashboardMode({ production: true })).toBe("off");
    expect(dashboardMode({ production: true, secret: SECRET })).toBe("protected");
  });
});

describe("session token", () => {
  it("verifies with the secret that made it and does not contain that secret", async () => {
    const token = sessionToken(SECRET, nowS() + SESSION_SECONDS);
    expect(token).not.toContain(SECRET);
    expect(await session(token)).toBe("in");
  });

  it("is what signing in issues: valid SESSION_SECONDS (Max-Age and the signed expiry), accepted on /jobs", async () => {
    const r = await signIn(SECRET);
    expect(r).toMatchObject({ status: 303, location: "/jobs" });
    expect(r.cookie).toMatch(new RegExp(`Max-Age=${SESSION_SECONDS}(;|$)`));
    expect(r.token).not.toContain(SECRET);
    const expiry = Number(r.token!.split(".")[1]);
    expect(Math.abs(expiry - (nowS() + SESSION_SECONDS))).toBeLessThanOrEqual(60);
    expect(r.token).toBe(sessionToken(SECRET, expiry));
    expect(await session(r.token)).toBe("in");
  });

  it("expires at its expiry: valid a few seconds before, refused at the expiry and after", async () => {
    // The app's clock is the real one: an expiry 5 s away is still valid when the request
    // lands, and an expiry at the current second (or earlier) is already reached.
    expect(await session(sessionToken(SECRET, nowS() + 5))).toBe("in");
    expect(await session(sessionToken(SECRET, nowS()))).toBe("out");
    expect(await session(sessionToken(SECRET, nowS() - 1))).toBe("out");
  });

  it("is refused under another secret (rotating the secret signs everybody out)", async () => {
    expect(await session(sessionToken("another-secret-456789", nowS() + SESSION_SECONDS))).toBe("out");
  });

  it("is refused when its expiry is pushed out, its signature edited, or it is malformed", async () => {
    const token = sessionToken(SECRET, nowS() + SESSION_SECONDS);
    const [v, exp, sig] = token.split(".");
    expect(await session(`${v}.${Number(exp) + 86_400}.${sig}`)).toBe("out");
    const flipped = sig.slice(0, -1) + (sig.endsWith("A") ? "B" : "A");
    expect(await session(`${v}.${exp}.${flipped}`)).toBe("out");
    for (const bad of [undefined, "", SECRET, `${token}x`, `v2.${exp}.${sig}`, token.replace(/\./g, "")]) {
      expect(await session(bad), String(bad)).toBe("out");
    }
    expect(await session(token), "the untouched token, as a control").toBe("in");
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
