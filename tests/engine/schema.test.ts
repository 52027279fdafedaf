import { createHash } from "node:crypto";
import { readFile, readdir } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, type Database } from "../../lib/db.ts";
import { MIGRATIONS_DIR, migrate, migrateDatabase } from "../../lib/migrate.ts";
import { useTestDatabase } from "../helpers/db.ts";

// Two owners, two schemas: prisma/schema.prisma describes only the app's tables (in `public`,
// migrated by prisma/migrations); the engine's tables live in schema `cronbound`, created by the
// package's own migrations, so `prisma migrate dev` never sees (or drops) their partial indexes.

const t = useTestDatabase();
let app: Database;
beforeAll(() => {
  app = createDatabase(t.url, { max: 2 });
});
afterAll(async () => app?.close());

interface RuntimeField { name: string; kind: string; type: string; dbName?: string }
interface RuntimeModel { dbName: string | null; fields: RuntimeField[] }

// Prisma type -> information_schema data_type, for the types this schema uses.
const SQL_TYPE: Record<string, string> = {
  String: "text", Int: "integer", BigInt: "bigint", Json: "jsonb", Boolean: "boolean", DateTime: "timestamp with time zone",
};

describe("the migrated database and schema.prisma agree (the app's tables)", () => {
  const models = () => (app.prisma as unknown as { _runtimeDataModel: { models: Record<string, RuntimeModel> } })._runtimeDataModel.models;
  const tableOf = (name: string) => models()[name].dbName ?? name;

  it("every model's table has exactly the model's columns, with matching types", async () => {
    const names = Object.keys(models());
    expect(names).toContain("Outbox");
    for (const [name, model] of Object.entries(models())) {
      const table = tableOf(name);
      const cols = await t.sql<{ column_name: string; data_type: string; udt_name: string }>(
        "SELECT column_name, data_type, udt_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1",
        [table],
      );
      const byName = new Map(cols.map((c) => [c.column_name, c]));
      const scalar = model.fields.filter((f) => f.kind === "scalar" || f.kind === "enum");
      expect(new Set(scalar.map((f) => f.dbName ?? f.name)), `columns of ${table}`).toEqual(new Set(byName.keys()));
      for (const f of scalar) {
        const col = byName.get(f.dbName ?? f.name)!;
        if (f.kind === "enum") expect(col.data_type, `${table}.${f.name}`).toBe("USER-DEFINED");
        else if (col.data_type === "ARRAY") expect(col.udt_name, `${table}.${f.name}`).toBe(`_${SQL_TYPE[f.type] === "bigint" ? "int8" : SQL_TYPE[f.type]}`);
        else expect(col.data_type, `${table}.${f.name}`).toBe(SQL_TYPE[f.type]);
      }
    }
  });

  it("public holds the models' tables and Prisma's migration table, nothing else", async () => {
    const tables = await t.sql<{ relname: string }>(
      "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p', 'v', 'm') ORDER BY relname",
    );
    const expected = [...Object.keys(models()).map(tableOf), "_prisma_migrations"].sort();
    expect(tables.map((r) => r.relname)).toEqual(expected);
  });

  it("the generated client (lib/db.ts createDatabase) reads every model", async () => {
    const client = app.prisma as unknown as Record<string, { findMany(args: object): Promise<unknown[]> }>;
    for (const name of Object.keys(models())) {
      const delegate = client[name.charAt(0).toLowerCase() + name.slice(1)];
      await expect(delegate.findMany({ take: 1 }), name).resolves.toBeInstanceOf(Array);
    }
  });

  it("the generated client writes and reads back an outbox row with every field", async () => {
    const createdAt = new Date("2030-01-02T03:04:05.678Z");
    const o = await app.prisma.outbox.create({ data: { jobId: 9_007_199_254_740_993n, to: "a@b.co", subject: "s", body: "b", createdAt } });
    expect(await app.prisma.outbox.findUniqueOrThrow({ where: { id: o.id } })).toEqual({
      id: o.id, jobId: 9_007_199_254_740_993n, to: "a@b.co", subject: "s", body: "b", createdAt,
    });
    const bare = await app.prisma.outbox.create({ data: { jobId: 1n, to: "c@d.co", subject: "t" } });
    expect(await app.prisma.outbox.findUniqueOrThrow({ where: { id: bare.id } })).toMatchObject({ body: null, createdAt: expect.any(Date) });
    // The same rows as plain SQL sees them: the model's columns are the table's.
    const rows = await t.sql<{ job_id: string; subject: string }>("SELECT job_id::text, subject FROM public.outbox ORDER BY id");
    expect(rows).toEqual([{ job_id: "9007199254740993", subject: "s" }, { job_id: "1", subject: "t" }]);
  });
});

describe("the engine's tables live in schema cronbound, with the indexes and constraints the engine relies on", () => {
  it("nothing of the engine is in public", async () => {
    const [probe] = await t.sql<{ jobs: string | null; schedules: string | null; status: string | null; migrations: string | null }>(
      `SELECT to_regclass('public.jobs')::text AS jobs, to_regclass('public.schedules')::text AS schedules,
              to_regtype('public.job_status')::text AS status, to_regclass('public.migrations')::text AS migrations`,
    );
    expect(probe).toEqual({ jobs: null, schedules: null, status: null, migrations: null });
    const types = await t.sql<{ typname: string }>("SELECT typname FROM pg_type WHERE typnamespace = 'public'::regnamespace AND typtype = 'e'");
    expect(types).toEqual([]);
  });

  it("cronbound holds jobs, schedules, the job_status enum and its own migrations table", async () => {
    // The full list per migration is tests/package/migrate.test.ts's; here, the tables the app's queue runs on.
    const tables = await t.sql<{ relname: string }>(
      "SELECT relname FROM pg_class WHERE relnamespace = 'cronbound'::regnamespace AND relkind = 'r' ORDER BY relname",
    );
    expect(tables.map((r) => r.relname)).toEqual(expect.arrayContaining(["jobs", "migrations", "schedules"]));
    const [status] = await t.sql<{ labels: string[] }>(
      "SELECT enum_range(NULL::cronbound.job_status)::text[] AS labels",
    );
    expect(status.labels).toEqual(["pending", "processing", "completed", "failed", "cancelled"]);
  });

  it("the partial indexes match the claim, rescue, dependency, dead-job and retention queries", async () => {
    // On the plain pool (default search_path), so the definitions print fully qualified.
    const { rows } = await t.pool.query<{ indexname: string; indexdef: string }>(
      "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'cronbound' AND tablename = 'jobs'",
    );
    const def = Object.fromEntries(rows.map((r) => [r.indexname, r.indexdef]));
    const status = (s: string) => `'${s}'::cronbound.job_status`;
    // The claim: WHERE status = 'pending' AND NOT blocked AND flow_key IS NULL ORDER BY priority, run_at, id
    // (jobs of limited types have their own index, jobs_flow_claim_idx: docs/FLOW-CONTROL.md).
    expect(def.jobs_claim_idx).toBe(
      `CREATE INDEX jobs_claim_idx ON cronbound.jobs USING btree (priority, run_at, id) WHERE ((status = ${status("pending")}) AND (NOT blocked) AND (flow_key IS NULL))`,
    );
    // The rescue: WHERE status = 'processing' AND locked_until < now.
    expect(def.jobs_lease_idx).toBe(`CREATE INDEX jobs_lease_idx ON cronbound.jobs USING btree (locked_until) WHERE (status = ${status("processing")})`);
    // The dependency sweep and the targeted release: blocked jobs only.
    expect(def.jobs_blocked_idx).toBe(`CREATE INDEX jobs_blocked_idx ON cronbound.jobs USING btree (id) WHERE ((status = ${status("pending")}) AND blocked)`);
    expect(def.jobs_depends_on_idx).toBe(
      `CREATE INDEX jobs_depends_on_idx ON cronbound.jobs USING gin (depends_on) WHERE ((status = ${status("pending")}) AND blocked)`,
    );
    // retryJobs by type and the dashboard's dead jobs.
    expect(def.jobs_dead_idx).toBe(
      `CREATE INDEX jobs_dead_idx ON cronbound.jobs USING btree (type, id) WHERE (status = ANY (ARRAY[${status("failed")}, ${status("cancelled")}]))`,
    );
    // Retention: one range of finished_at per finished status.
    expect(def.jobs_finished_idx).toBe(
      `CREATE INDEX jobs_finished_idx ON cronbound.jobs USING btree (status, finished_at) WHERE (status = ANY (ARRAY[${status("completed")}, ${status("failed")}, ${status("cancelled")}]))`,
    );
    // A repeated idempotency key (and a schedule's fire time) is refused by the database itself;
    // jobs without a key have no entry (migration 0007: no index write per transition for them).
    expect(def.jobs_idempotency_key_idx).toBe(
      "CREATE UNIQUE INDEX jobs_idempotency_key_idx ON cronbound.jobs USING btree (idempotency_key) WHERE (idempotency_key IS NOT NULL)",
    );
    expect(def.jobs_idempotency_key_key).toBeUndefined();
  });

  it("a CHECK constraint refuses a processing job without a lease, and a lease on any other status", async () => {
    await expect(t.sql("INSERT INTO jobs (type, payload, status, timeout_ms) VALUES ('noop', '{}', 'processing', 1000)")).rejects.toThrow(/jobs_lease_check/);
    await expect(
      t.sql("INSERT INTO jobs (type, payload, status, timeout_ms, locked_by, locked_at) VALUES ('noop', '{}', 'processing', 1000, 'w', now())"),
    ).rejects.toThrow(/jobs_lease_check/);
    await expect(
      t.sql("INSERT INTO jobs (type, payload, status, timeout_ms, locked_by, locked_at, locked_until) VALUES ('noop', '{}', 'pending', 1000, 'w', now(), now())"),
    ).rejects.toThrow(/jobs_lease_check/);
    const [ok] = await t.sql<{ id: string }>(
      "INSERT INTO jobs (type, payload, status, timeout_ms, attempts, locked_by, locked_at, locked_until) VALUES ('noop', '{}', 'processing', 1000, 1, 'w', now(), now()) RETURNING id::text",
    );
    await t.sql("DELETE FROM jobs WHERE id = $1", [ok.id]);
  });

  it("a CHECK constraint ties finished_at to the finished statuses, both ways", async () => {
    for (const status of ["completed", "failed", "cancelled"]) {
      await expect(t.sql(`INSERT INTO jobs (type, payload, status, timeout_ms) VALUES ('noop', '{}', '${status}', 1000)`), status).rejects.toThrow(/jobs_finished_check/);
    }
    await expect(t.sql("INSERT INTO jobs (type, payload, status, timeout_ms, finished_at) VALUES ('noop', '{}', 'pending', 1000, now())")).rejects.toThrow(
      /jobs_finished_check/,
    );
    const [ok] = await t.sql<{ id: string }>(
      "INSERT INTO jobs (type, payload, status, timeout_ms, finished_at) VALUES ('noop', '{}', 'completed', 1000, now()) RETURNING id::text",
    );
    await t.sql("DELETE FROM jobs WHERE id = $1", [ok.id]);
  });
});

describe("the migration runners", () => {
  it("the app's runner records every migration the way Prisma does (sha256 of migration.sql) and is idempotent", async () => {
    const dirs = (await readdir(MIGRATIONS_DIR, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort();
    const rows = await t.sql<{ migration_name: string; checksum: string; finished_at: Date | null; applied_steps_count: number }>(
      "SELECT migration_name, checksum, finished_at, applied_steps_count FROM public._prisma_migrations ORDER BY migration_name",
    );
    expect(rows.map((r) => r.migration_name)).toEqual(dirs);
    for (const r of rows) {
      const sql = await readFile(path.join(MIGRATIONS_DIR, r.migration_name, "migration.sql"));
      expect(r.checksum).toBe(createHash("sha256").update(sql).digest("hex"));
      expect(r.finished_at).not.toBeNull();
    }
    const again = await migrate(t.url);
    expect(again).toEqual({ applied: [], alreadyApplied: dirs });
  });

  it("db:migrate (migrateDatabase) on a migrated database applies nothing: the engine's migrations, then the app's", async () => {
    // tests/package/migrate.test.ts covers the engine's migrator itself; this is the app's composition of the two.
    const engine = await t.sql<{ name: string }>("SELECT name FROM cronbound.migrations ORDER BY id");
    const dirs = (await readdir(MIGRATIONS_DIR, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort();
    expect(engine.length).toBeGreaterThan(0);
    expect(await migrateDatabase(t.url)).toEqual({ applied: [], alreadyApplied: [...engine.map((r) => `cronbound/${r.name}`), ...dirs] });
  });

  it("the app's runner rolls back a failing migration whole and records nothing for it", async () => {
    const { mkdtemp, mkdir, writeFile } = await import("node:fs/promises");
    const os = await import("node:os");
    const dir = await mkdtemp(path.join(os.tmpdir(), "cb-mig-"));
    await mkdir(path.join(dir, "20990101000000_broken"));
    await writeFile(path.join(dir, "20990101000000_broken", "migration.sql"), "CREATE TABLE half_done (id int);\nSELECT no_such_function();");
    await expect(migrate(t.url, { dir })).rejects.toThrow(/migration 20990101000000_broken failed/);
    expect(await t.sql("SELECT 1 FROM information_schema.tables WHERE table_name = 'half_done'")).toEqual([]);
    expect(await t.sql("SELECT 1 FROM public._prisma_migrations WHERE migration_name = '20990101000000_broken'")).toEqual([]);
  });
});
