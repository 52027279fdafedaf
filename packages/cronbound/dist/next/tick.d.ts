import { z } from "zod";
import type { TickReport } from "../engine/types.ts";
import type { Queue } from "../queue.ts";
/** Largest manual-trigger body; it only narrows the run. */
export declare const MAX_TICK_BODY_BYTES: number;
/**
 * The manual trigger's optional body. `budgetMs` can only shorten the budget the platform allows;
 * `batchSize` and `concurrency` replace the config's for this run.
 */
export declare const tickRequestSchema: z.ZodObject<{
    budgetMs: z.ZodOptional<z.ZodNumber>;
    batchSize: z.ZodOptional<z.ZodNumber>;
    concurrency: z.ZodOptional<z.ZodNumber>;
    types: z.ZodOptional<z.ZodArray<z.ZodString>>;
}, z.core.$strict>;
export type TickRequest = z.infer<typeof tickRequestSchema>;
export type ParsedTickRequest = {
    ok: true;
    value: TickRequest;
} | {
    ok: false;
    response: Response;
};
/** An absent body is an ordinary tick; anything else must match the schema (400 if not). */
export declare function parseTickRequest(queue: Queue, body: unknown, empty: boolean): ParsedTickRequest;
/**
 * One tick for the cron route or the manual trigger. The budget is the platform's limit
 * (getDeadline() on Vercel, else maxDuration) minus a safety margin, capped by config.tickBudgetMs
 * and by the request. Errors (the database went away) propagate: the route answers 503.
 */
export declare function runRouteTick(queue: Queue, trigger: "cron" | "manual", request: TickRequest, maxDurationS: number): Promise<TickReport>;
