import { type Command } from "./command.ts";
/** `cronbound schedule list | set ... | remove <name>`: the cron schedules in the database. */
export declare const schedules: Command;
