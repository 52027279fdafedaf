import path from "node:path";
import { loadEnvFiles } from "./env-files.ts";
import { readDevState } from "./state.ts";

export const PROJECT_ROOT = path.resolve(import.meta.dirname, "..", "..");

/**
 * The database the worker and the CLI talk to: DATABASE_URL (from the environment or the
 * project's .env files), else the embedded database of an `npm run dev` running in this
 * project, so `npm run jobs -- stats` works in a second terminal with no setup. Null when
 * neither exists.
 */
export function resolveDatabaseUrl(): { url: string; source: string } | null {
  loadEnvFiles(PROJECT_ROOT);
  if (process.env.DATABASE_URL) return { url: process.env.DATABASE_URL, source: "DATABASE_URL" };
  const dev = readDevState(path.resolve(PROJECT_ROOT, process.env.DEV_DATABASE_DIR || ".data/postgres"));
  if (dev) {
    process.env.DATABASE_URL = dev.databaseUrl;
    return { url: dev.databaseUrl, source: `the embedded database of npm run dev (pid ${dev.pid})` };
  }
  return null;
}

export const NO_DATABASE =
  "DATABASE_URL is not set (in the environment or .env.local), and no `npm run dev` is running in this project to borrow its embedded database";
