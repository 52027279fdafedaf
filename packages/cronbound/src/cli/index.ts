import type { Logger } from "../logger.ts";
import { jsonLogger } from "../logger.ts";
import type { Queue } from "../queue.ts";
import { cancel } from "./cancel.ts";
import { UsageError, type CliContext, type Command } from "./command.ts";
import { enqueue } from "./enqueue.ts";
import { help, usageText } from "./help.ts";
import { limits } from "./limits.ts";
import { migrate } from "./migrate.ts";
import { pause, resume } from "./pause.ts";
import { retry } from "./retry.ts";
import { schedules } from "./schedules.ts";
import { show } from "./show.ts";
import { stats } from "./stats.ts";
import { tick } from "./tick.ts";
import { worker } from "./worker.ts";

/** Every command, in help order. A new command is one file and one line here. */
export const commands: readonly Command[] = [migrate, worker, stats, enqueue, show, retry, cancel, pause, resume, limits, tick, schedules, help];

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
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const prog = io.prog ?? "cronbound";
  let loaded: Promise<Queue> | undefined;
  const ctx: CliContext = {
    queue: () => (loaded ??= Promise.resolve().then(io.queue)),
    env: io.env ?? {},
    logger: io.logger ?? jsonLogger(),
    out: io.out,
    err: io.err,
    signal: io.signal,
    commands,
    prog,
  };
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h") {
    (name ? io.out : io.err)(usageText(prog, commands));
    return name ? 0 : 2;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    io.err(`${prog}: unknown command ${JSON.stringify(name)} (commands: ${commands.map((c) => c.name).join(", ")}; see: ${prog} help)`);
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
      io.err(`${prog} ${name}: ${(err as Error).message}${isUsage ? ` (usage: ${prog} ${name} ${command.usage})` : ""}`);
      return 2;
    }
    io.err(`${prog} ${name}: ${oneLine(err)}`);
    return 1;
  }
}

/** The first line of an error: Prisma and pg messages can run to a page. */
function oneLine(err: unknown): string {
  const e = err as { name?: string; message?: string; code?: string; cause?: { message?: string }; problems?: string[] };
  if ((e?.name === "ConfigError" || e?.name === "EnvError") && Array.isArray(e.problems)) return `invalid configuration: ${e.problems.join("; ")}`;
  const msg = (e?.message || e?.cause?.message || String(err)).trim().split("\n").filter(Boolean).at(-1) ?? String(err);
  return e?.code && typeof e.code === "string" && !msg.includes(e.code) ? `${msg} (${e.code})` : msg;
}

export { loadEnvFiles, loadQueue } from "./load.ts";
