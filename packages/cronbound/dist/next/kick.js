import { getDeadline } from "@vercel/functions";
import { errorFields } from "../logger.js";
import { defaultWorkerId } from "../engine/tick/run.js";
import { tickBudgetMs } from "./budget.js";
/**
 * Budget beyond the kicked job's timeout: the kick claims only while the job's whole timeout
 * still fits, which is during its first KICK_SLACK_MS. Enough for the first claim (with
 * maintenance skipped it comes right after the tick starts), small so a kick does not turn
 * into a backlog drain on the request's function.
 */
export const KICK_SLACK_MS = 250;
/**
 * The kick: a short tick right after an enqueue (run it in Next's `after()`), so a job starts
 * in milliseconds instead of at the next cron minute:
 *
 *   const { job } = await queue.enqueue("send-email", payload);
 *   after(() => kick(queue, job, { maxDuration }));
 *
 * Its budget is the job's timeout plus KICK_SLACK_MS: the tick never claims a job whose
 * timeout does not fit in the time left (docs/ARCHITECTURE.md, invariant 1), so a budget of "a few
 * seconds" would never start a 10-second job. With batch size and concurrency 1, it runs one
 * job at a time and starts none once KICK_SLACK_MS has passed: usually exactly one job. It
 * takes the next due job of that type (priority, then age), which is the one just enqueued
 * unless a backlog is waiting; the cron tick works through a backlog in order.
 *
 * Maintenance (rescue, schedules, retention) is left to the cron tick: it would add round
 * trips before the job starts. A kick never throws: its failure only means the job waits
 * for the next tick.
 */
export async function kick(queue, job, options) {
    try {
        const budgetMs = tickBudgetMs({
            maxDurationS: options.maxDuration,
            deadline: getDeadline(),
            override: queue.config.tickBudgetMs,
            requested: job.timeoutMs + KICK_SLACK_MS,
        });
        if (budgetMs <= job.timeoutMs)
            return null; // it would not fit; the cron tick will run it
        const report = await queue.runTick({
            budgetMs,
            batchSize: 1,
            concurrency: 1,
            types: [job.type],
            skipMaintenance: true,
            workerId: `kick:${defaultWorkerId()}`,
        });
        queue.logger.info({ event: "kick", type: job.type, budgetMs, ...report }, "cronbound kick");
        return report;
    }
    catch (err) {
        queue.logger.error({ event: "kick_failed", type: job.type, ...errorFields(err) }, `kick after enqueueing a ${job.type} job failed; the next tick will run it`);
        return null;
    }
}
