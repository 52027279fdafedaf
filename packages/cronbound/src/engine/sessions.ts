import { createHmac, randomBytes } from "node:crypto";
import { execute, queryRows } from "../db.ts";
import { sql } from "../sql.ts";
import type { Engine } from "./context.ts";
import { clock } from "./types.ts";

// Server-side sessions (table sessions, migration 0003) for the dashboard's sign-in. The
// cookie carries a random 256-bit id; the table holds HMAC-SHA256(secret, id), so a row
// cannot be turned back into a cookie, and a new secret matches no row (everybody is signed out).
// A session ends when it expires or when its owner signs out (the row is deleted).

const ID = /^[A-Za-z0-9_-]{43}$/;
const hashOf = (secret: string, id: string) => createHmac("sha256", secret).update(`session:${id}`).digest("base64url");

/** A new session for `ttlMs`; returns the id to put in the cookie. Expired sessions are deleted (a few at a time). */
export async function createSession(e: Engine, secret: string, ttlMs: number, now?: Date): Promise<string> {
  const id = randomBytes(32).toString("base64url");
  await execute(e.db, sql`
    WITH gc AS (
      DELETE FROM ${e.t.sessions} WHERE id_hash IN (
        SELECT id_hash FROM ${e.t.sessions} WHERE expires_at <= ${clock(now)} ORDER BY expires_at LIMIT 100)
    )
    INSERT INTO ${e.t.sessions} (id_hash, created_at, expires_at)
    VALUES (${hashOf(secret, id)}, ${clock(now)}, ${clock(now)} + ${Math.round(ttlMs)}::bigint * interval '1 millisecond')`);
  return id;
}

/** True when `id` is a live session under this secret. */
export async function sessionIsValid(e: Engine, secret: string, id: string | undefined, now?: Date): Promise<boolean> {
  if (!id || !ID.test(id)) return false;
  const rows = await queryRows<{ ok: boolean }>(e.db, sql`
    SELECT true AS ok FROM ${e.t.sessions} WHERE id_hash = ${hashOf(secret, id)} AND expires_at > ${clock(now)}`);
  return rows.length === 1;
}

/** Ends the session (sign-out). Returns whether there was one. */
export async function endSession(e: Engine, secret: string, id: string | undefined): Promise<boolean> {
  if (!id || !ID.test(id)) return false;
  return (await execute(e.db, sql`DELETE FROM ${e.t.sessions} WHERE id_hash = ${hashOf(secret, id)}`)) > 0;
}
