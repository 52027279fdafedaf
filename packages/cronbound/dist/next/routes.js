import { MAX_BODY_BYTES, readJsonBody } from "./body.js";
import { enqueueFromRequest } from "./enqueue.js";
import { json, problem } from "./respond.js";
import { machineRoute } from "./route.js";
import { jobJson } from "./serialize.js";
import { MAX_TICK_BODY_BYTES, parseTickRequest, runRouteTick } from "./tick.js";
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
export function createRouteHandlers(queue, options) {
    if (!queue || typeof queue.runTick !== "function")
        throw new TypeError("createRouteHandlers(queue, { maxDuration }): expected a queue from createQueue");
    if (!Number.isFinite(options?.maxDuration) || options.maxDuration <= 0) {
        throw new TypeError("createRouteHandlers(queue, { maxDuration }): maxDuration (seconds) must be the route's own maxDuration export");
    }
    const maxDuration = options.maxDuration;
    const tickGet = machineRoute(queue, "tick", async () => json(await runRouteTick(queue, "cron", {}, maxDuration)));
    const tickPost = machineRoute(queue, "tick", async (request) => {
        const body = await readJsonBody(request, MAX_TICK_BODY_BYTES, { allowEmpty: true });
        if (!body.ok)
            return body.response;
        const parsed = parseTickRequest(queue, body.value, body.empty);
        if (!parsed.ok)
            return parsed.response;
        return json(await runRouteTick(queue, "manual", parsed.value, maxDuration));
    });
    const enqueue = machineRoute(queue, "enqueue", async (request) => {
        const body = await readJsonBody(request, MAX_BODY_BYTES);
        if (!body.ok)
            return body.response;
        const base = new URL(request.url).pathname.replace(/\/+$/, "");
        return enqueueFromRequest(queue, body.value, (id) => `${base}/${id}`);
    });
    const stats = machineRoute(queue, "stats", async () => json(await queue.getStats()));
    const job = (id) => machineRoute(queue, "get job", async () => {
        const found = await queue.getJob(id);
        return found ? json(jobJson(found)) : problem(404, "not_found", `no job ${JSON.stringify(id)}`);
    });
    const notFound = machineRoute(queue, "route", async () => problem(404, "not_found", "no such endpoint"));
    const notAllowed = (allow) => machineRoute(queue, "route", async () => problem(405, "method_not_allowed", `use ${allow}`, { headers: { allow } }));
    // The catch-all segment, whatever the app named it ([[...path]], [[...route]]).
    const segments = async (ctx) => {
        const params = (await ctx?.params) ?? {};
        const found = Object.values(params).find((v) => Array.isArray(v));
        return found ?? [];
    };
    return {
        async GET(request, ctx) {
            const [first, ...rest] = await segments(ctx);
            if (rest.length)
                return notFound(request, ctx);
            if (first === "tick")
                return tickGet(request, ctx);
            if (first === "stats")
                return stats(request, ctx);
            if (first === undefined)
                return notAllowed("POST")(request, ctx);
            return job(first)(request, ctx);
        },
        async POST(request, ctx) {
            const [first, ...rest] = await segments(ctx);
            if (rest.length)
                return notFound(request, ctx);
            if (first === undefined)
                return enqueue(request, ctx);
            if (first === "tick")
                return tickPost(request, ctx);
            return notAllowed("GET")(request, ctx);
        },
    };
}
