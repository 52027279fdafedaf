// First run as root from a clone under a folder closed to other users (`mktemp -d`, mode 0700;
// /root is the same): `npm install && npm run dev` must work. The embedded server runs as the
// `postgres` OS user, which can neither reach the data folder nor execute the binaries in the
// clone's node_modules: the data goes to /var/lib/cronbound/<project>-<hash>, the binaries are
// copied once to /var/lib/cronbound/runtime. The clone is the working tree's files; its
// node_modules and build outputs are hard links of this project's (what `npm install` makes).
// A start-up failure of the embedded server is one line naming the fix, never a stack.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createHash } from "node:crypto";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../../lib/embedded-postgres.ts";
import { ROOT, waitFor } from "../helpers/spawn.ts";

const SECRET = "closed-folder-secret-0123456789";
let closed: string | undefined;
let project: string | undefined;
const killers: (() => void)[] = [];

const modulesBefore = existsSync("/var/lib/cronbound") ? new Set(readdirSync("/var/lib/cronbound")) : new Set<string>();

afterAll(() => {
  for (const k of killers) k();
  // The clone's links into /var/lib/cronbound (its node_modules are gone with it); the shared binaries stay.
  if (existsSync("/var/lib/cronbound")) {
    for (const d of readdirSync("/var/lib/cronbound")) if (d.startsWith("modules-") && !modulesBefore.has(d)) rmSync(path.join("/var/lib/cronbound", d), { recursive: true, force: true });
  }
  if (project) rmSync(path.join("/var/lib/cronbound", `app-${createHash("sha256").update(project).digest("hex").slice(0, 8)}`), { recursive: true, force: true });
  if (closed) rmSync(closed, { recursive: true, force: true });
});

/** The working tree as a clone has it, plus node_modules and the build outputs `npm install` makes (hard links). */
function cloneUnderClosedFolder(): string {
  closed = mkdtempSync(path.join(os.tmpdir(), "cronbound-closed-"));
  chmodSync(closed, 0o700);
  project = path.join(closed, "app");
  const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: ROOT, encoding: "utf8" }).split("\0").filter(Boolean);
  for (const f of files) {
    if (!existsSync(path.join(ROOT, f))) continue; // deleted in the working tree
    mkdirSync(path.dirname(path.join(project, f)), { recursive: true });
    cpSync(path.join(ROOT, f), path.join(project, f));
  }
  for (const dir of ["node_modules", "packages/cronbound/dist", "lib/generated"]) {
    const r = spawnSync("cp", ["-al", path.join(ROOT, dir), path.join(project, dir)], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`cp -al ${dir}: ${r.stderr}`);
  }
  return project;
}

function run(cwd: string, env: Record<string, string>) {
  let out = "";
  const proc = spawn(process.execPath, ["--import", "tsx", "scripts/dev.ts"], {
    cwd,
    env: { ...process.env, NODE_ENV: "development" as const, NEXT_TELEMETRY_DISABLED: "1", DATABASE_URL: "", CRON_SECRET: SECRET, ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  proc.stdout!.on("data", (d) => (out += d));
  proc.stderr!.on("data", (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
  killers.push(() => {
    try {
      process.kill(-(proc.pid as number), "SIGKILL");
    } catch {
      // gone
    }
  });
  return { proc, exited, out: () => out };
}

describe.skipIf(process.getuid?.() !== 0)("npm run dev as root, from a clone under a chmod 700 folder", () => {
  it("starts the embedded PostgreSQL (data and binaries outside the closed folder) and serves the routes", async () => {
    const dir = cloneUnderClosedFolder();
    const port = await freePort();
    const dev = run(dir, { PORT: String(port), DEV_DATABASE_PORT: String(await freePort()), DEV_TICK_INTERVAL_MS: "500" });
    await waitFor("ready", () => /\[cronbound\] ready in/.test(dev.out()) || dev.proc.exitCode !== null, 240_000);
    expect(dev.out()).toMatch(/ready in/);
    expect(dev.out()).toMatch(new RegExp(`${closed} is closed to the postgres OS user the embedded server runs as; keeping its data in /var/lib/cronbound/app-[0-9a-f]{8}/postgres`));
    expect(existsSync("/var/lib/cronbound/runtime")).toBe(true);
    expect(readdirSync("/var/lib/cronbound/runtime").some((d) => /^@embedded-postgres\+linux-x64-/.test(d))).toBe(true);
    const res = await fetch(`http://127.0.0.1:${port}/api/jobs/stats`, { headers: { authorization: `Bearer ${SECRET}` } });
    expect(res.status).toBe(200);
    expect(dev.out()).not.toMatch(/EACCES|\n\s+at /);
    // It listens on 127.0.0.1 only: this machine's other addresses refuse the connection.
    const lan = Object.values(os.networkInterfaces()).flat().find((a) => a && a.family === "IPv4" && !a.internal)?.address;
    if (lan) {
      const refused = await new Promise<string>((resolve) => {
        const sock = net.connect(port, lan);
        sock.once("connect", () => (sock.destroy(), resolve("connected")));
        sock.once("error", (err: NodeJS.ErrnoException) => resolve(err.code ?? "error"));
      });
      expect(refused, `port ${port} on ${lan}`).toBe("ECONNREFUSED");
    }
    expect(dev.out()).toMatch(/this machine only; DEV_HOST=0\.0\.0\.0 to open it to the network/);
    process.kill(-(dev.proc.pid as number), "SIGTERM");
    expect(await dev.exited).toBe(0);
  }, 300_000);
});

describe("a start-up failure of the embedded server", () => {
  it("is one line that says what to do, exit 1, no stack", async () => {
    // The data folder's place is taken by a file: initdb cannot create it.
    const dir = mkdtempSync(path.join(ROOT, "tests", ".tmp", "blocked-"));
    chmodSync(dir, 0o755); // open to the postgres user: the file, not the folder, is what fails
    const file = path.join(dir, "postgres");
    execFileSync("touch", [file]);
    try {
      const dev = spawn(process.execPath, ["--import", "tsx", "scripts/dev.ts"], {
        cwd: ROOT,
        env: { ...process.env, NODE_ENV: "development" as const, DATABASE_URL: "", DEV_DATABASE_DIR: path.relative(ROOT, file), PORT: String(await freePort()), DEV_DATABASE_PORT: String(await freePort()) },
        stdio: ["ignore", "pipe", "pipe"],
        detached: true,
      });
      killers.push(() => {
        try {
          process.kill(-(dev.pid as number), "SIGKILL");
        } catch {
          // gone
        }
      });
      let out = "";
      dev.stdout!.on("data", (d) => (out += d));
      dev.stderr!.on("data", (d) => (out += d));
      const code = await new Promise<number | null>((resolve, reject) => {
        dev.once("exit", resolve);
        setTimeout(() => reject(new Error(`no exit within 45 s:\n${out}`)), 45_000).unref();
      });
      expect(code).toBe(1);
      const errors = out.split("\n").filter((l) => /could not prepare the database/.test(l));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(/did not start .*set DATABASE_URL/);
      expect(out).not.toMatch(/\n\s+at /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
