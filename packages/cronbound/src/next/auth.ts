import { createHash, timingSafeEqual } from "node:crypto";
import type { Queue } from "../queue.ts";
import { problem } from "./respond.ts";

export type AuthResult = { ok: true } | { ok: false; status: 401 | 503; message: string };

const sha256 = (s: string) => createHash("sha256").update(s, "utf8").digest();

/**
 * Checks `Authorization: Bearer <secret>`. Both sides are hashed first so timingSafeEqual
 * compares equal-length buffers: the time taken says nothing about the secret's length or
 * how many leading characters matched.
 *
 * No secret configured: refused (fail closed, 503 with a message an operator can act on),
 * except in development (`production` false) for a request from this machine (`local`, see
 * isLoopbackRequest), so `curl` works locally and nobody else on the network can tick.
 */
export function checkBearer(header: string | null, secret: string | undefined, production: boolean, local = false): AuthResult {
  if (!secret) {
    if (!production && !local) {
      // Development without a secret lets only this machine in; anyone else: 401, no data.
      return { ok: false, status: 401, message: "unauthorized" };
    }
    if (production) {
      return {
        ok: false,
        status: 503,
        message: "CRON_SECRET is not set: the job endpoints are disabled in production until it is (at least 16 characters; Vercel Cron sends it as a Bearer token)",
      };
    }
    return { ok: true };
  }
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? "");
  // Hash even when the header is missing, so a missing and a wrong token cost the same.
  const given = sha256(match?.[1] ?? "");
  const ok = timingSafeEqual(given, sha256(secret)) && match !== null;
  return ok ? { ok: true } : { ok: false, status: 401, message: "unauthorized" };
}

const LOOPBACK_HOST = /^(localhost|127(\.\d{1,3}){3}|\[::1\])(:\d{1,5})?$/i;
const LOOPBACK_ADDRESS = /^(127(\.\d{1,3}){3}|::1|::ffff:127(\.\d{1,3}){3})$/i;

interface HeaderBag {
  get(name: string): string | null;
}

/**
 * True when the request came to this machine's loopback interface from this machine: its Host
 * is localhost, 127.x or [::1], and every X-Forwarded-For address is a loopback one (`next
 * start` and `next dev` fill that header in with the socket's address when no proxy did). A
 * request with no Host header is judged by `url`'s host.
 *
 * Headers can be forged by anyone who can reach the server, so this is a second line: the first
 * is that development servers listen on 127.0.0.1 only (`npm run dev`, docs/SECURITY.md).
 */
export function isLoopbackRequest(h: HeaderBag, url?: string): boolean {
  let host = h.get("host");
  if (host === null && url) {
    try {
      host = new URL(url).host;
    } catch {
      host = null;
    }
  }
  if (!host || !LOOPBACK_HOST.test(host)) return false;
  const forwarded = h.get("x-forwarded-for");
  if (forwarded === null) return true;
  return forwarded.split(",").every((a) => LOOPBACK_ADDRESS.test(a.trim()));
}

/** The client's address as the nearest proxy reports it (X-Forwarded-For's first entry), for rate limits and logs. */
export function clientAddress(h: HeaderBag): string {
  const first = h.get("x-forwarded-for")?.split(",")[0].trim() ?? "";
  return /^[0-9A-Fa-f:.]{2,45}$/.test(first) ? first : "unknown";
}

/** The response to send when the request may not proceed; null when it may. */
export function authResponse(queue: Queue, result: AuthResult): Response | null {
  if (result.ok) return null;
  if (result.status === 503) {
    // Logged on every refused call (each cron minute), so the operator sees it in the logs.
    queue.logger.error({ event: "not_configured" }, `refused a request to a job endpoint: ${result.message}`);
    return problem(503, "not_configured", result.message);
  }
  // 401 with no data (docs/ARCHITECTURE.md, the HTTP contract).
  return problem(401, "unauthorized", "unauthorized", { headers: { "www-authenticate": 'Bearer realm="cronbound"' } });
}
