import { migrate as runMigrations, MigrationError } from "../migrate.ts";
import { InputError, json, parse, type Command } from "./command.ts";

/**
 * `cronbound migrate`: create or update the engine's schema. The URL comes from
 * --database-url, else DIRECT_DATABASE_URL, else DATABASE_URL (a direct connection, not a
 * transaction-mode pooler); the schema from --schema, else CRONBOUND_SCHEMA, else "cronbound".
 * Needs no queue module, so it runs first in a build command.
 */
export const migrate: Command = {
  name: "migrate",
  usage: "[--database-url URL] [--schema NAME]",
  summary: "create or update the engine's tables in their own schema (idempotent; safe when two deploys run it at once)",
  async run(argv, ctx) {
    const { values } = parse(argv, { "database-url": { type: "string" }, schema: { type: "string" } }, { min: 0, max: 0 });
    const url = values["database-url"] || ctx.env.DIRECT_DATABASE_URL || ctx.env.DATABASE_URL;
    if (!url) throw new InputError("no database: pass --database-url, or set DIRECT_DATABASE_URL or DATABASE_URL");
    const schema = values.schema || ctx.env.CRONBOUND_SCHEMA || "cronbound";
    try {
      const r = await runMigrations(url, { schema, logger: ctx.logger });
      ctx.out(json({ schema: r.schema, applied: r.applied, alreadyApplied: r.alreadyApplied.length, movedFromPublic: r.movedFromPublic }));
    } catch (err) {
      if (err instanceof MigrationError) throw new InputError(err.message);
      throw err;
    }
  },
};
