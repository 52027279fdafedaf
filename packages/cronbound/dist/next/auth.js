import { createHash, timingSafeEqual } from "node:crypto";
import { problem } from "./respond.js";
const sha256 = (s) => createHash("sha256").update(s, "utf8").digest();
/**
 * Checks `Authorization: Bearer <secret>`. Both sides are hashed first so timingSafeEqual
 * compares equal-length buffers: the time taken says nothing about the secret's length or
 * how many leading characters matched.
 *
 * No secret configured: production refuses every request (fail closed, 503 with a message an
 * operator can act on); development and test let requests through, so `curl` works locally.
 */
export function checkBearer(header, secret, production) {
    if (!secret) {
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
/** The response to send when the request may not proceed; null when it may. */
export function authResponse(queue, result) {
    if (result.ok)
        return null;
    if (result.status === 503) {
        // Logged on every refused call (each cron minute), so the operator sees it in the logs.
        queue.logger.error({ event: "not_configured" }, `refused a request to a job endpoint: ${result.message}`);
        return problem(503, "not_configured", result.message);
    }
    // 401 with no data (docs/ARCHITECTURE.md, the HTTP contract).
    return problem(401, "unauthorized", "unauthorized", { headers: { "www-authenticate": 'Bearer realm="cronbound"' } });
}
