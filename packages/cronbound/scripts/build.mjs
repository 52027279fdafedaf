// Build the package: TypeScript to JavaScript with type declarations in dist/ (plain tsc, no
// bundler: one output file per source file, so stack traces and "use client" boundaries stay
// where they are in src/). Runs on `npm install` in the repository (the root's postinstall).
import { spawnSync } from "node:child_process";
import { chmodSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const tsc = createRequire(path.join(root, "package.json")).resolve("typescript/bin/tsc");
rmSync(path.join(root, "dist"), { recursive: true, force: true });
const r = spawnSync(process.execPath, [tsc, "-p", path.join(root, "tsconfig.json")], { stdio: "inherit", cwd: root });
if (r.status !== 0) process.exit(r.status ?? 1);
chmodSync(path.join(root, "dist", "cli", "main.js"), 0o755);
