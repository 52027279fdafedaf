import { parseArgs, type ParseArgsConfig } from "node:util";
import { isJobId } from "../engine/control.ts";
import type { Logger } from "../logger.ts";
import type { Queue } from "../queue.ts";

/** One `cronbound <name> ...` command. Register it in cli/index.ts. */
export interface Command {
  name: string;
  /** Arguments as shown in help: `<type> <json> [--delay-ms N]`. */
  usage: string;
  summary: string;
  run(argv: string[], ctx: CliContext): Promise<void>;
}

export interface CliContext {
  /** The app's queue, loaded on first use (help, usage errors and migrate need none). */
  queue(): Promise<Queue>;
  /** Environment variables (migrate's DATABASE_URL, CRONBOUND_SCHEMA). */
  env: Record<string, string | undefined>;
  /** For commands that log as they go (migrate). */
  logger: Logger;
  out(text: string): void;
  err(text: string): void;
  /** Fires on Ctrl-C / SIGTERM, for commands that run for a while (tick, worker). */
  signal: AbortSignal;
  /** Every registered command (for help). */
  commands: readonly Command[];
  /** How the user runs the CLI ("cronbound", "npm run jobs --"), for help and error lines. */
  prog: string;
}

/** The command line was wrong: exit 2, with the command's usage. */
export class UsageError extends Error {
  readonly exitCode = 2;
}

/** The input was wrong (unknown type, invalid JSON or payload, unknown id, wrong status): exit 2. */
export class InputError extends Error {
  readonly exitCode = 2;
}

type Options = NonNullable<ParseArgsConfig["options"]>;
type Parsed<O extends Options> = ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>>;

/** parseArgs that turns its complaints (unknown option, missing value) into a UsageError. */
export function parse<O extends Options>(argv: string[], options: O, positionals: { min: number; max: number }): Parsed<O> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message.replace(/\s*\n\s*/g, " "));
  }
  const n = parsed.positionals.length;
  if (n < positionals.min) throw new UsageError(`missing argument${positionals.min - n > 1 ? "s" : ""}`);
  if (n > positionals.max) throw new UsageError(`unexpected argument ${JSON.stringify(parsed.positionals[positionals.max])}`);
  return parsed;
}

/** An integer option (`--delay-ms 500`), or undefined when absent. */
export function intOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value)) throw new UsageError(`--${name} takes an integer; got ${JSON.stringify(value)}`);
  return Number(value);
}

export const json = (value: unknown) => JSON.stringify(value, null, 2);

/** The single `<id>` argument of retry, cancel and show. */
export function jobIdArgument(argv: string[]): string {
  const { positionals } = parse(argv, {}, { min: 1, max: 1 });
  const id = positionals[0];
  if (!isJobId(id)) throw new InputError(`${JSON.stringify(id)} is not a job id (a positive integer)`);
  return id;
}
