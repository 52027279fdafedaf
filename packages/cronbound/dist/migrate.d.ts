import { type PgPoolLike, type PgQueryable } from "./db.ts";
import { type Logger } from "./logger.ts";
/** The folder of the package's SQL migrations, next to src/ and dist/. */
export declare const MIGRATIONS_DIR: string;
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
export declare class MigrationError extends Error {
    constructor(message: string);
}
interface Migration {
    id: number;
    name: string;
    text: string;
    checksum: string;
}
export declare function loadMigrations(dir?: string): Promise<Migration[]>;
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
export declare function migrate(target: string | PgQueryable | PgPoolLike, options?: MigrateOptions): Promise<MigrationResult>;
export {};
