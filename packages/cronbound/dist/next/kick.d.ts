import type { Queue } from "../queue.ts";
import type { TickReport } from "../engine/types.ts";
/**
 * Budget beyond the kicked job's timeout: the kick claims only while the job's whole timeout
 * still fits, which is during its first KICK_SLACK_MS. Enough for the first claim (with
 * maintenance skipped it comes right after the tick starts), small so a kick does not turn
 * into a backlog drain on the request's function.
 */
export declare const KICK_SLACK_MS = 250;
export interface KickOptions {
    /**
     * The `maxDuration` (seconds) of the route or page whose server action kicks: on Vercel,
     * work in `after()` lives within it. Export the same number as that page's `maxDuration`.
     */
    maxDuration: number;
}
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
export declare function kick(queue: Queue, job: {
    type: string;
    timeoutMs: number;
}, options: KickOptions): Promise<TickReport | null>;
