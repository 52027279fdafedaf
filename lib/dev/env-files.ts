import { existsSync } from "node:fs";
import path from "node:path";

/**
 * Load `.env` files the way `next dev` does, so the dev command, the worker and the CLI see
 * the same DATABASE_URL as the app: `.env.<mode>.local`, `.env.local` (not in test),
 * `.env.<mode>`, `.env`. The first file to set a variable wins, and the process environment
 * wins over every file (process.loadEnvFile never overwrites). Hosts set real variables; on
 * them no file exists and this does nothing.
 */
export function loadEnvFiles(root: string, mode = process.env.NODE_ENV || "development"): string[] {
  const names = [`.env.${mode}.local`, mode === "test" ? "" : ".env.local", `.env.${mode}`, ".env"].filter(Boolean);
  const loaded: string[] = [];
  for (const name of names) {
    const file = path.join(root, name);
    if (!existsSync(file)) continue;
    process.loadEnvFile(file);
    loaded.push(name);
  }
  return loaded;
}
