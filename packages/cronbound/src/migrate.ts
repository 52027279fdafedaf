import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { isPgQueryable, type PgPoolLike, type PgQueryable } from "./db.ts";
import { jsonLogger, type Logger } from "./logger.ts";

// The engine owns its schema: its tables live in their own PostgreSQL schema (default
// `cronbound`), created by the package's own numbered SQL migrations (migrations/NNNN_name.sql)
// and recorded in that schema's own `migrations` table. A host app's migrations (Prisma's
// included) never see them, and `prisma migrate dev` cannot drop their partial indexes.

/** The folder of the package's SQL migrations, next to src/ and dist/. */
export const MIGRATIONS_DIR = fileURLToPath(new URL("../migrations/", import.meta.url));

/** Written in the SQL files where the schema's quoted name goes. */
const PLACEHOLDER = /:CRONBOUND_SCHEMA\b/g;

export interface MigrateOptions {
  /** The schema to create and migrate. Default "cronbound". */
  schema?: string;
  logger?: Logger;
  /** Another folder of migrations (tests). */
  dir?: string;
}

export interface MigrationResult {
  schema: string;
  applied: string[];
  alreadyApplied: string[];
  /** True when the tables of the layout before 0.2 (public.jobs, public.schedules) were moved into the schema. */
  movedFromPublic: boolean;
}

export class MigrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MigrationError";
  }
}

interface Migration {
  id: number;
  name: string;
  text: string;
  checksum: string;
}

export async function loadMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f)).sort();
  return Promise.all(
    files.map(async (file) => {
      const text = await readFile(`${dir.replace(/\/?$/, "/")}${file}`, "utf8");
      return { id: Number(file.slice(0, 4)), name: file.replace(/\.sql$/, ""), text, checksum: createHash("sha256").update(text).digest("hex") };
    }),
  );
}

// The engine's migrations as the layout before 0.2 recorded them in public._prisma_migrations.
const PUBLIC_LAYOUT = ["20261128000000_init", "20261128010000_schedules", "20261128020000_status_type_index"];

/**
 * Create the schema and apply every migration not yet applied, in one transaction under a
 * transaction-scoped advisory lock keyed on the schema: two deploys migrating at once take
 * turns, and the second finds nothing to do. An applied migration whose file changed since is
 * refused (MigrationError) and nothing is applied; so is a database migrated by a newer
 * cronbound. `target` is a connection URL (use a direct one, not a transaction-mode pooler),
 * or a `pg` Pool or Client.
 *
 * A database set up by the layout before 0.2 (the engine's tables in `public`, recorded by
 * Prisma as PUBLIC_LAYOUT) has those tables moved into the schema, with their rows, and
 * migration 0001 recorded as applied.
 */
export async function migrate(target: string | PgQueryable | PgPoolLike, options: MigrateOptions = {}): Promise<MigrationResult> {
  const schema = options.schema ?? "cronbound";
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new MigrationError(`schema ${JSON.stringify(schema)} must be a lower-case PostgreSQL identifier (letters, digits, _)`);
  const log = options.logger ?? jsonLogger();
  const migrations = await loadMigrations(options.dir);
  const { client, release } = await connect(target);
  const q = async <R>(text: string, values?: unknown[]) => (await client.query({ text, values })).rows as R[];
  const s = `"${schema}"`;
  const result: MigrationResult = { schema, applied: [], alreadyApplied: [], movedFromPublic: false };
  try {
    await q("BEGIN");
    try {
      await q("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [`cronbound.migrate:${schema}`]);
      await q(`CREATE SCHEMA IF NOT EXISTS ${s}`);
      await q(`CREATE TABLE IF NOT EXISTS ${s}."migrations" (
        "id" INTEGER PRIMARY KEY, "name" TEXT NOT NULL, "checksum" TEXT NOT NULL,
        "applied_at" TIMESTAMPTZ NOT NULL DEFAULT now())`);
      const applied = await q<{ id: number; name: string; checksum: string }>(`SELECT id, name, checksum FROM ${s}."migrations" ORDER BY id`);
      const known = new Map(migrations.map((m) => [m.id, m]));
      for (const a of applied) {
        const m = known.get(a.id);
        if (!m) {
          throw new MigrationError(
            `schema "${schema}" has migration ${a.name}, which this version of cronbound does not have: the database was migrated by a newer cronbound; upgrade the package`,
          );
        }
        if (m.checksum !== a.checksum) {
          throw new MigrationError(
            `migration ${m.name} was changed after it was applied to schema "${schema}" (checksum ${a.checksum.slice(0, 12)} applied, ${m.checksum.slice(0, 12)} on disk); ` +
              "an applied migration must never change: restore the original file and add a new migration instead",
          );
        }
        result.alreadyApplied.push(m.name);
      }
      const appliedIds = new Set(applied.map((a) => a.id));
      if (!applied.length && (await movePublicLayout(q, s))) {
        const first = migrations[0];
        await q(`INSERT INTO ${s}."migrations" (id, name, checksum) VALUES ($1, $2, $3)`, [first.id, first.name, first.checksum]);
        appliedIds.add(first.id);
        result.movedFromPublic = true;
        log.info({ event: "migrated_public_layout", schema }, `moved the engine's tables from "public" into "${schema}"; recorded ${first.name} as applied`);
      }
      for (const m of migrations) {
        if (appliedIds.has(m.id)) continue;
        try {
          await q(m.text.replace(PLACEHOLDER, s));
        } catch (err) {
          throw new MigrationError(`migration ${m.name} failed on schema "${schema}": ${(err as Error).message}`);
        }
        await q(`INSERT INTO ${s}."migrations" (id, name, checksum) VALUES ($1, $2, $3)`, [m.id, m.name, m.checksum]);
        result.applied.push(m.name);
        log.info({ event: "migration_applied", schema, migration: m.name }, `applied ${m.name}`);
      }
      await q("COMMIT");
    } catch (err) {
      await q("ROLLBACK").catch(() => {});
      throw err;
    }
  } finally {
    await release();
  }
  return result;
}

/**
 * The layout before 0.2 kept the engine's tables in `public`. When its three migrations are
 * recorded in public._prisma_migrations and public.jobs exists, move the tables and the enum
 * (indexes, constraints and the id sequence move with their table). Only then: a table the
 * app itself calls `jobs` is never touched.
 */
async function movePublicLayout(q: <R>(text: string, values?: unknown[]) => Promise<R[]>, s: string): Promise<boolean> {
  const [probe] = await q<{ jobs: boolean; prisma: boolean }>(
    `SELECT to_regclass('public.jobs') IS NOT NULL AS jobs, to_regclass('public._prisma_migrations') IS NOT NULL AS prisma`,
  );
  if (!probe.jobs || !probe.prisma) return false;
  const rows = await q<{ name: string }>(
    `SELECT migration_name AS name FROM public._prisma_migrations
     WHERE migration_name = ANY($1) AND finished_at IS NOT NULL AND rolled_back_at IS NULL`,
    [PUBLIC_LAYOUT],
  );
  if (rows.length === 0) return false;
  if (rows.length < PUBLIC_LAYOUT.length) {
    const have = new Set(rows.map((r) => r.name));
    throw new MigrationError(
      `public.jobs is from an earlier cronbound whose migrations are only partly applied (missing ${PUBLIC_LAYOUT.filter((n) => !have.has(n)).join(", ")}); ` +
        "apply them with that version first, then run cronbound migrate",
    );
  }
  await q(`ALTER TABLE public."jobs" SET SCHEMA ${s}`);
  await q(`ALTER TABLE public."schedules" SET SCHEMA ${s}`);
  await q(`ALTER TYPE public."job_status" SET SCHEMA ${s}`);
  return true;
}

async function connect(target: string | PgQueryable | PgPoolLike): Promise<{ client: PgQueryable; release: () => Promise<void> }> {
  if (typeof target === "string") {
    if (!/^postgres(ql)?:\/\//.test(target)) throw new MigrationError("migrate: expected a postgres:// or postgresql:// URL");
    const { default: pg } = await import("pg");
    const client = new pg.Client({ connectionString: target });
    await client.connect();
    return { client: client as unknown as PgQueryable, release: () => client.end() };
  }
  if (!isPgQueryable(target)) throw new MigrationError("migrate: expected a connection URL, a pg Pool or a pg Client");
  const pool = target as PgPoolLike;
  // A Pool: take one client so the transaction and its lock stay on one connection.
  if (typeof pool.connect === "function" && "totalCount" in pool) {
    const client = await pool.connect();
    return { client, release: async () => client.release() };
  }
  return { client: target, release: async () => {} };
}
