import type { Queue } from "../queue.ts";
export interface RouteOptions {
    /**
     * The route's `maxDuration` in seconds: export the same number from the route file. The
     * tick's budget is this minus a safety margin (or less, from getDeadline() on Vercel).
     */
    maxDuration: number;
}
type Handler = (request: Request, ctx: {
    params: Promise<Record<string, string | string[] | undefined>>;
}) => Promise<Response>;
export interface RouteHandlers {
    GET: Handler;
    POST: Handler;
}
/**
 * Every machine endpoint of cronbound in one catch-all route file:
 *
 *   // app/api/jobs/[[...path]]/route.ts
 *   export const maxDuration = 300;
 *   export const { GET, POST } = createRouteHandlers(queue, { maxDuration });
 *
 *   GET  /api/jobs/tick    the cron tick (Vercel Cron)           POST /api/jobs/tick   manual tick
 *   POST /api/jobs         enqueue                               GET  /api/jobs/{id}   one job
 *   GET  /api/jobs/stats   counts
 *
 * Each checks `Authorization: Bearer <config.cronSecret>` before anything else (production
 * without a secret: 503, fail closed), and answers JSON, errors included.
 */
export declare function createRouteHandlers(queue: Queue, options: RouteOptions): RouteHandlers;
export {};
