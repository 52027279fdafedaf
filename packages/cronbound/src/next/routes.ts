import type { Queue } from "../queue.ts";
import { MAX_BODY_BYTES, readJsonBody } from "./body.ts";
import { CONTENT_TYPE, prometheusMetrics } from "../engine/metrics.ts";
import { enqueueFromRequest } from "./enqueue.ts";
import { MAX_PAUSE_BODY_BYTES, pauseFromRequest } from "./pause.ts";
import { json, problem } from "./respond.ts";
import { machineRoute } from "./route.ts";
import { eventFromRequest, jobResponse, MAX_EVENT_BODY_BYTES, parseWaitMs } from "./steps.ts";
import { MAX_TICK_BODY_BYTES, parseTickRequest, runRouteTick } from "./tick.ts";

export interface RouteOptions {
  /**
   * The route's `maxDuration` in seconds: export the same number from the route file. The
   * tick's budget is this minus a safety margin (or less, from getDeadline() on Vercel).
   */
  maxDuration: number;
}

type Handler = (request: Request, ctx: { params: Promise<Record<string, string | string[] | undefined>> }) => Promise<Response>;

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
 *   GET  /api/jobs/stats   counts                                GET  /api/jobs/metrics  Prometheus text format
 *   POST /api/jobs/pause   { type, reason? }                     POST /api/jobs/resume  { type }
 *   POST /api/jobs/events  send an event (webhooks)
 *   GET  /api/jobs/{id}?waitMs=30000  the job once it finished, or after waitMs (long-poll)
 *
 * Each checks `Authorization: Bearer <config.cronSecret>` before anything else (production
 * without a secret: 503, fail closed), and answers JSON, errors included.
 */
export function createRouteHandlers(queue: Queue, options: RouteOptions): RouteHandlers {
  if (!queue || typeof queue.runTick !== "function") throw new TypeError("createRouteHandlers(queue, { maxDuration }): expected a queue from createQueue");
  if (!Number.isFinite(options?.maxDuration) || options.maxDuration <= 0) {
    throw new TypeError("createRouteHandlers(queue, { maxDuration }): maxDuration (seconds) must be the route's own maxDuration export");
  }
  const maxDuration = options.maxDuration;

  const tickGet = machineRoute(queue, "tick", async () => json(await runRouteTick(queue, "cron", {}, maxDuration)));
  const tickPost = machineRoute(queue, "tick", async (request: Request) => {
    const body = await readJsonBody(request, MAX_TICK_BODY_BYTES, { allowEmpty: true });
    if (!body.ok) return body.response;
    const parsed = parseTickRequest(queue, body.value, body.empty);
    if (!parsed.ok) return parsed.response;
    return json(await runRouteTick(queue, "manual", parsed.value, maxDuration));
  });
  const enqueue = machineRoute(queue, "enqueue", async (request: Request) => {
    const body = await readJsonBody(request, MAX_BODY_BYTES);
    if (!body.ok) return body.response;
    const base = new URL(request.url).pathname.replace(/\/+$/, "");
    return enqueueFromRequest(queue, body.value, (id) => `${base}/${id}`);
  });
  const stats = machineRoute(queue, "stats", async () => json(await queue.getStats()));
  const metrics = machineRoute(queue, "metrics", async () =>
    new Response(await prometheusMetrics(queue.engine()), { headers: { "content-type": CONTENT_TYPE, "cache-control": "no-store" } }),
  );
  const pauseOrResume = (action: "pause" | "resume") =>
    machineRoute(queue, action, async (request: Request) => {
      const body = await readJsonBody(request, MAX_PAUSE_BODY_BYTES);
      if (!body.ok) return body.response;
      return pauseFromRequest(queue, action, body.value);
    });
  const job = (id: string) =>
    machineRoute(queue, "get job", async (request: Request) => {
      const wait = parseWaitMs(request.url, maxDuration);
      if (!wait.ok) return wait.response;
      return jobResponse(queue, id, wait.waitMs, request.signal);
    });
  const event = machineRoute(queue, "send event", async (request: Request) => {
    const body = await readJsonBody(request, MAX_EVENT_BODY_BYTES);
    if (!body.ok) return body.response;
    return eventFromRequest(queue, body.value);
  });
  const notFound = machineRoute(queue, "route", async () => problem(404, "not_found", "no such endpoint"));
  const notAllowed = (allow: string) =>
    machineRoute(queue, "route", async () => problem(405, "method_not_allowed", `use ${allow}`, { headers: { allow } }));

  // The catch-all segment, whatever the app named it ([[...path]], [[...route]]).
  const segments = async (ctx: Parameters<Handler>[1]): Promise<string[]> => {
    const params = (await ctx?.params) ?? {};
    const found = Object.values(params).find((v) => Array.isArray(v));
    return (found as string[] | undefined) ?? [];
  };

  return {
    async GET(request, ctx) {
      const [first, ...rest] = await segments(ctx);
      if (rest.length) return notFound(request, ctx);
      if (first === "tick") return tickGet(request, ctx);
      if (first === "stats") return stats(request, ctx);
      if (first === "metrics") return metrics(request, ctx);
      if (first === undefined || first === "events" || first === "pause" || first === "resume") return notAllowed("POST")(request, ctx);
      return job(first)(request, ctx);
    },
    async POST(request, ctx) {
      const [first, ...rest] = await segments(ctx);
      if (rest.length) return notFound(request, ctx);
      if (first === undefined) return enqueue(request, ctx);
      if (first === "tick") return tickPost(request, ctx);
      if (first === "pause" || first === "resume") return pauseOrResume(first)(request, ctx);
      if (first === "events") return event(request, ctx);
      return notAllowed("GET")(request, ctx);
    },
  };
}
