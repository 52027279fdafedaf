import { type Command } from "./command.ts";
/**
 * `cronbound migrate`: create or update the engine's schema. The URL comes from
 * --database-url, else DIRECT_DATABASE_URL, else DATABASE_URL (a direct connection, not a
 * transaction-mode pooler); the schema from --schema, else CRONBOUND_SCHEMA, else "cronbound".
 * Needs no queue module, so it runs first in a build command.
 */
export declare const migrate: Command;
