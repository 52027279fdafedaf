#!/usr/bin/env node
// The `cronbound` command: migrate, worker, and the operator commands (cli/index.ts).
//
// It finds the app's queue in a module of the app (--queue, CRONBOUND_QUEUE, or a usual place)
// that exports it as `queue` or as its default export. A TypeScript module is loaded through
// the app's own `tsx` (its tsconfig paths included). `.env.local` and `.env` are read first,
// as `next dev` reads them, so the worker and the CLI see the app's DATABASE_URL.
import { errorFields, jsonLogger } from "../logger.ts";
import { runCli } from "./index.ts";
import { loadEnvFiles, loadQueue } from "./load.ts";

async function main(): Promise<never> {
  const root = process.cwd();
  const argv = process.argv.slice(2);
  let queuePath = process.env.CRONBOUND_QUEUE || undefined;
  while (argv[0]?.startsWith("--queue")) {
    const flag = argv.shift() as string;
    queuePath = flag.includes("=") ? flag.slice(flag.indexOf("=") + 1) : argv.shift();
  }
  loadEnvFiles(root);
  const logger = jsonLogger();

  const stop = new AbortController();
  let firstSignalAt = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    // A Ctrl-C reaches this process several times within milliseconds: from the terminal (the
    // whole process group) and relayed by npm. Only a later signal means "now".
    if (stop.signal.aborted && Date.now() - firstSignalAt < 1_000) return;
    if (stop.signal.aborted) {
      logger.warn({ event: "exit_now", signal }, "second signal: exiting without waiting; running jobs keep their leases until they expire");
      process.exit(1);
    }
    firstSignalAt = Date.now();
    logger.info({ event: "stopping", signal }, "stopping: no new claims; running jobs get the shutdown grace");
    stop.abort();
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  // Something threw outside any job's promise (a handler's stray timer, a library bug). The
  // process state is unknown, so exit as a crash does; the leases it holds bring the jobs back.
  process.on("uncaughtException", (err) => {
    logger.error({ event: "crashed", ...errorFields(err), stack: err?.stack }, "uncaught exception; exiting");
    process.exit(1);
  });

  const code = await runCli(argv, {
    queue: () => loadQueue(root, queuePath),
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
    signal: stop.signal,
    env: process.env,
    logger,
    prog: "cronbound",
  });
  process.exit(code);
}

void main();
