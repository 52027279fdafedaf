import { createHash } from "node:crypto";
import { readFile, readdir } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MIGRATIONS_DIR, migrate } from "../../lib/migrate.ts";
import { testDatabase, type TestDatabase } from "../helpers/db.ts";

let t: TestDatabase;
beforeAll(async () => {
  t = await testDatabase();
});
afterAll(async () => t?.close());

interface RuntimeField { name: string; kind: string; type: string; dbName?: string }
interface RuntimeModel { dbName: string | null; fields: RuntimeField[] }

// Prisma type -> information_schema data_type, for the types this schema uses.
const SQL_TYPE: Record<string, string> = {
  String: "text", Int: "integer", BigInt: "bigint", Json: "jsonb", Boolean: "boolean", DateTime: "timestamp with time zone",
};

describe("the migrated database and schema.prisma agree", () => {
  const models = () => (t.prisma as unknown as { _runtimeDataModel: { models: Record<string, RuntimeModel> } })._runtimeDataModel.models;

  it("every model's table has exactly the model's columns, with matching types", async () => {
    const names = Object.keys(models());
    expect(names.length).toBeGreaterThanOrEqual(2);
    for (const [name, model] of Object.entries(models())) {
      const table = model.dbName ?? name;
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

  it("the generated client reads every model", async () => {
    const client = t.prisma as unknown as Record<string, { findMany(args: object): Promise<unknown[]> }>;
    for (const name of Object.keys(models())) {
      const delegate = client[name.charAt(0).toLowerCase() + name.slice(1)];
      await expect(delegate.findMany({ take: 1 })).resolves.toBeInstanceOf(Array);
    }
  });

  it("the generated client writes and reads back a job and an outbox row with every field", async () => {
    const job = await t.prisma.job.create({
      data: {
        type: "noop", payload: { a: 1 }, status: "failed", priority: 3, attempts: 2, maxAttempts: 4, timeoutMs: 1000,
        lastError: "x", errors: [{ attempt: 1, error: "x", at: "2030-01-01T00:00:00Z" }], result: { r: true },
        progress: 0.5, idempotencyKey: "schema-test", dependsOn: [], blocked: false, finishedAt: new Date(),
      },
    });
    const back = await t.prisma.job.findUniqueOrThrow({ where: { id: job.id } });
    expect(back).toMatchObject({ status: "failed", priority: 3, payload: { a: 1 }, progress: 0.5, idempotencyKey: "schema-test" });
    const o = await t.prisma.outbox.create({ data: { jobId: job.id, to: "a@b.co", subject: "s" } });
    expect(await t.prisma.outbox.findUniqueOrThrow({ where: { id: o.id } })).toMatchObject({ to: "a@b.co", body: null });
  });

  it("a CHECK constraint refuses a processing job without a lease", async () => {
    await expect(t.sql("INSERT INTO jobs (type, payload, status, timeout_ms) VALUES ('noop', '{}', 'processing', 1000)")).rejects.toThrow(/jobs_lease_check/);
  });
});

describe("the migration runner", () => {
  it("records every migration the way Prisma does (sha256 of migration.sql) and is idempotent", async () => {
    const dirs = (await readdir(MIGRATIONS_DIR, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort();
    const rows = await t.sql<{ migration_name: string; checksum: string; finished_at: Date | null; applied_steps_count: number }>(
      "SELECT migration_name, checksum, finished_at, applied_steps_count FROM _prisma_migrations ORDER BY migration_name",
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

  it("rolls back a failing migration whole and records nothing for it", async () => {
    const { mkdtemp, mkdir, writeFile } = await import("node:fs/promises");
    const os = await import("node:os");
    const dir = await mkdtemp(path.join(os.tmpdir(), "cb-mig-"));
    await mkdir(path.join(dir, "20990101000000_broken"));
    await writeFile(path.join(dir, "20990101000000_broken", "migration.sql"), "CREATE TABLE half_done (id int);\nSELECT no_such_function();");
    await expect(migrate(t.url, { dir })).rejects.toThrow(/migration 20990101000000_broken failed/);
    expect(await t.sql("SELECT 1 FROM information_schema.tables WHERE table_name = 'half_done'")).toEqual([]);
    expect(await t.sql("SELECT 1 FROM _prisma_migrations WHERE migration_name = '20990101000000_broken'")).toEqual([]);
  });
});
