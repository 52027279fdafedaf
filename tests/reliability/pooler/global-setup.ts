// Global setup of the pooled run (pooler.config.ts): the project's own setup builds the
// migrated template over the direct connection (DDL and CREATE DATABASE ... TEMPLATE want a
// direct one: a pooler could hold a server connection to the template open), then every test
// database is created and used through PgBouncer at TEST_POOLER_URL. Only the tests' own SQL
// for arranging and checking rows (helpers/db.ts `sql()`, which needs a search_path a
// transaction-mode pooler cannot carry) connects directly, at directUrl.
import type { TestProject } from "vitest/node";
import * as base from "../../helpers/global-setup.ts";
import { withDatabase } from "../../helpers/url.ts";

export async function setup(project: TestProject) {
  const pooler = process.env.TEST_POOLER_URL;
  if (!pooler) throw new Error("pooler.config.ts needs TEST_POOLER_URL (PgBouncer in transaction mode); run it through tests/reliability/pooler.test.ts");
  await base.setup(project);
  const direct = new URL(process.env.TEST_DATABASE_URL || process.env.DATABASE_URL || "");
  project.provide("adminUrl", withDatabase(pooler, direct.pathname.slice(1) || "postgres"));
  project.provide("directUrl", direct.toString());
}

export const teardown = base.teardown;
