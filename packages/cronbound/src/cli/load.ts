// Where the `cronbound` command finds the app's settings and queue.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { Queue } from "../queue.ts";

const CANDIDATES = ["lib/cronbound.ts", "src/lib/cronbound.ts", "cronbound.config.ts", "lib/cronbound.js", "lib/cronbound.mjs", "cronbound.config.js", "cronbound.config.mjs"];

/** The `.env` files `next dev` would read, in its order; a variable already set always wins. */
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

/** The module that exports the app's queue. */
export function findQueueModule(root: string, given?: string): string {
  if (given) {
    const file = path.resolve(root, given);
    if (!existsSync(file)) throw new Error(`--queue ${given}: no such file (${file})`);
    return file;
  }
  const found = CANDIDATES.map((c) => path.join(root, c)).find((f) => existsSync(f));
  if (!found) {
    throw new Error(`no queue module: pass --queue <module> (or set CRONBOUND_QUEUE) naming the file that exports your queue; looked for ${CANDIDATES.join(", ")}`);
  }
  return found;
}

export async function loadQueue(root: string, given?: string): Promise<Queue> {
  const file = findQueueModule(root, given);
  if (/\.(c|m)?tsx?$/.test(file)) {
    let api: string;
    try {
      const cjs = createRequire(path.join(root, "package.json")).resolve("tsx/esm/api");
      // Its ESM build: require.resolve finds the CommonJS one, whose register() looks for its
      // hooks in the wrong folder (tsx 4.2x: "Cannot find module .../esm/api/esm/index.mjs").
      const mjs = cjs.replace(/\.cjs$/, ".mjs");
      api = existsSync(mjs) ? mjs : cjs;
    } catch {
      throw new Error(`${path.relative(root, file)} is TypeScript: install tsx in the app (npm install -D tsx), or point --queue at compiled JavaScript`);
    }
    const { register } = (await import(pathToFileURL(api).href)) as { register: () => unknown };
    register();
  }
  const mod = (await import(pathToFileURL(file).href)) as { queue?: unknown; default?: unknown };
  const queue = (mod.queue ?? mod.default) as Queue | undefined;
  if (!queue || typeof queue.runTick !== "function" || typeof queue.engine !== "function") {
    throw new Error(`${path.relative(root, file)} must export the queue made by createQueue(...) as \`queue\` or as its default export`);
  }
  return queue;
}

