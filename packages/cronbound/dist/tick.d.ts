import type { Queue } from "./queue.ts";
import { type TickOptions } from "./engine/tick/run.ts";
import type { TickReport } from "./engine/types.ts";
export { defaultWorkerId, type JobEvent, type TickOptions } from "./engine/tick/run.ts";
/** One tick of `queue` (the same as `queue.runTick(options)`): maintenance, then claim and run due jobs within `budgetMs`. */
export declare function runTick(queue: Queue, options: TickOptions): Promise<TickReport>;
