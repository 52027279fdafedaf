// The package on plain Node: no Next.js, no tsx, no TypeScript. A .mjs script imports the built
// package by its name (as an app's node_modules would resolve it), migrates an empty database,
// enqueues, and runs runWorker until the job completes.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import path from "node:path";
import { MIGRATIONS_DIR } from "cronbound";
import { expect, it } from "vitest";
import { emptyDatabase } from "../helpers/db.ts";

it("a plain Node script migrates, enqueues and runs a job through the built package", async () => {
  const d = await emptyDatabase();
  try {
    const r = spawnSync(process.execPath, [path.join(import.meta.dirname, "fixtures/plain-node.mjs")], {
      env: { ...process.env, DATABASE_URL: d.url, NODE_OPTIONS: "" },
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const all = readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith(".sql")).sort().map((f) => f.replace(/\.sql$/, ""));
    expect(JSON.parse(r.stdout)).toEqual({ applied: all, status: "completed", result: { greeting: "hello, Ada", attempt: 1 }, completed: 1 });
    expect(await d.sql("SELECT count(*)::int AS n FROM cronbound.jobs WHERE status = 'completed'")).toEqual([{ n: 1 }]);
  } finally {
    await d.close();
  }
});
