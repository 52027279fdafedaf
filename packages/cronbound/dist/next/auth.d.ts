import type { Queue } from "../queue.ts";
export type AuthResult = {
    ok: true;
} | {
    ok: false;
    status: 401 | 503;
    message: string;
};
/**
 * Checks `Authorization: Bearer <secret>`. Both sides are hashed first so timingSafeEqual
 * compares equal-length buffers: the time taken says nothing about the secret's length or
 * how many leading characters matched.
 *
 * No secret configured: production refuses every request (fail closed, 503 with a message an
 * operator can act on); development and test let requests through, so `curl` works locally.
 */
export declare function checkBearer(header: string | null, secret: string | undefined, production: boolean): AuthResult;
/** The response to send when the request may not proceed; null when it may. */
export declare function authResponse(queue: Queue, result: AuthResult): Response | null;
