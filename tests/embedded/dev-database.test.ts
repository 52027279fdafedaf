// The zero-setup database of `npm run dev`: a real embedded PostgreSQL, from no data folder to
// a migrated database the engine runs jobs on; a second start reuses the data; a server left
// running by a killed dev process is stopped and replaced.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queue } from "../../lib/cronbound.ts";
import { database } from "../../lib/db.ts";
import { startDevDatabase, type DevDatabase } from "../../lib/dev/database.ts";
import { freePort } from "../../lib/embedded-postgres.ts";
import { ROOT, waitFor } from "../helpers/spawn.ts";

const base = path.join(ROOT, "tests", ".tmp", `embedded-${process.pid}`);
const dataDir = path.join(base, "postgres");
const lines: string[] = [];
const log = (l: string) => lines.push(l);
let port: number;
let open: DevDatabase | undefined;

beforeAll(async () => {
  rmSync(base, { recursive: true, force: true });
  mkdirSync(base, { recursive: true });
  port = await freePort();
  process.env.DEMO_JOB_DELAY_MS = "10";
});
afterAll(async () => {
  await open?.stop();
  rmSync(base, { recursive: true, force: true });
});

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(sql)).rows;
  } finally {
    await c.end();
  }
}

describe("the dev command's embedded database", () => {
  it("starts from no data folder, creates and migrates the app database, and the tick runs jobs on it", async () => {
    expect(existsSync(dataDir)).toBe(false);
    open = await startDevDatabase({ dataDir, port, log });
    expect(open.embedded).toEqual({ dataDir, port, created: true });
    expect(open.url).toMatch(new RegExp(`^postgresql://postgres:postgres@127\\.0\\.0\\.1:${port}/cronbound$`));
    expect(open.migrations.applied.length).toBeGreaterThan(0);
    expect(open.migrations.alreadyApplied).toEqual([]);
    expect(existsSync(path.join(dataDir, "PG_VERSION"))).toBe(true);

    const [{ version }] = await query<{ version: string }>(open.url, "SELECT current_setting('server_version') AS version");
    expect(version).toMatch(/^18\./);

    // The app's own queue on it, as `npm run dev` hands DATABASE_URL to the app (nothing has
    // connected yet: lib/db.ts reads DATABASE_URL on first use).
    process.env.DATABASE_URL = open.url;
    try {
      const { job } = await queue.enqueue("send-email", { to: "first@example.com", subject: "kept" });
      const report = await queue.runTick({ budgetMs: 30_000, workerId: "embedded-test" });
      expect(report).toMatchObject({ claimed: 1, completed: 1 });
      const [row] = await query<{ status: string }>(open.url, `SELECT status::text FROM cronbound.jobs WHERE id = ${job.id}`);
      expect(row.status).toBe("completed");
    } finally {
      await database().close();
    }
    await open.stop();
    open = undefined;
    // A clean shutdown: postgres removed its pid file.
    expect(existsSync(path.join(dataDir, "postmaster.pid"))).toBe(false);
  });

  it("a second start reuses the data folder: nothing to migrate, the earlier job is still there", async () => {
    open = await startDevDatabase({ dataDir, port, log });
    expect(open.embedded?.created).toBe(false);
    expect(open.migrations.applied).toEqual([]);
    expect(open.migrations.alreadyApplied.length).toBeGreaterThan(0);
    const rows = await query<{ to: string }>(open.url, `SELECT "to" FROM outbox`);
    expect(rows).toEqual([{ to: "first@example.com" }]);
    await open.stop();
    open = undefined;
  });

  it("stops a server left running by a dev process that was SIGKILLed, then starts normally", async () => {
    // A child process starts the database and is killed without a chance to stop it.
    const child = spawn(
      process.execPath,
      [
        "--import", "tsx", "--input-type=module", "-e",
        `const { startDevDatabase } = await import(${JSON.stringify(path.join(ROOT, "lib/dev/database.ts"))});
         await startDevDatabase({ dataDir: ${JSON.stringify(dataDir)}, port: ${port}, log: () => {} });
         console.log("up"); setInterval(() => {}, 1000);`,
      ],
      { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] },
    );
    let out = "";
    child.stdout!.on("data", (d) => (out += d));
    await waitFor("the child's database", () => out.includes("up"), 60_000);
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));
    const pidFile = path.join(dataDir, "postmaster.pid");
    expect(existsSync(pidFile)).toBe(true); // the orphaned postgres still holds the folder

    lines.length = 0;
    open = await startDevDatabase({ dataDir, port, log });
    expect(lines.some((l) => /stopping a PostgreSQL left running/.test(l))).toBe(true);
    const [{ n }] = await query<{ n: number }>(open.url, "SELECT count(*)::int AS n FROM outbox");
    expect(n).toBe(1);
    await open.stop();
    open = undefined;
    expect(existsSync(pidFile)).toBe(false);
  });
});
