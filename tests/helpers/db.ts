import { randomBytes } from "node:crypto";
import pg from "pg";
import { withDatabase } from "./url.ts";
import { inject } from "vitest";
import { createDatabase, type Database } from "../../lib/db.ts";


export interface TestDatabase extends Database {
  name: string;
  url: string;
  /** Plain SQL on a separate pg pool, for arranging and checking rows. */
  sql<T extends pg.QueryResultRow = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
}

/**
 * A fresh, migrated database for one test file, cloned from the run's template. Named
 * cb_t<setup pid>_<random> so global teardown drops it.
 */
export async function testDatabase(options: { poolMax?: number } = {}): Promise<TestDatabase> {
  const adminUrl = inject("adminUrl");
  const template = inject("templateDb");
  const pid = template.replace("cb_template_", "");
  const name = `cb_t${pid}_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(adminUrl, name);
  const base = createDatabase(url, { max: options.poolMax ?? 10 });
  const plain = new pg.Pool({ connectionString: url, max: 4 });
  return {
    ...base,
    name,
    url,
    async sql(text, params) {
      return (await plain.query(text, params)).rows;
    },
    async close() {
      await base.close();
      await plain.end();
    },
  } as TestDatabase;
}
