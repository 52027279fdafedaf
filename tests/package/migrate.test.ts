// The migrator: cronbound's own schema, its own numbered migrations and migrations table,
// applied under an advisory lock, checked for edits, and the 0.1 layout (tables in public)
// moved into the schema.
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { createQueue, migrate, MigrationError, MIGRATIONS_DIR, silentLogger } from "cronbound";
import { pgExecutor } from "cronbound/pg";
import { emptyDatabase } from "../helpers/db.ts";
import { testRegistry } from "../helpers/registry.ts";

const quiet = { logger: silentLogger };
/** Every migration the package ships, in order ("0001_init", ...). */
const ALL = readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith(".sql")).sort().map((f) => f.replace(/\.sql$/, ""));
/** The engine's tables after every migration. */
const TABLES = ["attempt_metrics", "events", "flow_keys", "flow_starts", "jobs", "migrations", "rate_limits", "schedules", "sessions", "steps", "type_settings"];

async function tablesIn(sql: (t: string, p?: unknown[]) => Promise<Record<string, unknown>[]>, schema: string): Promise<string[]> {
  const rows = await sql(`SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1`, [schema]);
  return rows.map((r) => r.table_name as string);
}

/** Enqueue and run one job on `url` with a queue on `schema`: the migrated tables work. */
async function runsAJob(url: string, schema: string): Promise<unknown> {
  const pool = new pg.Pool({ connectionString: url, max: 3 });
  try {
    const queue = createQueue({ db: pgExecutor(pool), registry: testRegistry, config: { schema, production: false }, logger: silentLogger });
    const { job } = await queue.enqueue("noop", { n: 7 });
    const report = await queue.runTick({ budgetMs: 10_000 });
    expect(report.completed).toBe(1);
    return (await queue.getJob(job.id))?.result;
  } finally {
    await pool.end();
  }
}

describe("migrate", () => {
  it("creates schema cronbound with the engine's tables and records each migration once; a second run applies nothing", async () => {
    const d = await emptyDatabase();
    try {
      const first = await migrate(d.url, quiet);
      expect(first.applied).toEqual(ALL);
      expect(ALL[0]).toBe("0001_init");
      expect(await tablesIn(d.sql, "cronbound")).toEqual(TABLES);
      expect(await tablesIn(d.sql, "public")).toEqual([]);
      const second = await migrate(d.url, quiet);
      expect(second).toMatchObject({ applied: [], alreadyApplied: ALL, movedFromPublic: false });
      const recorded = await d.sql("SELECT id, name FROM cronbound.migrations ORDER BY id");
      expect(recorded).toEqual(ALL.map((name) => ({ id: Number(name.slice(0, 4)), name })));
      expect(await runsAJob(d.url, "cronbound")).toEqual({ n: 7 });
    } finally {
      await d.close();
    }
  });

  it("two migrate calls at once apply each migration once: one applies, the other waits on the lock and finds nothing to do", async () => {
    const d = await emptyDatabase();
    try {
      const results = await Promise.all([migrate(d.url, quiet), migrate(d.url, quiet), migrate(d.url, quiet)]);
      const applied = results.map((r) => r.applied.length).sort();
      expect(applied).toEqual([0, 0, ALL.length]);
      expect(await d.sql("SELECT name FROM cronbound.migrations ORDER BY id")).toEqual(ALL.map((name) => ({ name })));
    } finally {
      await d.close();
    }
  });

  it("refuses an applied migration whose file changed, with a clear error, and applies nothing else", async () => {
    const d = await emptyDatabase();
    const dir = mkdtempSync(path.join(os.tmpdir(), "cronbound-migrations-"));
    try {
      cpSync(MIGRATIONS_DIR, dir, { recursive: true });
      await migrate(d.url, { ...quiet, dir });
      writeFileSync(path.join(dir, "0001_init.sql"), `${readFileSync(path.join(dir, "0001_init.sql"), "utf8")}\n-- edited later\n`);
      writeFileSync(path.join(dir, "9000_more.sql"), "CREATE TABLE :CRONBOUND_SCHEMA.extra (id int);");
      const err = await migrate(d.url, { ...quiet, dir }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MigrationError);
      expect((err as Error).message).toMatch(/migration 0001_init was changed after it was applied to schema "cronbound"/);
      expect(await tablesIn(d.sql, "cronbound")).toEqual(TABLES);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await d.close();
    }
  });

  it("refuses a database migrated by a newer cronbound (a migration this version does not know)", async () => {
    const d = await emptyDatabase();
    try {
      await migrate(d.url, quiet);
      await d.sql("INSERT INTO cronbound.migrations (id, name, checksum) VALUES (9999, '9999_future', 'x')");
      await expect(migrate(d.url, quiet)).rejects.toThrow(/has migration 9999_future, which this version of cronbound does not have/);
    } finally {
      await d.close();
    }
  });

  it("honours the schema name, and a queue configured with it runs jobs there", async () => {
    const d = await emptyDatabase();
    try {
      const r = await migrate(d.url, { ...quiet, schema: "background" });
      expect(r).toMatchObject({ schema: "background", applied: ALL });
      expect(await tablesIn(d.sql, "background")).toEqual(TABLES);
      expect(await tablesIn(d.sql, "cronbound")).toEqual([]);
      expect(await runsAJob(d.url, "background")).toEqual({ n: 7 });
      await expect(migrate(d.url, { ...quiet, schema: "Bad-Name" })).rejects.toThrow(MigrationError);
    } finally {
      await d.close();
    }
  });

  it("never touches an app's own public.jobs table", async () => {
    const d = await emptyDatabase();
    try {
      await d.sql("CREATE TABLE public.jobs (id serial PRIMARY KEY, title text NOT NULL)");
      await d.sql("INSERT INTO public.jobs (title) VALUES ('Backend engineer')");
      const r = await migrate(d.url, quiet);
      expect(r.movedFromPublic).toBe(false);
      expect(await d.sql("SELECT id, title FROM public.jobs")).toEqual([{ id: 1, title: "Backend engineer" }]);
      expect(await runsAJob(d.url, "cronbound")).toEqual({ n: 7 });
    } finally {
      await d.close();
    }
  });

  it("moves the 0.1 layout (engine tables in public, recorded by Prisma) into the schema with its rows, once", async () => {
    const d = await emptyDatabase();
    try {
      await d.sql(readFileSync(path.join(import.meta.dirname, "fixtures/layout-0.1.sql"), "utf8"));
      await d.sql(`INSERT INTO public.jobs (type, payload, timeout_ms, status, finished_at) VALUES ('noop', '{"n":1}', 5000, 'completed', now())`);
      await d.sql(`INSERT INTO public.schedules (name, cron, type, next_run_at) VALUES ('nightly', '0 3 * * *', 'noop', now() + interval '1 day')`);
      const r = await migrate(d.url, quiet);
      // 0001 is the layout that was moved; every later migration applies on top.
      expect(r).toMatchObject({ applied: ALL.slice(1), movedFromPublic: true });
      expect(await tablesIn(d.sql, "cronbound")).toEqual(TABLES);
      expect(await tablesIn(d.sql, "public")).toEqual(["_prisma_migrations", "outbox"]);
      expect(await d.sql("SELECT type, status::text, payload FROM cronbound.jobs")).toEqual([{ type: "noop", status: "completed", payload: { n: 1 } }]);
      expect(await d.sql("SELECT name FROM cronbound.schedules")).toEqual([{ name: "nightly" }]);
      // The id sequence moved with its table: new jobs continue after the old ones.
      expect(await runsAJob(d.url, "cronbound")).toEqual({ n: 7 });
      expect(await d.sql("SELECT id::int FROM cronbound.jobs ORDER BY id")).toEqual([{ id: 1 }, { id: 2 }]);
      expect((await migrate(d.url, quiet)).movedFromPublic).toBe(false);
    } finally {
      await d.close();
    }
  });

  it("refuses a 0.1 layout whose migrations are only partly applied, and changes nothing", async () => {
    const d = await emptyDatabase();
    try {
      await d.sql(readFileSync(path.join(import.meta.dirname, "fixtures/layout-0.1.sql"), "utf8"));
      await d.sql("DELETE FROM _prisma_migrations WHERE migration_name = '20261128020000_status_type_index'");
      await expect(migrate(d.url, quiet)).rejects.toThrow(/only partly applied \(missing 20261128020000_status_type_index\)/);
      expect(await tablesIn(d.sql, "cronbound")).toEqual([]);
      expect(await tablesIn(d.sql, "public")).toEqual(["_prisma_migrations", "jobs", "outbox", "schedules"]);
    } finally {
      await d.close();
    }
  });
});
