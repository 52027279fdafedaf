// npm run db:migrate: the engine's schema (cronbound's migrations), then the app's own
// prisma/migrations, on DIRECT_DATABASE_URL or DATABASE_URL.
import { migrateDatabase } from "../lib/migrate.ts";

const url = process.env.DIRECT_DATABASE_URL || process.env.DATABASE_URL;
if (!url) {
  console.error("db:migrate: DATABASE_URL is not set (DIRECT_DATABASE_URL takes precedence when behind a pooler)");
  process.exit(1);
}
try {
  const r = await migrateDatabase(url, { log: (l) => console.log(`db:migrate: ${l}`) });
  console.log(`db:migrate: ${r.applied.length} applied, ${r.alreadyApplied.length} already applied`);
} catch (err) {
  console.error(`db:migrate: ${(err as Error).message}`);
  process.exit(1);
}
