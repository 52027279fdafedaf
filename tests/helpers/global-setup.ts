// Runs once before all test files: finds or starts a PostgreSQL server and builds a migrated
// template database that every test file clones (CREATE DATABASE ... TEMPLATE: ~50 ms each).
// `npm test` builds packages/cronbound first (pretest), so tests import the package as an app does.
//
// Which server: TEST_DATABASE_URL, else DATABASE_URL (any database on it; the tests create
// their own), else an embedded PostgreSQL started here, so `npm test` needs no setup at all.
import path from "node:path";
import pg from "pg";
import { withDatabase } from "./url.ts";
import type { TestProject } from "vitest/node";
import { startEmbeddedPostgres, type EmbeddedServer } from "../../lib/embedded-postgres.ts";
import { migrateDatabase } from "../../lib/migrate.ts";

declare module "vitest" {
  export interface ProvidedContext {
    adminUrl: string;
    templateDb: string;
    embedded: boolean;
  }
}


let server: EmbeddedServer | undefined;
let adminUrl: string;
let templateDb: string;

export async function setup(project: TestProject) {
  const given = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL;
  if (given) {
    adminUrl = given;
  } else {
    const dir = path.resolve("tests/.tmp/embedded-pg");
    server = await startEmbeddedPostgres(dir, { log: (l) => console.log(`[tests] ${l}`) });
    adminUrl = server.url;
    console.log(`[tests] no TEST_DATABASE_URL or DATABASE_URL: using an embedded PostgreSQL on port ${server.port}`);
  }
  templateDb = `cb_template_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${templateDb}`);
    await admin.query(`CREATE DATABASE ${templateDb}`);
  } finally {
    await admin.end();
  }
  // The engine's schema (cronbound's own migrations) and the reference app's tables (outbox).
  await migrateDatabase(withDatabase(adminUrl, templateDb));
  project.provide("adminUrl", adminUrl);
  project.provide("templateDb", templateDb);
  project.provide("embedded", Boolean(server));
}

export async function teardown() {
  if (adminUrl) {
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    try {
      // Drop what this run created (clones are named after the template).
      const { rows } = await admin.query<{ datname: string }>(
        `SELECT datname FROM pg_database WHERE datname LIKE $1 OR datname = $2`,
        [`cb_t${process.pid}_%`, templateDb],
      );
      for (const r of rows) await admin.query(`DROP DATABASE IF EXISTS "${r.datname}" WITH (FORCE)`);
    } finally {
      await admin.end();
    }
  }
  await server?.stop();
}
