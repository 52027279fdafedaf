// A real Next.js server for end-to-end tests: `next build` once per test run (into its own
// folder, .next-test), then `next start` on a free loopback port per test file, pointed at
// that file's database.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { inject } from "vitest";
import { freePort } from "../../lib/embedded-postgres.ts";

export const DIST_DIR = ".next-test";
const root = path.resolve(import.meta.dirname, "../..");
const nextBin = path.join(root, "node_modules", "next", "dist", "bin", "next");

/** Build once per test run; concurrent test files wait on a lock folder. */
export async function ensureBuilt(): Promise<void> {
  const runId = inject("templateDb");
  const marker = path.join(root, DIST_DIR, "cronbound-test-run");
  const lock = path.join(root, "tests", ".tmp", "build.lock");
  mkdirSync(path.dirname(lock), { recursive: true });
  for (;;) {
    if (existsSync(marker) && readFileSync(marker, "utf8") === runId) return;
    try {
      mkdirSync(lock);
    } catch {
      await new Promise((r) => setTimeout(r, 500));
      continue;
    }
    try {
      if (existsSync(marker) && readFileSync(marker, "utf8") === runId) return;
      if (process.env.TEST_SKIP_BUILD === "1" && existsSync(path.join(root, DIST_DIR, "BUILD_ID"))) {
        writeFileSync(marker, runId);
        return;
      }
      const r = spawnSync(process.execPath, [nextBin, "build"], {
        cwd: root,
        env: { ...process.env, NEXT_DIST_DIR: DIST_DIR, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production" },
        encoding: "utf8",
      });
      if (r.status !== 0) throw new Error(`next build failed:\n${r.stdout}\n${r.stderr}`);
      writeFileSync(marker, runId);
      return;
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
}

export interface App {
  url: string;
  port: number;
  proc: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

export const TEST_SECRET = "test-cron-secret-0123456789";

/** `next start` with the given environment (DATABASE_URL at least). Ready when it answers. */
export async function startApp(env: Record<string, string | undefined>): Promise<App> {
  await ensureBuilt();
  const port = await freePort();
  let out = "";
  const proc = spawn(process.execPath, [nextBin, "start", "-H", "127.0.0.1", "-p", String(port)], {
    cwd: root,
    env: {
      ...process.env,
      NODE_ENV: "production",
      NEXT_DIST_DIR: DIST_DIR,
      NEXT_TELEMETRY_DISABLED: "1",
      CRON_SECRET: TEST_SECRET,
      DEMO_JOB_DELAY_MS: "20",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group: `next start` runs the server in a child process, and stopping
    // only the parent would leave that child serving.
    detached: true,
  });
  proc.stdout?.on("data", (d) => (out += d));
  proc.stderr?.on("data", (d) => (out += d));
  const url = `http://127.0.0.1:${port}`;
  const started = Date.now();
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`next start exited with ${proc.exitCode}:\n${out}`);
    try {
      await fetch(url, { signal: AbortSignal.timeout(1000) });
      break;
    } catch {
      if (Date.now() - started > 30_000) throw new Error(`next start did not answer within 30 s:\n${out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    url,
    port,
    proc,
    output: () => out,
    stop: () =>
      new Promise<void>((resolve) => {
        const group = (signal: NodeJS.Signals) => {
          try {
            process.kill(-(proc.pid as number), signal);
          } catch {
            // already gone
          }
        };
        if (proc.exitCode !== null) {
          group("SIGKILL");
          return resolve();
        }
        proc.once("exit", () => {
          group("SIGKILL");
          resolve();
        });
        group("SIGTERM");
        setTimeout(() => group("SIGKILL"), 5000).unref();
      }),
  };
}
