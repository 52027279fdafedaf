// Real processes for the worker, CLI and dev-command tests: the `cronbound` bin as an app runs
// it (`npm run worker`, `npm run jobs -- ...`, the Procfile), and `node --import tsx <script>`
// for the app's own scripts (npm run dev), without npm in between.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

export const ROOT = path.resolve(import.meta.dirname, "../..");
/** The installed bin (a link to the package's bin/cronbound.js), run by node as its shebang would. */
export const BIN = path.join(ROOT, "node_modules", ".bin", "cronbound");

export interface Proc {
  proc: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Parsed JSON lines of stdout and stderr (the worker's log), in order of arrival. */
  records(): Record<string, unknown>[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `node --import tsx <script> ...args` in the project folder. */
export function spawnScript(script: string, args: string[], env: Record<string, string | undefined>, options: { detached?: boolean } = {}): Proc {
  return spawnNode(["--import", "tsx", script, ...args], env, options);
}

/**
 * `cronbound ...args` in the project folder: the bin finds the app's queue (lib/cronbound.ts,
 * or `--queue <module>` first in args) and loads it through the app's tsx.
 */
export function spawnBin(args: string[], env: Record<string, string | undefined>, options: { detached?: boolean } = {}): Proc {
  return spawnNode([BIN, ...args], env, options);
}

function spawnNode(argv: string[], env: Record<string, string | undefined>, options: { detached?: boolean }): Proc {
  let out = "";
  let err = "";
  const records: Record<string, unknown>[] = [];
  const proc = spawn(process.execPath, argv, {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: "test", NEXT_TELEMETRY_DISABLED: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: options.detached,
  });
  const collect = (chunk: string, partial: { buf: string }) => {
    partial.buf += chunk;
    let i;
    while ((i = partial.buf.indexOf("\n")) >= 0) {
      const line = partial.buf.slice(0, i);
      partial.buf = partial.buf.slice(i + 1);
      if (line.startsWith("{")) {
        try {
          records.push(JSON.parse(line));
        } catch {
          // not a log record
        }
      }
    }
  };
  const po = { buf: "" };
  const pe = { buf: "" };
  proc.stdout!.setEncoding("utf8").on("data", (d: string) => ((out += d), collect(d, po)));
  proc.stderr!.setEncoding("utf8").on("data", (d: string) => ((err += d), collect(d, pe)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.once("close", (code, signal) => resolve({ code, signal })),
  );
  return { proc, stdout: () => out, stderr: () => err, records: () => records, exited };
}

/** Run a script to completion. */
export async function runScript(script: string, args: string[], env: Record<string, string | undefined>) {
  return finished(spawnScript(script, args, env));
}

/** Run `cronbound ...args` to completion. */
export async function runBin(args: string[], env: Record<string, string | undefined>) {
  return finished(spawnBin(args, env));
}

async function finished(p: Proc) {
  const { code } = await p.exited;
  return { code, stdout: p.stdout(), stderr: p.stderr() };
}

/** Poll `check` every 50 ms until it returns a truthy value; fail after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs = 20_000): Promise<NonNullable<T>> {
  const started = Date.now();
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${last})` : ""}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
