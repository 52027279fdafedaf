import { jsonLogger } from "../logger.js";
import { cancel } from "./cancel.js";
import { UsageError } from "./command.js";
import { enqueue } from "./enqueue.js";
import { help, usageText } from "./help.js";
import { migrate } from "./migrate.js";
import { retry } from "./retry.js";
import { schedules } from "./schedules.js";
import { show } from "./show.js";
import { stats } from "./stats.js";
import { tick } from "./tick.js";
import { worker } from "./worker.js";
/** Every command, in help order. A new command is one file and one line here. */
export const commands = [migrate, worker, stats, enqueue, show, retry, cancel, tick, schedules, help];
/**
 * Run one command line; returns the exit status. Errors become one line on stderr:
 * 2 for a wrong command line or input (UsageError, InputError), 1 for anything else
 * (database unreachable, configuration invalid).
 */
export async function runCli(argv, io) {
    const prog = io.prog ?? "cronbound";
    let loaded;
    const ctx = {
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
    if (rest.includes("--help") || rest.includes("-h"))
        return runCli(["help", name], io);
    try {
        await command.run(rest, ctx);
        return 0;
    }
    catch (err) {
        const code = err.exitCode;
        if (code === 2) {
            const isUsage = err instanceof UsageError;
            io.err(`${prog} ${name}: ${err.message}${isUsage ? ` (usage: ${prog} ${name} ${command.usage})` : ""}`);
            return 2;
        }
        io.err(`${prog} ${name}: ${oneLine(err)}`);
        return 1;
    }
}
/** The first line of an error: Prisma and pg messages can run to a page. */
function oneLine(err) {
    const e = err;
    if ((e?.name === "ConfigError" || e?.name === "EnvError") && Array.isArray(e.problems))
        return `invalid configuration: ${e.problems.join("; ")}`;
    const msg = (e?.message || e?.cause?.message || String(err)).trim().split("\n").filter(Boolean).at(-1) ?? String(err);
    return e?.code && typeof e.code === "string" && !msg.includes(e.code) ? `${msg} (${e.code})` : msg;
}
