import { runWorker } from "../worker.ts";
import { parse, type Command } from "./command.ts";

/**
 * `cronbound worker`: the long-running worker (a Procfile's `worker:` line). One JSON line per
 * event through the queue's logger. SIGTERM/SIGINT: stop claiming, let running jobs finish
 * within config.worker.shutdownGraceMs, release the rest, exit 0.
 */
export const worker: Command = {
  name: "worker",
  usage: "[--types a,b]",
  summary: "run the long-running worker until SIGTERM/SIGINT (settings: config.worker, or WORKER_* variables)",
  async run(argv, ctx) {
    const { values } = parse(argv, { types: { type: "string" } }, { min: 0, max: 0 });
    const queue = await ctx.queue();
    const types = values.types?.split(",").map((t) => t.trim()).filter(Boolean);
    await runWorker(queue, { signal: ctx.signal, types });
  },
};
