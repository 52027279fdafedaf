import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import path from "node:path";
import readline from "node:readline";

export interface NextDev {
  proc: ChildProcess;
  /** Resolves with the exit code when `next dev` ends (by itself or by stop()). */
  exited: Promise<number>;
  stop(): Promise<void>;
  /** Synchronous last resort for process.on("exit"). */
  kill(): void;
}

/**
 * `next dev` in its own process group. The server runs in a child of the `next` process,
 * and stopping only the parent would leave that child serving, so stop() signals the group.
 * Being its own group also keeps a terminal Ctrl-C away from it: the dev command stops it,
 * in order, before the database.
 */
export function startNextDev(root: string, port: number, env: NodeJS.ProcessEnv, hostname = "127.0.0.1"): NextDev {
  const bin = path.join(root, "node_modules", "next", "dist", "bin", "next");
  // -H: the address it listens on; 127.0.0.1 unless the developer asked for another (DEV_HOST).
  const proc = spawn(process.execPath, [bin, "dev", "-H", hostname, "-p", String(port)], {
    cwd: root,
    // Piped output loses next's colours unless asked for; telemetry would only try the network.
    env: { NEXT_TELEMETRY_DISABLED: "1", ...(process.stdout.isTTY ? { FORCE_COLOR: "1" } : {}), ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  for (const [from, to] of [[proc.stdout, process.stdout], [proc.stderr, process.stderr]] as const) {
    readline.createInterface({ input: from! }).on("line", (line) => {
      if (!isIdleTickNoise(line)) to.write(`${line}\n`);
    });
  }
  const exited = new Promise<number>((resolve) => proc.once("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0))));
  const group = (signal: NodeJS.Signals) => {
    try {
      process.kill(-(proc.pid as number), signal);
    } catch {
      // the group is gone
    }
  };
  return {
    proc,
    exited,
    kill: () => group("SIGKILL"),
    async stop() {
      group("SIGTERM");
      const timer = setTimeout(() => group("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
      group("SIGKILL"); // whatever of the group outlived the parent
    },
  };
}

/** Resolves once something accepts TCP connections on host:port (no request is made). */
export async function waitForPort(port: number, stillRunning: () => boolean, timeoutMs = 120_000, host = "127.0.0.1"): Promise<void> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (!stillRunning()) throw new Error("next dev exited during start-up");
    const open = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, host);
      s.once("connect", () => (s.destroy(), resolve(true)));
      s.once("error", () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`next dev did not listen on port ${port} within ${timeoutMs / 1000} s`);
}

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

/**
 * The dev command ticks every few seconds; an idle tick makes two lines (next's request log and
 * the route's JSON report) that would bury everything else. Those two are dropped when the
 * tick found nothing to do; every other line, and every tick that did work, is shown.
 */
export function isIdleTickNoise(line: string): boolean {
  const plain = line.replace(ANSI, "").trim();
  if (/^GET \/api\/jobs\/tick 200 in\b/.test(plain)) return true;
  if (!plain.startsWith("{") || !plain.includes("cronbound tick")) return false;
  try {
    const r = JSON.parse(plain) as { claimed?: number; rescued?: number; error?: unknown };
    return r.claimed === 0 && r.rescued === 0 && !r.error;
  } catch {
    return false;
  }
}
