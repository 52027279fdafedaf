import { createHash, randomUUID } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { migrate as migrateEngine, silentLogger } from "cronbound";

export const MIGRATIONS_DIR = path.resolve(import.meta.dirname ?? path.dirname(new URL(import.meta.url).pathname), "..", "prisma", "migrations");

export interface MigrationResult {
  applied: string[];
  alreadyApplied: string[];
}

/**
 * Everything a database needs before the app runs: the engine's schema (cronbound's own
 * migrations, schema CRONBOUND_SCHEMA or "cronbound"), then the app's own Prisma migrations.
 * What `npm run db:migrate` and `npm run dev` do.
 */
export async function migrateDatabase(url: string, options: { log?: (line: string) => void } = {}): Promise<MigrationResult> {
  const log = options.log ?? (() => {});
  const engine = await migrateEngine(url, { schema: process.env.CRONBOUND_SCHEMA || undefined, logger: silentLogger });
  for (const name of engine.applied) log(`applied cronbound ${name}`);
  if (engine.movedFromPublic) log(`moved the engine's tables from public into schema "${engine.schema}"`);
  const app = await migrate(url, options);
  return {
    applied: [...engine.applied.map((n) => `cronbound/${n}`), ...app.applied],
    alreadyApplied: [...engine.alreadyApplied.map((n) => `cronbound/${n}`), ...app.alreadyApplied],
  };
}

/**
 * The app's own migrations: apply prisma/migrations/<name>/migration.sql in name order, each in its own transaction,
 * and record it in `_prisma_migrations` exactly as Prisma does (sha256 of the file as the
 * checksum), so `prisma migrate deploy` on a machine with Prisma's engine sees them as applied.
 *
 * A transaction-scoped advisory lock serializes concurrent runners (two instances starting at
 * once). Use a direct connection, not a transaction-mode pooler: DDL wants one.
 */
export async function migrate(url: string, options: { dir?: string; log?: (line: string) => void } = {}): Promise<MigrationResult> {
  const dir = options.dir ?? MIGRATIONS_DIR;
  const log = options.log ?? (() => {});
  const names = (await readdir(dir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const result: MigrationResult = { applied: [], alreadyApplied: [] };
  try {
    await client.query(`
      CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
        "id" VARCHAR(36) PRIMARY KEY NOT NULL,
        "checksum" VARCHAR(64) NOT NULL,
        "finished_at" TIMESTAMPTZ,
        "migration_name" VARCHAR(255) NOT NULL,
        "logs" TEXT,
        "rolled_back_at" TIMESTAMPTZ,
        "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
        "applied_steps_count" INTEGER NOT NULL DEFAULT 0
      )`);
    for (const name of names) {
      const sql = await readFile(path.join(dir, name, "migration.sql"), "utf8");
      const checksum = createHash("sha256").update(sql).digest("hex");
      await client.query("BEGIN");
      try {
        await client.query("SELECT pg_advisory_xact_lock(72707369)"); // 'cron' in ASCII-ish: any constant
        const done = await client.query<{ checksum: string }>(
          `SELECT checksum FROM "_prisma_migrations" WHERE migration_name = $1 AND finished_at IS NOT NULL AND rolled_back_at IS NULL`,
          [name],
        );
        if (done.rows.length) {
          await client.query("COMMIT");
          if (done.rows[0].checksum !== checksum) {
            log(`warning: migration ${name} was edited after it was applied (checksum differs)`);
          }
          result.alreadyApplied.push(name);
          continue;
        }
        await client.query(sql);
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, applied_steps_count, started_at)
           VALUES ($1, $2, now(), $3, 1, now())`,
          [randomUUID(), checksum, name],
        );
        await client.query("COMMIT");
        result.applied.push(name);
        log(`applied ${name}`);
      } catch (err) {
        await client.query("ROLLBACK").catch(() => {});
        throw new Error(`migration ${name} failed: ${(err as Error).message}`, { cause: err });
      }
    }
  } finally {
    await client.end();
  }
  return result;
}
