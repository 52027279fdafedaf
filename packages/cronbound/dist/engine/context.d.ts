import type { Config } from "../config.ts";
import type { Executor } from "../db.ts";
import type { Logger } from "../logger.ts";
import { type Sql } from "../sql.ts";
import type { Registry } from "./define.ts";
/**
 * The engine's tables, schema-qualified. Every statement names them through here, so the
 * schema is configurable (`config.schema`) and a host app's own `jobs` table is never touched.
 */
export interface Tables {
    schema: string;
    jobs: Sql;
    schedules: Sql;
    /** The `job_status` enum type, for casts. */
    status: Sql;
    migrations: Sql;
}
export declare function tables(schema: string): Tables;
/**
 * What every engine function works with: the database, the tables, the job types, the
 * settings and the logger. A queue holds one; `withDb` swaps the database (a caller's
 * transaction) and keeps the rest.
 */
export interface Engine {
    db: Executor;
    t: Tables;
    registry: Registry;
    config: Config;
    log: Logger;
}
export declare function withDb(e: Engine, db: Executor): Engine;
