import { runTick as runEngineTick } from "./engine/tick/run.js";
export { defaultWorkerId } from "./engine/tick/run.js";
/** One tick of `queue` (the same as `queue.runTick(options)`): maintenance, then claim and run due jobs within `budgetMs`. */
export function runTick(queue, options) {
    return runEngineTick(queue.engine(), options);
}
