// Adoption, end to end, as a new user does it: pack the package, take an existing Next.js +
// Prisma app that already has its own `jobs` table in `public` (tests/adoption/fixture), install
// the tarball, follow docs/ADOPTING.md literally (every block that names a file is written, every
// `sh run` block is run, every `merge=` block is merged), migrate and build with the app's own
// build script, start it, and run a job enqueued inside the app's own Prisma transaction.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { freePort } from "../../lib/embedded-postgres.ts";
import { withDatabase } from "../helpers/url.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");
const FIXTURE = path.join(import.meta.dirname, "fixture");
const SECRET = "adoption-test-secret-0123456789";

/** A block of docs/ADOPTING.md: its info string's attributes and its text. */
interface DocBlock {
  lang: string;
  attrs: Record<string, string | true>;
  text: string;
}

export function docBlocks(markdown: string): DocBlock[] {
  const blocks: DocBlock[] = [];
  const re = /^```(\S*)([^\n]*)\n([\s\S]*?)^```/gm;
  for (let m = re.exec(markdown); m; m = re.exec(markdown)) {
    const attrs: Record<string, string | true> = {};
    for (const a of m[2].trim().split(/\s+/).filter(Boolean)) {
      const [k, v] = a.split("=");
      attrs[k] = v ?? true;
    }
    blocks.push({ lang: m[1], attrs, text: m[3] });
  }
  return blocks;
}

function run(cmd: string, args: string[], cwd: string, env: Record<string, string | undefined> = {}) {
  const r = spawnSync(cmd, args, { cwd, env: { ...process.env, ...env }, encoding: "utf8", timeout: 300_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.status}) in ${cwd}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

function deepMerge(into: Record<string, unknown>, from: Record<string, unknown>): Record<string, unknown> {
  for (const [k, v] of Object.entries(from)) {
    const cur = into[k];
    into[k] = v && typeof v === "object" && !Array.isArray(v) && cur && typeof cur === "object" ? deepMerge({ ...(cur as object) } as Record<string, unknown>, v as Record<string, unknown>) : v;
  }
  return into;
}

let dir: string;
let dbUrl: string;
let admin: pg.Pool;
let db: pg.Pool;
let server: ChildProcess | undefined;
let base: string;
let postingsBefore: unknown[];
const out: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "cronbound-adopt-"));
  const pkgDir = path.join(dir, "pack");
  const appDir = path.join(dir, "app");
  mkdirSync(pkgDir);

  // The package as it would come from the registry: npm pack of packages/cronbound.
  const packed = JSON.parse(run("npm", ["pack", "--json", "--pack-destination", pkgDir, "-w", "cronbound"], ROOT)) as { filename: string }[];
  const tarball = path.join(pkgDir, packed[0].filename);

  // The existing app, with the repository's pinned versions.
  cpSync(FIXTURE, appDir, { recursive: true });
  const rootPkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8"));
  const versions = { ...rootPkg.dependencies, ...rootPkg.devDependencies } as Record<string, string>;
  const template = readFileSync(path.join(appDir, "package.json.template"), "utf8");
  writeFileSync(path.join(appDir, "package.json"), template.replace(/\{\{([^}]+)\}\}/g, (_, name: string) => versions[name]));
  rmSync(path.join(appDir, "package.json.template"));
  rmSync(path.join(appDir, "README.md"));
  // Registry packages come from npm's cache, filled by the repository's own install.
  const npmInstall = ["install", "--no-audit", "--no-fund", "--prefer-offline", "--ignore-scripts"];
  run("npm", npmInstall, appDir);
  // Prisma's CLI downloads its schema engine even for `generate`, which never runs it; this
  // machine has no access to Prisma's binary host (the repository's scripts/prisma-generate.mjs).
  run(process.execPath, [path.join(appDir, "node_modules/prisma/build/index.js"), "generate"], appDir, {
    PRISMA_SCHEMA_ENGINE_BINARY: path.join(ROOT, "scripts/schema-engine-unavailable.sh"),
    PRISMA_HIDE_UPDATE_MESSAGE: "1",
    CHECKPOINT_DISABLE: "1",
  });

  // The app's database, with its own tables (what `prisma migrate deploy` would do) and data.
  const adminUrl = inject("adminUrl");
  const name = `${inject("templateDb").replace("cb_template_", "cb_t")}_adopt${randomBytes(3).toString("hex")}`;
  admin = new pg.Pool({ connectionString: adminUrl, max: 1 });
  await admin.query(`CREATE DATABASE ${name}`);
  dbUrl = withDatabase(adminUrl, name);
  db = new pg.Pool({ connectionString: dbUrl, max: 2 });
  // db.end() resolves before its connections have closed, so the teardown's DROP DATABASE ...
  // WITH (FORCE) can still terminate one (57P01): an 'error' on the pool, unhandled without this.
  db.on("error", () => {});
  await db.query(readFileSync(path.join(appDir, "prisma/migrations/20260101000000_init/migration.sql"), "utf8"));
  await db.query(`INSERT INTO public.jobs (title, company) VALUES ('Backend engineer', 'Acme'), ('Designer', 'Globex')`);
  postingsBefore = (await db.query("SELECT * FROM public.jobs ORDER BY id")).rows;

  // docs/ADOPTING.md, step by step.
  const doc = readFileSync(path.join(ROOT, "docs/ADOPTING.md"), "utf8");
  const blocks = docBlocks(doc);
  expect(blocks.filter((b) => b.attrs.file).length).toBeGreaterThanOrEqual(4);
  for (const b of blocks) {
    if (b.attrs.run) {
      for (const line of b.text.split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#"))) {
        const [cmd, ...args] = line.split(/\s+/);
        expect(cmd, `a \`sh run\` block runs npm only: ${line}`).toBe("npm");
        // `cronbound` is the packed tarball here, as the registry would serve it.
        run("npm", [...args.map((a) => (a === "cronbound" ? tarball : a)), "--no-audit", "--no-fund", "--prefer-offline", "--ignore-scripts"], appDir);
      }
    } else if (typeof b.attrs.file === "string") {
      const file = path.join(appDir, b.attrs.file);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, b.text);
    } else if (typeof b.attrs.merge === "string") {
      const file = path.join(appDir, b.attrs.merge);
      const merged = deepMerge(JSON.parse(readFileSync(file, "utf8")), JSON.parse(b.text));
      writeFileSync(file, `${JSON.stringify(merged, null, 2)}\n`);
    }
  }
  // A route of the test's own: enqueue in the app's transaction, then fail after it.
  mkdirSync(path.join(appDir, "app/api/rollback"), { recursive: true });
  writeFileSync(
    path.join(appDir, "app/api/rollback/route.ts"),
    `import { prisma } from "@/lib/db";
import { queue } from "@/lib/cronbound";

export async function POST() {
  try {
    await prisma.$transaction(async (tx) => {
      await tx.user.create({ data: { email: "rolled@example.com", name: "Rolled" } });
      await queue.enqueue("send-welcome", { email: "rolled@example.com", name: "Rolled" }, { tx, idempotencyKey: "rolled-back" });
      throw new Error("the app changes its mind after enqueueing");
    });
  } catch (err) {
    return Response.json({ rolledBack: (err as Error).message }, { status: 409 });
  }
  return Response.json({ rolledBack: false });
}
`,
  );

  // The app's own build script, as step 5 left it: cronbound migrate && next build.
  const env = { DATABASE_URL: dbUrl, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production" as const };
  out.push(run("npm", ["run", "build"], appDir, env));

  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const proc = spawn(process.execPath, [path.join(appDir, "node_modules/next/dist/bin/next"), "start", "-H", "127.0.0.1", "-p", String(port)], {
    cwd: appDir,
    env: { ...process.env, ...env, CRON_SECRET: SECRET },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  server = proc;
  proc.stdout?.on("data", (d) => out.push(String(d)));
  proc.stderr?.on("data", (d) => out.push(String(d)));
  for (let i = 0; ; i++) {
    try {
      await fetch(base, { signal: AbortSignal.timeout(1000) });
      break;
    } catch {
      if (i > 300 || proc.exitCode !== null) throw new Error(`the adopted app did not start:\n${out.join("")}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}, 600_000);

afterAll(async () => {
  if (server?.pid) {
    try {
      process.kill(-server.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  await db?.end();
  if (admin && dbUrl) await admin.query(`DROP DATABASE IF EXISTS ${new URL(dbUrl).pathname.slice(1)} WITH (FORCE)`).catch(() => {});
  await admin?.end();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const auth = { authorization: `Bearer ${SECRET}` };

describe("an existing Next.js + Prisma app adopts cronbound by following docs/ADOPTING.md", () => {
  it("cronbound migrate (in the app's build) made the engine's own schema and left the app's `jobs` table alone", async () => {
    const tables = (await db.query<{ t: string }>(`SELECT table_schema || '.' || table_name AS t FROM information_schema.tables WHERE table_schema IN ('public', 'cronbound') ORDER BY 1`)).rows.map((r) => r.t);
    expect(tables).toEqual(expect.arrayContaining(["cronbound.jobs", "cronbound.migrations", "cronbound.schedules", "public.jobs", "public.users"]));
    const cols = (await db.query<{ column_name: string }>(`SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'jobs' ORDER BY ordinal_position`)).rows;
    expect(cols.map((c) => c.column_name)).toEqual(["id", "title", "company"]);
    expect((await db.query("SELECT * FROM public.jobs ORDER BY id")).rows).toEqual(postingsBefore);
  });

  it("a signup enqueues inside the app's Prisma transaction, and the cron tick with the secret runs it", async () => {
    const res = await fetch(`${base}/api/signup`, { method: "POST", body: JSON.stringify({ email: "ada@example.com", name: "Ada" }) });
    expect(res.status).toBe(201);
    const { jobId } = (await res.json()) as { jobId: string };
    const [pending] = (await db.query("SELECT type, status::text, payload FROM cronbound.jobs WHERE id = $1", [jobId])).rows;
    expect(pending).toEqual({ type: "send-welcome", status: "pending", payload: { email: "ada@example.com", name: "Ada" } });
    expect((await db.query("SELECT email FROM public.users")).rows).toEqual([{ email: "ada@example.com" }]);

    const tick = await fetch(`${base}/api/jobs/tick`, { headers: auth });
    expect(tick.status).toBe(200);
    expect(await tick.json()).toMatchObject({ claimed: 1, completed: 1 });
    const job = await (await fetch(`${base}/api/jobs/${jobId}`, { headers: auth })).json();
    expect(job).toMatchObject({ id: jobId, status: "completed", attempts: 1, result: { welcomed: "ada@example.com", attempt: 1 } });
  });

  it("a transaction that rolls back after enqueueing leaves no job and no user", async () => {
    const res = await fetch(`${base}/api/rollback`, { method: "POST" });
    expect(res.status).toBe(409);
    expect((await db.query("SELECT count(*)::int AS n FROM cronbound.jobs WHERE idempotency_key = 'rolled-back'")).rows[0].n).toBe(0);
    expect((await db.query("SELECT count(*)::int AS n FROM public.users WHERE email = 'rolled@example.com'")).rows[0].n).toBe(0);
  });

  it("the job endpoints refuse a caller without the secret", async () => {
    const res = await fetch(`${base}/api/jobs/tick`);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: "unauthorized", code: "unauthorized" });
  });

  it("the dashboard mounts at /jobs and is off in production without DASHBOARD_SECRET", async () => {
    const html = await (await fetch(`${base}/jobs`)).text();
    expect(html).toContain('data-testid="dashboard-off"');
  });

  it("the app's own `jobs` table is untouched after all of it", async () => {
    expect((await db.query("SELECT * FROM public.jobs ORDER BY id")).rows).toEqual(postingsBefore);
  });
});
