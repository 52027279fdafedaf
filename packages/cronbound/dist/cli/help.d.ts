import { type Command } from "./command.ts";
export declare const help: Command;
export declare function usageText(prog: string, commands: readonly Command[]): string;
