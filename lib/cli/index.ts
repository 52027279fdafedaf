import { EnvError } from "../env.ts";
import type { PrismaClient } from "../generated/prisma/client.ts";
import type { Registry } from "../jobs/define.ts";
import { cancel } from "./cancel.ts";
import { UsageError, type CliContext, type Command } from "./command.ts";
import { enqueue } from "./enqueue.ts";
import { help, usageText } from "./help.ts";
import { retry } from "./retry.ts";
import { schedules } from "./schedules.ts";
import { show } from "./show.ts";
import { stats } from "./stats.ts";
import { tick } from "./tick.ts";

/** Every `npm run jobs` command, in help order. A new command is one file and one line here. */
export const commands: readonly Command[] = [stats, enqueue, show, retry, cancel, tick, schedules, help];

export interface CliIo {
  db(): PrismaClient;
  registry: Registry;
  out(text: string): void;
  err(text: string): void;
  signal: AbortSignal;
}

/**
 * Run one command line; returns the exit status. Errors become one line on stderr:
 * 2 for a wrong command line or input (UsageError, InputError), 1 for anything else
 * (database unreachable, environment invalid).
 */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const ctx: CliContext = { ...io, commands };
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h") {
    (name ? io.out : io.err)(usageText(commands));
    return name ? 0 : 2;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    io.err(`jobs: unknown command ${JSON.stringify(name)} (commands: ${commands.map((c) => c.name).join(", ")}; see: npm run jobs -- help)`);
    return 2;
  }
  if (rest.includes("--help") || rest.includes("-h")) return runCli(["help", name], io);
  try {
    await command.run(rest, ctx);
    return 0;
  } catch (err) {
    const code = (err as { exitCode?: number }).exitCode;
    if (code === 2) {
      const isUsage = err instanceof UsageError;
      io.err(`jobs ${name}: ${(err as Error).message}${isUsage ? ` (usage: npm run jobs -- ${name} ${command.usage})` : ""}`);
      return 2;
    }
    io.err(`jobs ${name}: ${oneLine(err)}`);
    return 1;
  }
}

/** The first line of an error: Prisma and pg messages can run to a page. */
function oneLine(err: unknown): string {
  if (err instanceof EnvError) return `invalid environment: ${err.problems.join("; ")} (see .env.example)`;
  const e = err as { message?: string; code?: string; cause?: { message?: string } };
  const msg = (e?.message || e?.cause?.message || String(err)).trim().split("\n").filter(Boolean).at(-1) ?? String(err);
  return e?.code && typeof e.code === "string" && !msg.includes(e.code) ? `${msg} (${e.code})` : msg;
}
