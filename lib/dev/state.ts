import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

/**
 * While `npm run dev` runs an embedded PostgreSQL, it records where in `<data dir>/../dev.json`
 * (git-ignored, mode 0600), so `npm run jobs` and `npm run worker` in another terminal find the
 * database without anyone copying a URL. Only a live dev process's file counts.
 */
export interface DevState {
  pid: number;
  databaseUrl: string;
  appUrl: string;
  startedAt: string;
}

export const statePath = (dataDir: string) => path.join(path.dirname(path.resolve(dataDir)), "dev.json");

export function writeDevState(dataDir: string, state: DevState): void {
  writeFileSync(statePath(dataDir), `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}

export function clearDevState(dataDir: string): void {
  rmSync(statePath(dataDir), { force: true });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The running dev command's state, or null when none runs (a stale file is ignored). */
export function readDevState(dataDir: string): DevState | null {
  const file = statePath(dataDir);
  if (!existsSync(file)) return null;
  try {
    const s = JSON.parse(readFileSync(file, "utf8")) as DevState;
    return typeof s.pid === "number" && typeof s.databaseUrl === "string" && alive(s.pid) ? s : null;
  } catch {
    return null;
  }
}
