import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { cookies, headers } from "next/headers";

// Who may see the dashboard and run its actions.
//
// - not production (config.production false): open, with a visible notice.
// - production without config.dashboardSecret: off. Nothing is read, nothing runs.
// - production with config.dashboardSecret: a sign-in form; the cookie holds
//   `v1.<expires>.<HMAC-SHA256(secret, "v1.<expires>")>`, never the secret. Changing the
//   secret signs everybody out. Every page and every server action checks it itself:
//   a layout's check is not enough, because a page and an action can be requested on their own.

export const COOKIE = "cronbound_dashboard";
export const SESSION_SECONDS = 12 * 60 * 60;

export type DashboardMode = "open" | "off" | "protected";
export type Access =
  | { mode: "open"; allowed: true }
  | { mode: "protected"; allowed: true }
  | { mode: "protected"; allowed: false }
  | { mode: "off"; allowed: false };

/** What access depends on: the queue's config, and where the dashboard is mounted (the cookie's path). */
export interface AuthSettings {
  production: boolean;
  secret?: string;
  base: string;
}

export function dashboardMode(s: { production: boolean; secret?: string }): DashboardMode {
  if (!s.production) return "open";
  return s.secret ? "protected" : "off";
}

function sign(secret: string, payload: string): string {
  return createHmac("sha256", secret).update(payload).digest("base64url");
}

/** Equal-time comparison of two strings of any length (hashing first makes the lengths equal). */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHash("sha256").update(a).digest();
  const hb = createHash("sha256").update(b).digest();
  return timingSafeEqual(ha, hb) && a.length === b.length;
}

export function sessionToken(secret: string, nowMs = Date.now()): string {
  const payload = `v1.${Math.floor(nowMs / 1000) + SESSION_SECONDS}`;
  return `${payload}.${sign(secret, payload)}`;
}

export function verifySessionToken(secret: string, token: string | undefined, nowMs = Date.now()): boolean {
  if (!token) return false;
  const m = /^(v1\.(\d{1,12}))\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m) return false;
  const ok = safeEqual(m[3], sign(secret, m[1]));
  return ok && Number(m[2]) * 1000 > nowMs;
}

/** The current request's access. Pages render nothing but a message or the sign-in link unless `allowed`. */
export async function dashboardAccess(s: AuthSettings): Promise<Access> {
  const mode = dashboardMode(s);
  if (mode === "open") return { mode, allowed: true };
  if (mode === "off") return { mode, allowed: false };
  const token = (await cookies()).get(COOKIE)?.value;
  return { mode, allowed: verifySessionToken(s.secret as string, token) };
}

/** The cookie is `secure` when the browser reached us over https (as the proxy reports it). */
async function isHttps(): Promise<boolean> {
  const h = await headers();
  const proto = h.get("x-forwarded-proto")?.split(",")[0].trim();
  if (proto) return proto === "https";
  const host = h.get("host") ?? "";
  // No proxy header: only a loopback address is assumed to be plain http (local `next start`).
  return !/^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/.test(host);
}

/** Checks the submitted secret; on a match sets the session cookie (sent to the dashboard's path only). */
export async function signIn(s: AuthSettings, submitted: string): Promise<boolean> {
  if (dashboardMode(s) !== "protected" || !s.secret) return false;
  if (!safeEqual(submitted, s.secret)) return false;
  (await cookies()).set(COOKIE, sessionToken(s.secret), {
    httpOnly: true,
    secure: await isHttps(),
    sameSite: "strict",
    path: s.base,
    maxAge: SESSION_SECONDS,
  });
  return true;
}

export async function signOut(s: AuthSettings): Promise<void> {
  (await cookies()).delete({ name: COOKIE, path: s.base });
}
