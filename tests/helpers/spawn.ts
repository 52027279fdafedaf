// Real processes for the worker, CLI and dev-command tests: `node --import tsx <script>`,
// the same code path as the npm scripts without npm in between.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

export const ROOT = path.resolve(import.meta.dirname, "../..");

export interface Proc {
  proc: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Parsed JSON lines of stdout and stderr (the worker's log), in order of arrival. */
  records(): Record<string, unknown>[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function spawnScript(script: string, args: string[], env: Record<string, string | undefined>, options: { detached?: boolean } = {}): Proc {
  let out = "";
  let err = "";
  const records: Record<string, unknown>[] = [];
  const proc = spawn(process.execPath, ["--import", "tsx", script, ...args], {
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
  const p = spawnScript(script, args, env);
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
