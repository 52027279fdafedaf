// npm run jobs -- <command>: the operator CLI (see lib/cli/index.ts for the commands).
import { createDatabase, type Database } from "../lib/db.ts";
import { runCli } from "../lib/cli/index.ts";
import { NO_DATABASE, resolveDatabaseUrl } from "../lib/dev/database-url.ts";
import { env } from "../lib/env.ts";
import { registry } from "../lib/job-types/index.ts";

let database: Database | undefined;
const stop = new AbortController();
for (const s of ["SIGINT", "SIGTERM"] as const) {
  process.on(s, () => (stop.signal.aborted ? process.exit(130) : stop.abort()));
}

const code = await runCli(process.argv.slice(2), {
  registry,
  db() {
    if (!database) {
      if (!resolveDatabaseUrl()) throw new Error(NO_DATABASE);
      database = createDatabase(env().DATABASE_URL, { max: 2 });
    }
    return database.prisma;
  },
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  signal: stop.signal,
});
await database?.close().catch(() => {});
process.exit(code);
