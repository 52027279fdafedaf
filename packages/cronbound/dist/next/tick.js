import { getDeadline } from "@vercel/functions";
import { z } from "zod";
import { toIssues } from "../engine/errors.js";
import { defaultWorkerId } from "../engine/tick/run.js";
import { tickBudgetMs } from "./budget.js";
import { problem } from "./respond.js";
/** Largest manual-trigger body; it only narrows the run. */
export const MAX_TICK_BODY_BYTES = 16 * 1024;
/**
 * The manual trigger's optional body. `budgetMs` can only shorten the budget the platform allows;
 * `batchSize` and `concurrency` replace the config's for this run.
 */
export const tickRequestSchema = z.strictObject({
    budgetMs: z.number().int().min(1).max(800_000).optional(),
    batchSize: z.number().int().min(1).max(1000).optional(),
    concurrency: z.number().int().min(1).max(500).optional(),
    types: z.array(z.string().min(1)).min(1).max(100).optional(),
});
/** An absent body is an ordinary tick; anything else must match the schema (400 if not). */
export function parseTickRequest(queue, body, empty) {
    if (empty)
        return { ok: true, value: {} };
    const parsed = tickRequestSchema.safeParse(body);
    if (!parsed.success) {
        return { ok: false, response: problem(400, "invalid_request", "invalid tick request body", { issues: toIssues(parsed.error) }) };
    }
    const unknown = (parsed.data.types ?? []).filter((t) => !queue.registry.get(t));
    if (unknown.length) {
        const known = queue.registry.names().join(", ");
        return {
            ok: false,
            response: problem(400, "invalid_request", `unknown job type(s): ${unknown.join(", ")} (known: ${known})`, {
                issues: [{ path: ["types"], message: `unknown job type(s): ${unknown.join(", ")}` }],
            }),
        };
    }
    return { ok: true, value: parsed.data };
}
/**
 * One tick for the cron route or the manual trigger. The budget is the platform's limit
 * (getDeadline() on Vercel, else maxDuration) minus a safety margin, capped by config.tickBudgetMs
 * and by the request. Errors (the database went away) propagate: the route answers 503.
 */
export async function runRouteTick(queue, trigger, request, maxDurationS) {
    const budgetMs = tickBudgetMs({
        maxDurationS,
        deadline: getDeadline(),
        override: queue.config.tickBudgetMs,
        requested: request.budgetMs,
    });
    // batchSize, concurrency and the lease grace come from the queue's config unless the request narrows them.
    const report = await queue.runTick({
        budgetMs,
        batchSize: request.batchSize,
        concurrency: request.concurrency,
        types: request.types,
        workerId: `${trigger}:${defaultWorkerId()}`,
    });
    // One line per tick: what Vercel's log view shows for each cron run.
    queue.logger.info({ event: "tick", trigger, budgetMs, ...report }, "cronbound tick");
    return report;
}
