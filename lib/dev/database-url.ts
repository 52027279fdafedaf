import path from "node:path";
import { readDevState } from "./state.ts";

/**
 * Outside production, with no DATABASE_URL: the embedded database of an `npm run dev`
 * running in this project (its data folder is DEV_DATABASE_DIR, relative to the working
 * directory), so `npm run jobs -- stats` and `npm run worker` work in a second terminal with
 * no setup. Sets DATABASE_URL and says where it came from; null when there is none.
 */
export function borrowDevDatabase(root = process.cwd()): { url: string; source: string } | null {
  if (process.env.DATABASE_URL) return { url: process.env.DATABASE_URL, source: "DATABASE_URL" };
  if (process.env.NODE_ENV === "production") return null;
  const dev = readDevState(path.resolve(root, process.env.DEV_DATABASE_DIR || ".data/postgres"));
  if (!dev) return null;
  process.env.DATABASE_URL = dev.databaseUrl;
  return { url: dev.databaseUrl, source: `the embedded database of npm run dev (pid ${dev.pid})` };
}

export const NO_DATABASE =
  "DATABASE_URL is not set (in the environment or .env.local), and no `npm run dev` is running in this project to borrow its embedded database";
