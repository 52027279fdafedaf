// The engine's own tests run its modules from source (src/), on the databases and job types of
// the repository's test helpers.
import type pg from "pg";
import type { TestDatabase } from "../../../tests/helpers/db.ts";
import { testRegistry } from "../../../tests/helpers/registry.ts";
import type { ConfigInput } from "../src/config.ts";
import type { Engine } from "../src/engine/context.ts";
import type { AnyJobType, Registry } from "../src/engine/define.ts";
import { silentLogger } from "../src/logger.ts";
import { pgExecutor } from "../src/pg.ts";
import { createQueue } from "../src/queue.ts";

export { useTestDatabase, type TestDatabase } from "../../../tests/helpers/db.ts";
export { EFFECTS_SQL, testRegistry } from "../../../tests/helpers/registry.ts";

/** The engine context (database, tables, registry, config) the engine's functions take, on `pool` (default: the database's). */
export function engineOf(t: TestDatabase, options: { registry?: Registry<Record<string, AnyJobType>>; config?: ConfigInput; pool?: pg.Pool } = {}): Engine {
  return createQueue({
    db: pgExecutor(options.pool ?? t.pool),
    registry: options.registry ?? testRegistry,
    config: { production: false, ...options.config },
    logger: silentLogger,
  }).engine();
}
