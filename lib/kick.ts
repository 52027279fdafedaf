import { getDeadline } from "@vercel/functions";
import { env } from "./env.ts";
import { tickBudgetMs } from "./http/budget.ts";
import { defaultWorkerId } from "./jobs/tick.ts";
import type { TickReport } from "./jobs/types.ts";
import { queue } from "./queue.ts";

/**
 * The page whose server actions kick exports this as its `maxDuration` (app/page.tsx; Next
 * reads only a literal there, and a test keeps the two equal). On Vercel, work in `after()`
 * lives within it. 90 s covers the longest demo timeout (process-upload, 60 s) plus margin.
 */
export const KICK_MAX_DURATION_S = 90;

/**
 * Budget beyond the kicked job's timeout: the kick claims only while the job's whole timeout
 * still fits, which is during its first KICK_SLACK_MS. Enough for the first claim (with
 * maintenance skipped it comes right after the tick starts), small so a kick does not turn
 * into a backlog drain on the request's function.
 */
export const KICK_SLACK_MS = 250;

/**
 * The kick: a short tick right after an enqueue (run it in Next's `after()`), so a job starts
 * in milliseconds instead of at the next cron minute.
 *
 * Its budget is the job's timeout plus KICK_SLACK_MS: the tick never claims a job whose
 * timeout does not fit in the time left (DESIGN.md, invariant 1), so a budget of "a few
 * seconds" would never start a send-email (10 s timeout). With batch size and concurrency 1,
 * it runs one job at a time and starts none once KICK_SLACK_MS has passed: usually exactly
 * one job. It takes the next due job of that type (priority, then age), which is the one just
 * enqueued unless a backlog is waiting; the cron tick works through a backlog in order.
 *
 * Maintenance (rescue, schedules, retention) is left to the cron tick: it would add round
 * trips before the job starts. A kick never throws: its failure only means the job waits
 * for the next tick.
 */
export async function kick(job: { type: string; timeoutMs: number }): Promise<TickReport | null> {
  try {
    const e = env();
    const budgetMs = tickBudgetMs({
      maxDurationS: KICK_MAX_DURATION_S,
      deadline: getDeadline(),
      override: e.TICK_BUDGET_MS,
      requested: job.timeoutMs + KICK_SLACK_MS,
    });
    if (budgetMs <= job.timeoutMs) return null; // it would not fit; the cron tick will run it
    const report = await queue.runTick({
      budgetMs,
      batchSize: 1,
      concurrency: 1,
      types: [job.type],
      graceMs: e.LEASE_GRACE_MS,
      skipMaintenance: true,
      workerId: `kick:${defaultWorkerId()}`,
    });
    console.log(JSON.stringify({ msg: "cronbound kick", type: job.type, budgetMs, ...report }));
    return report;
  } catch (err) {
    console.error(`[cronbound] kick after enqueueing a ${job.type} job failed; the next tick will run it:`, err);
    return null;
  }
}
