// `prisma generate`, made to work without network access.
//
// Every Prisma CLI command first tries to download the native schema engine, even `generate`,
// which never runs it; on a machine with no access to Prisma's binary host that fails with
// ENOTFOUND. Pointing PRISMA_SCHEMA_ENGINE_BINARY at an existing file skips the download. We
// point it at a stub that exits non-zero (an empty file would let `migrate` "succeed" while doing
// nothing), and only for this command, so `prisma migrate deploy` elsewhere keeps the real engine.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import path from "node:path";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const stub = path.join(root, "scripts", "schema-engine-unavailable.sh");
const prismaBin = path.join(root, "node_modules", "prisma", "build", "index.js");

const run = spawnSync(process.execPath, [prismaBin, "generate"], {
  cwd: root,
  stdio: "inherit",
  env: {
    ...process.env,
    PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? stub,
    PRISMA_HIDE_UPDATE_MESSAGE: "1",
    CHECKPOINT_DISABLE: "1",
  },
});
process.exit(run.status ?? 1);
