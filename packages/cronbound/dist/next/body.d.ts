/** Largest enqueue request body. Payloads are limited further (MAX_PAYLOAD_BYTES, 256 KiB) by enqueue. */
export declare const MAX_BODY_BYTES: number;
export type BodyResult = {
    ok: true;
    value: unknown;
    empty: boolean;
} | {
    ok: false;
    response: Response;
};
/**
 * Reads a JSON body of at most `limit` bytes. A Content-Length over the limit is refused
 * before anything is read; without one (chunked), reading stops as soon as the limit is
 * passed, so an oversized body never sits in memory whole. An empty body is malformed JSON
 * (400) unless `allowEmpty`, then it reads as `empty: true`.
 */
export declare function readJsonBody(request: Request, limit: number, options?: {
    allowEmpty?: boolean;
}): Promise<BodyResult>;
