import { createHash, timingSafeEqual } from "node:crypto";
import { cookies, headers } from "next/headers";
import type { Engine } from "../../engine/context.ts";
import { rateLimitHit, rateLimitRefund } from "../../engine/rate-limit.ts";
import { createSession, endSession, sessionIsValid } from "../../engine/sessions.ts";
import { clientAddress, isLoopbackRequest } from "../auth.ts";

// Who may see the dashboard and run its actions (docs/SECURITY.md).
//
// - development (config.production false) and the request comes from this machine (loopback):
//   open, with a visible notice.
// - otherwise without config.dashboardSecret: off. Nothing is read, nothing runs.
// - otherwise with config.dashboardSecret: a sign-in form. Signing in creates a server-side
//   session (engine/sessions.ts): the cookie holds a random 256-bit id, the table its HMAC under
//   the secret. Signing out deletes it; so does a new secret (no row matches any more).
//   Failed sign-ins are counted per client and in total in PostgreSQL (SIGNIN_LIMITS) and
//   logged. Every page and every server action checks access itself: a layout's check is not
//   enough, because a page and an action can be requested on their own.

export const COOKIE = "cronbound_dashboard";
export const SESSION_SECONDS = 12 * 60 * 60;

/**
 * Sign-in attempts allowed per 15-minute window: 10 per client (by X-Forwarded-For's first
 * address) and 100 in total, whatever the clients claim to be. An attempt beyond either is
 * refused without looking at the secret; a successful sign-in does not count.
 */
export const SIGNIN_LIMITS = { windowMs: 15 * 60_000, perClient: 10, total: 100 } as const;

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
  /** The queue's engine: sessions and sign-in counts live in its database. */
  engine: Engine;
}

/** Open only in development and from this machine; otherwise protected by the secret, or off without one. */
export function dashboardMode(s: { production: boolean; secret?: string; local?: boolean }): DashboardMode {
  if (!s.production && s.local === true) return "open";
  return s.secret ? "protected" : "off";
}

/** Equal-time comparison of two strings of any length (hashing first makes the lengths equal). */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHash("sha256").update(a).digest();
  const hb = createHash("sha256").update(b).digest();
  return timingSafeEqual(ha, hb) && a.length === b.length;
}

/** The current request's access. Pages render nothing but a message or the sign-in link unless `allowed`. */
export async function dashboardAccess(s: AuthSettings): Promise<Access> {
  const mode = dashboardMode({ ...s, local: isLoopbackRequest(await headers()) });
  if (mode === "open") return { mode, allowed: true };
  if (mode === "off") return { mode, allowed: false };
  const id = (await cookies()).get(COOKIE)?.value;
  return { mode, allowed: await sessionIsValid(s.engine, s.secret as string, id) };
}

export type SignInResult = "ok" | "wrong" | "limited" | "off";

/**
 * Checks the submitted secret, within SIGNIN_LIMITS; on a match creates a session and sets its
 * cookie (httpOnly, SameSite=Strict, the dashboard's path only, and Secure unless the request
 * came from loopback: a proxy that forgets X-Forwarded-Proto cannot make it plain-text).
 */
export async function signIn(s: AuthSettings, submitted: string): Promise<SignInResult> {
  const h = await headers();
  if (dashboardMode({ ...s, local: isLoopbackRequest(h) }) !== "protected" || !s.secret) return "off";
  const client = clientAddress(h);
  const keys = [`dashboard-signin:client:${client}`, "dashboard-signin:all"];
  const window = { windowMs: SIGNIN_LIMITS.windowMs };
  const hit = await rateLimitHit(
    s.engine,
    [
      { key: keys[0], max: SIGNIN_LIMITS.perClient },
      { key: keys[1], max: SIGNIN_LIMITS.total },
    ],
    window,
  );
  if (!hit.ok) {
    s.engine.log.warn(
      { event: "dashboard_signin_limited", client, limitedBy: hit.limitedBy, retryAfterMs: hit.retryAfterMs },
      `dashboard sign-in refused: too many failed attempts (${hit.limitedBy === keys[1] ? "from all clients" : `from ${client}`})`,
    );
    return "limited";
  }
  if (!safeEqual(submitted, s.secret)) {
    s.engine.log.warn({ event: "dashboard_signin_failed", client }, `dashboard sign-in failed: wrong secret from ${client}`);
    return "wrong";
  }
  await rateLimitRefund(s.engine, keys, window);
  const id = await createSession(s.engine, s.secret, SESSION_SECONDS * 1000);
  (await cookies()).set(COOKIE, id, {
    httpOnly: true,
    secure: !isLoopbackRequest(h) || h.get("x-forwarded-proto")?.split(",")[0].trim() === "https",
    sameSite: "strict",
    path: s.base,
    maxAge: SESSION_SECONDS,
  });
  s.engine.log.info({ event: "dashboard_signin", client }, `dashboard sign-in from ${client}`);
  return "ok";
}

/** Ends the session server-side (the cookie no longer works anywhere) and deletes the cookie. */
export async function signOut(s: AuthSettings): Promise<void> {
  const jar = await cookies();
  if (s.secret) await endSession(s.engine, s.secret, jar.get(COOKIE)?.value);
  jar.delete({ name: COOKIE, path: s.base });
}
