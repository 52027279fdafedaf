import { problem } from "./respond.js";
/** Largest enqueue request body. Payloads are limited further (MAX_PAYLOAD_BYTES, 256 KiB) by enqueue. */
export const MAX_BODY_BYTES = 1024 * 1024;
// `Connection: close`: the rest of the body is left unread, so the connection cannot carry
// another request; without it a keep-alive client's next request on it fails (ECONNRESET).
const tooLarge = (limit) => ({
    ok: false,
    response: problem(413, "too_large", `request body is larger than ${limit} bytes`, { headers: { connection: "close" } }),
});
/**
 * Reads a JSON body of at most `limit` bytes. A Content-Length over the limit is refused
 * before anything is read; without one (chunked), reading stops as soon as the limit is
 * passed, so an oversized body never sits in memory whole. An empty body is malformed JSON
 * (400) unless `allowEmpty`, then it reads as `empty: true`.
 */
export async function readJsonBody(request, limit, options = {}) {
    const declared = request.headers.get("content-length");
    if (declared !== null && Number(declared) > limit)
        return tooLarge(limit);
    const chunks = [];
    let size = 0;
    if (request.body) {
        const reader = request.body.getReader();
        for (;;) {
            const { done, value } = await reader.read();
            if (done)
                break;
            size += value.byteLength;
            if (size > limit) {
                await reader.cancel().catch(() => { });
                return tooLarge(limit);
            }
            chunks.push(value);
        }
    }
    const text = Buffer.concat(chunks).toString("utf8");
    if (text.trim() === "") {
        if (options.allowEmpty)
            return { ok: true, value: undefined, empty: true };
        return { ok: false, response: problem(400, "malformed_json", "request body is empty; expected JSON") };
    }
    try {
        return { ok: true, value: JSON.parse(text), empty: false };
    }
    catch (err) {
        return { ok: false, response: problem(400, "malformed_json", `request body is not valid JSON: ${err.message}`) };
    }
}
