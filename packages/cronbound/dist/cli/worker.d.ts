import { type Command } from "./command.ts";
/**
 * `cronbound worker`: the long-running worker (a Procfile's `worker:` line). One JSON line per
 * event through the queue's logger. SIGTERM/SIGINT: stop claiming, let running jobs finish
 * within config.worker.shutdownGraceMs, release the rest, exit 0.
 */
export declare const worker: Command;
