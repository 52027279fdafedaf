import type { Logger } from "../logger.ts";
import type { Queue } from "../queue.ts";
import { type Command } from "./command.ts";
/** Every command, in help order. A new command is one file and one line here. */
export declare const commands: readonly Command[];
export interface CliIo {
    /** The app's queue, loaded when a command first needs it. */
    queue(): Queue | Promise<Queue>;
    out(text: string): void;
    err(text: string): void;
    /** Fires on Ctrl-C / SIGTERM. */
    signal: AbortSignal;
    env?: Record<string, string | undefined>;
    logger?: Logger;
    /** Shown in help and error lines. Default "cronbound". */
    prog?: string;
}
/**
 * Run one command line; returns the exit status. Errors become one line on stderr:
 * 2 for a wrong command line or input (UsageError, InputError), 1 for anything else
 * (database unreachable, configuration invalid).
 */
export declare function runCli(argv: string[], io: CliIo): Promise<number>;
