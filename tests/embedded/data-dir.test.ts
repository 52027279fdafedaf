// As root the embedded server runs as the `postgres` OS user; a project under a folder closed to
// it (a clone in /root, mode 0700) must still get a working data folder.
import { chmodSync, existsSync, mkdirSync, readdirSync, rmdirSync, rmSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { reachableDataDir } from "../../lib/dev/data-dir.ts";
import { ROOT } from "../helpers/spawn.ts";

const closed = path.join(ROOT, "tests", ".tmp", `closed-${process.pid}`);
const project = path.join(closed, "app");
let fallback: string | undefined;

afterAll(() => {
  rmSync(closed, { recursive: true, force: true });
  if (fallback) {
    rmSync(path.dirname(fallback), { recursive: true, force: true });
    if (existsSync("/var/lib/cronbound") && readdirSync("/var/lib/cronbound").length === 0) rmdirSync("/var/lib/cronbound");
  }
});

describe.skipIf(process.getuid?.() !== 0)("the embedded data folder, as root", () => {
  it("is the configured folder when the postgres user can reach it", () => {
    const dir = path.join(ROOT, "tests", ".tmp", `open-${process.pid}`, "postgres");
    const lines: string[] = [];
    expect(reachableDataDir(dir, ROOT, (l) => lines.push(l))).toBe(dir);
    expect(lines).toEqual([]);
    rmSync(path.dirname(dir), { recursive: true, force: true });
  });

  it("moves to /var/lib/cronbound/<project>-<hash> when a folder above it is closed, and says so", () => {
    mkdirSync(project, { recursive: true });
    chmodSync(closed, 0o700);
    const lines: string[] = [];
    fallback = reachableDataDir(path.join(project, ".data", "postgres"), project, (l) => lines.push(l));
    expect(fallback).toMatch(/^\/var\/lib\/cronbound\/app-[0-9a-f]{8}\/postgres$/);
    expect(lines.join("\n")).toContain(`${closed} is closed to the postgres OS user`);
    // The same project gets the same folder on the next run (its data is reused).
    expect(reachableDataDir(path.join(project, ".data", "postgres"), project, () => {})).toBe(fallback);
  });
});
