// Build the package: TypeScript to JavaScript with type declarations in dist/ (plain tsc, no
// bundler: one output file per source file, so stack traces and "use client" boundaries stay
// where they are in src/). Runs on `npm install` in the repository (the root's postinstall)
// and before `npm test`. The output is written beside dist/ and swapped in by two renames, so
// a process importing the package meanwhile never finds dist/ missing or half-written.
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, renameSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const tsc = createRequire(path.join(root, "package.json")).resolve("typescript/bin/tsc");
const next = path.join(root, `dist.build-${process.pid}`);
const old = path.join(root, `dist.old-${process.pid}`);
const dist = path.join(root, "dist");
rmSync(next, { recursive: true, force: true });
const r = spawnSync(process.execPath, [tsc, "-p", path.join(root, "tsconfig.json"), "--outDir", next], { stdio: "inherit", cwd: root });
if (r.status !== 0) {
  rmSync(next, { recursive: true, force: true });
  process.exit(r.status ?? 1);
}
chmodSync(path.join(next, "cli", "main.js"), 0o755);
if (existsSync(dist)) renameSync(dist, old);
renameSync(next, dist);
rmSync(old, { recursive: true, force: true });
