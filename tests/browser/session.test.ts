// The dashboard's access rules and session token, without a browser: the cases a browser test
// cannot reach cheaply (expiry, tampering, other secrets, the development mode).
import { describe, expect, it } from "vitest";
import { dashboardMode, safeEqual, SESSION_SECONDS, sessionToken, verifySessionToken } from "../../lib/dashboard/auth.ts";

const SECRET = "a-dashboard-secret-0123";

describe("dashboardMode", () => {
  it("is open outside production, whatever the secret", () => {
    expect(dashboardMode({ NODE_ENV: "development" })).toBe("open");
    expect(dashboardMode({ NODE_ENV: "test", DASHBOARD_SECRET: SECRET })).toBe("open");
  });
  it("is off in production without DASHBOARD_SECRET, protected with it", () => {
    expect(dashboardMode({ NODE_ENV: "production" })).toBe("off");
    expect(dashboardMode({ NODE_ENV: "production", DASHBOARD_SECRET: SECRET })).toBe("protected");
  });
});

describe("session token", () => {
  const now = Date.UTC(2030, 0, 1);

  it("verifies with the secret that made it and does not contain that secret", () => {
    const token = sessionToken(SECRET, now);
    expect(token).not.toContain(SECRET);
    expect(verifySessionToken(SECRET, token, now)).toBe(true);
  });

  it("expires after SESSION_SECONDS: valid a second before, refused at the expiry", () => {
    const token = sessionToken(SECRET, now);
    expect(verifySessionToken(SECRET, token, now + SESSION_SECONDS * 1000 - 1000)).toBe(true);
    expect(verifySessionToken(SECRET, token, now + SESSION_SECONDS * 1000)).toBe(false);
  });

  it("is refused under another secret (rotating the secret signs everybody out)", () => {
    expect(verifySessionToken("another-secret-456789", sessionToken(SECRET, now), now)).toBe(false);
  });

  it("is refused when its expiry is pushed out, its signature edited, or it is malformed", () => {
    const token = sessionToken(SECRET, now);
    const [v, exp, sig] = token.split(".");
    expect(verifySessionToken(SECRET, `${v}.${Number(exp) + 86_400}.${sig}`, now)).toBe(false);
    const flipped = sig.slice(0, -1) + (sig.endsWith("A") ? "B" : "A");
    expect(verifySessionToken(SECRET, `${v}.${exp}.${flipped}`, now)).toBe(false);
    for (const bad of [undefined, "", SECRET, `${token}x`, `v2.${exp}.${sig}`, token.replace(/\./g, "")]) {
      expect(verifySessionToken(SECRET, bad, now)).toBe(false);
    }
  });
});

describe("safeEqual", () => {
  it("compares strings of any length", () => {
    expect(safeEqual(SECRET, SECRET)).toBe(true);
    expect(safeEqual(SECRET, `${SECRET} `)).toBe(false);
    expect(safeEqual(SECRET, "")).toBe(false);
    expect(safeEqual("", "")).toBe(true);
  });
});
