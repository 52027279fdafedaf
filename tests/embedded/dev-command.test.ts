// `npm run dev` end to end, as a newcomer runs it: no DATABASE_URL, no data folder. It must
// start the embedded database, migrate, start next dev, and run an enqueued job through
// GET /api/jobs/tick; the CLI in "another terminal" finds the database by itself; SIGTERM
// stops everything cleanly; a second run reuses the data.
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { freePort } from "../../lib/embedded-postgres.ts";
import { withDatabase } from "../helpers/url.ts";
import { ROOT, runBin, spawnScript, waitFor, type Proc } from "../helpers/spawn.ts";

const base = path.join(ROOT, "tests", ".tmp", `dev-command-${process.pid}`);
const relDataDir = path.relative(ROOT, path.join(base, "postgres"));
// next dev adds its dist folder to tsconfig.json's include; put the file back as it was.
const tsconfigPath = path.join(ROOT, "tsconfig.json");
let tsconfig: string;
const procs: Proc[] = [];

let env: Record<string, string>;
beforeAll(async () => {
  rmSync(base, { recursive: true, force: true });
  tsconfig = readFileSync(tsconfigPath, "utf8");
  env = {
    DATABASE_URL: "",
    CRON_SECRET: "",
    DEV_DATABASE_DIR: relDataDir,
    DEV_DATABASE_PORT: String(await freePort()),
    PORT: String(await freePort()),
    DEV_TICK_INTERVAL_MS: "300",
    DEMO_JOB_DELAY_MS: "20",
    // Not .next (a developer's own next dev) nor .next-test (the e2e build); tests/.tmp is git-ignored.
    NEXT_DIST_DIR: "tests/.tmp/next-dev",
  };
});
afterAll(() => {
  for (const p of procs) {
    try {
      process.kill(-(p.proc.pid as number), "SIGKILL");
    } catch {
      // gone
    }
  }
  if (readFileSync(tsconfigPath, "utf8") !== tsconfig) writeFileSync(tsconfigPath, tsconfig);
  rmSync(base, { recursive: true, force: true });
});

function dev(): Proc {
  // Its own process group, like a terminal's: the dev command's children go with it in afterAll.
  const p = spawnScript("scripts/dev.ts", [], { ...env, NODE_ENV: "" }, { detached: true });
  procs.push(p);
  return p;
}
const out = (p: Proc) => p.stdout() + p.stderr();
// `npm run jobs -- ...`: the cronbound bin in the project folder, with the app's queue.
const cli = (...args: string[]) => runBin(args, { DATABASE_URL: "", DEV_DATABASE_DIR: relDataDir });

describe("npm run dev", () => {
  it("with no DATABASE_URL: embedded database, migrations, next dev, and jobs run through the tick route; SIGTERM stops it all; a second run reuses the data", async () => {
    const first = dev();
    await waitFor("ready", () => /\[cronbound\] ready in/.test(out(first)), 120_000);
    expect(out(first)).toMatch(/no DATABASE_URL: starting the embedded PostgreSQL/);
    expect(out(first)).toMatch(/\(new\); migrations: \d+ applied/);
    expect(out(first)).toMatch(new RegExp(`app +http://localhost:${env.PORT}`));
    expect(out(first)).toMatch(/dashboard +http:\/\/localhost:\d+\/jobs/);

    // Another terminal: the CLI finds the dev command's database without DATABASE_URL.
    const enq = await cli("enqueue", "send-email", '{"to":"dev@example.com","subject":"Hello"}');
    expect(enq, enq.stderr).toMatchObject({ code: 0 });
    const id = JSON.parse(enq.stdout).id as string;
    await waitFor("the job completed through GET /api/jobs/tick", async () => {
      const r = await cli("show", id);
      return r.code === 0 && JSON.parse(r.stdout).status === "completed";
    }, 90_000);
    // The dev command reports each tick that did work.
    await waitFor("the dev command's tick line", () => /\[cronbound\] tick: 1 claimed: 1 completed/.test(out(first)));

    first.proc.kill("SIGTERM");
    expect(await first.exited).toEqual({ code: 0, signal: null });
    expect(out(first)).toMatch(/embedded PostgreSQL stopped/);
    expect(existsSync(path.join(base, "postgres", "postmaster.pid"))).toBe(false);
    expect(existsSync(path.join(base, "dev.json"))).toBe(false);
    // Nothing of next dev is left listening.
    await expect(fetch(`http://127.0.0.1:${env.PORT}/`, { signal: AbortSignal.timeout(2000) })).rejects.toThrow();

    const second = dev();
    await waitFor("ready again", () => /\[cronbound\] ready in/.test(out(second)), 120_000);
    expect(out(second)).toMatch(/\(existing data\); migrations: up to date/);
    const shown = await cli("show", id);
    expect(JSON.parse(shown.stdout)).toMatchObject({ id, status: "completed" });
    second.proc.kill("SIGINT");
    expect((await second.exited).code).toBe(0);
    expect(existsSync(path.join(base, "postgres", "postmaster.pid"))).toBe(false);
  });

  it("with DATABASE_URL: migrates that database and uses it, and starts no embedded server", async () => {
    // An empty database on the test server, named like the run's clones so teardown drops it.
    const name = `${inject("templateDb").replace("cb_template_", "cb_t")}_devurl`;
    const admin = new pg.Client({ connectionString: inject("adminUrl") });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${name}`);
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = withDatabase(inject("adminUrl"), name);
    const dataDir = path.join(base, "unused");

    const p = spawnScript("scripts/dev.ts", [], { ...env, NODE_ENV: "", DATABASE_URL: url, DEV_DATABASE_DIR: path.relative(ROOT, dataDir) }, { detached: true });
    procs.push(p);
    await waitFor("ready", () => /\[cronbound\] ready in/.test(out(p)), 120_000);
    expect(out(p)).toMatch(/DATABASE_URL is set: using that database \(no embedded server\)/);
    expect(out(p)).toMatch(/migrations: \d+ applied/);
    expect(existsSync(dataDir)).toBe(false);

    const enq = await runBin(["enqueue", "send-email", '{"to":"url@example.com","subject":"Hi"}'], { DATABASE_URL: url });
    const id = JSON.parse(enq.stdout).id as string;
    await waitFor("the job completed through the tick route", async () => {
      const r = await runBin(["show", id], { DATABASE_URL: url });
      return JSON.parse(r.stdout).status === "completed";
    }, 90_000);
    p.proc.kill("SIGTERM");
    expect((await p.exited).code).toBe(0);
    expect(out(p)).not.toMatch(/embedded PostgreSQL stopped/);
  });
});
