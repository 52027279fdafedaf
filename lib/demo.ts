import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { headers } from "next/headers";
import { engineOf, rateLimitHit } from "cronbound/engine";
import { clientAddress } from "cronbound/next";
import { queue } from "./cronbound.ts";
import { env } from "./env.ts";

// The demo page's public server actions (app/actions.ts) are POST endpoints anyone can call.
// Outside development they are off unless the operator sets DEMO_ENABLED=1; when on, each
// enqueue is rate-limited per client and in total, in PostgreSQL (cronbound's rate_limits
// table), and the status lookup takes a per-job token the enqueue returned (docs/SECURITY.md).

export type DemoRefusal = "off" | "limited";

/** Why the demo refuses to run this request, or null when it may. */
export async function demoRefusal(): Promise<DemoRefusal | null> {
  const e = env();
  if (!demoOn()) {
    if (e.DEMO_ENABLED === "1") console.error("[app] DEMO_ENABLED=1 needs DEMO_STATUS_SECRET or CRON_SECRET to sign job status tokens; the demo stays off");
    return "off";
  }
  const client = clientAddress(await headers());
  const hit = await rateLimitHit(
    engineOf(queue),
    [
      { key: `demo-enqueue:client:${client}`, max: e.DEMO_RATE_PER_CLIENT },
      { key: "demo-enqueue:all", max: e.DEMO_RATE_TOTAL },
    ],
    { windowMs: e.DEMO_RATE_WINDOW_MS },
  );
  if (hit.ok) return null;
  console.warn(`[app] demo enqueue refused: rate limit ${hit.limitedBy} (client ${client})`);
  return "limited";
}

/** True when the demo's actions may run at all (the status lookup has no rate limit of its own: its token is the check). */
export function demoOn(): boolean {
  const e = env();
  return e.NODE_ENV === "development" || (e.DEMO_ENABLED === "1" && statusKey() !== null);
}

function statusKey(): Buffer | null {
  const e = env();
  const secret = e.DEMO_STATUS_SECRET ?? (e.CRON_SECRET ? `demo-status:${e.CRON_SECRET}` : null);
  if (secret) return createHash("sha256").update(secret).digest();
  // Development without secrets: a fixed key is enough for a page only this machine reaches.
  return e.NODE_ENV === "development" ? createHash("sha256").update("cronbound development demo").digest() : null;
}

/** The token the enqueue returns with a job id: HMAC-SHA256(key, "demo-job:<id>"), base64url. */
export function statusToken(id: string): string {
  const key = statusKey();
  if (!key) throw new Error("no key to sign demo status tokens (DEMO_STATUS_SECRET or CRON_SECRET)");
  return createHmac("sha256", key).update(`demo-job:${id}`).digest("base64url");
}

export function statusTokenValid(id: string, token: unknown): boolean {
  if (typeof token !== "string" || !/^[A-Za-z0-9_-]{43}$/.test(token) || !statusKey()) return false;
  return timingSafeEqual(Buffer.from(token), Buffer.from(statusToken(id)));
}
