import { createHash } from "node:crypto";
import type { Sql } from "./sql.ts";
import type { PgTypes } from "./timestamps.ts";

/**
 * The engine's only way to reach PostgreSQL. Every engine module takes one of these; none
 * imports a driver, an ORM or the host app. Two ship with the package: `pgExecutor` over a
 * `pg` Pool (cronbound/pg) and `prismaExecutor` over a PrismaClient (cronbound/prisma).
 *
 * Row shapes the engine relies on (both executors give them): json/jsonb parsed, timestamptz
 * as Date, int4 as number, text as string. The engine casts ids (bigint) to text and counts to
 * int itself, so bigint and numeric parsing never matter.
 *
 * Nothing the engine sends keeps session state (no SET, no LISTEN, no session advisory lock),
 * so an executor may sit on a transaction-mode pooler. The exceptions: `listen`, which only
 * the long-running worker uses, on a connection of its own, after checking that a
 * notification comes back through it (engine/wake.ts); and named prepared statements, which
 * the executors over a pg Pool send until a connection shows it does not keep them
 * (NamedStatements below).
 */
export interface Executor {
  /** Rows of one statement (`$1`-style placeholders). */
  query<R = Record<string, unknown>>(text: string, values?: readonly unknown[]): Promise<R[]>;
  /** Rows affected by one statement. */
  execute(text: string, values?: readonly unknown[]): Promise<number>;
  /** Run `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Executor) => Promise<T>): Promise<T>;
  /**
   * An executor whose statements join the caller's own open transaction: a Prisma
   * `$transaction` client, or a `pg` client after BEGIN. What `enqueue(..., { tx })` uses.
   */
  join(tx: unknown): Executor;
  /** Short name for logs: "pg", "prisma+pg", "prisma". */
  readonly kind: string;
  /**
   * Open a connection of its own (not one of the pool's) and LISTEN on `channel`: `onNotify`
   * gets each payload, `onLost` the error if that connection ends. Absent when the executor
   * has no way to open one (Prisma without its pool): the worker then polls.
   */
  listen?(channel: string, onNotify: (payload: string) => void, onLost: (err: Error) => void): Promise<Listening>;
  /**
   * The same executor with its statements always sent as named prepared statements (parsed
   * and planned once per connection), with no fallback. Only for connections that keep their
   * session: a transaction-mode pooler hands the next statement to a server connection that
   * never saw the name. The worker uses it when its wake probe proved a session connection.
   */
  named?(): Executor;
  /** True while this executor sends its statements as named prepared statements. */
  readonly namedStatements?: boolean;
  /** For logs: "named" (always), "auto" (named until a connection shows it keeps none), "unnamed". */
  readonly statements?: "named" | "auto" | "unnamed";
  /**
   * Set when this executor is on a path that costs noticeably more per statement than it
   * needs to (a PrismaClient without its pg pool); the queue logs it once.
   */
  readonly slowPath?: string;
}

export function queryRows<R>(db: Executor, q: Sql): Promise<R[]> {
  return db.query<R>(q.text, q.values);
}

export function execute(db: Executor, q: Sql): Promise<number> {
  return db.execute(q.text, q.values);
}

/** A LISTEN connection (Executor.listen); close() ends it. */
export interface Listening {
  close(): Promise<void>;
}

interface PgListenClient {
  connect(): Promise<unknown>;
  query(text: string): Promise<unknown>;
  end(): Promise<void>;
  on(event: "error" | "end", fn: (err?: Error) => void): unknown;
  on(event: "notification", fn: (m: { channel: string; payload?: string }) => void): unknown;
}

/**
 * Executor.listen over a pg Pool: a new client made from the pool's own Client class and
 * options (same server, same credentials), outside the pool, so it takes none of its slots.
 * Undefined when `pool` is not a pg Pool.
 */
export function pgListen(pool: PgPoolLike): Executor["listen"] {
  const p = pool as unknown as { Client?: new (options: unknown) => PgListenClient; options?: unknown };
  if (typeof p.Client !== "function" || typeof p.options !== "object" || p.options === null) return undefined;
  const Client = p.Client;
  const options = p.options;
  return async (channel, onNotify, onLost) => {
    // keepAlive: a connection that only listens sends nothing, and a NAT or load balancer
    // may drop it silently; TCP keepalives keep it alive or make its loss an 'error'.
    const client = new Client({ ...(options as object), keepAlive: true });
    let open = false;
    let closing = false;
    const lost = (err?: Error) => {
      if (open && !closing) {
        open = false;
        onLost(err ?? new Error("the wake connection ended"));
      }
    };
    client.on("error", lost);
    client.on("end", lost);
    client.on("notification", (m) => {
      if (m.channel === channel) onNotify(m.payload ?? "");
    });
    try {
      await client.connect();
      await client.query(`LISTEN "${channel.replace(/"/g, '""')}"`);
    } catch (err) {
      closing = true;
      await client.end().catch(() => {});
      throw err;
    }
    open = true;
    return {
      async close() {
        closing = true;
        await client.end().catch(() => {});
      },
    };
  };
}

/** The smallest part of `pg`'s Pool/Client the executors use (no type dependency on `pg`). */
export interface PgQueryable {
  query(config: { text: string; values?: unknown[]; name?: string; types?: PgTypes }): Promise<{ rows: unknown[]; rowCount: number | null }>;
}

export interface PgPoolLike extends PgQueryable {
  connect(): Promise<PgQueryable & { release(err?: Error | boolean): void }>;
}

/** An executor over anything with pg's `query` (a Pool, a PoolClient, a Client). */
export function pgQueryExecutor(
  target: PgQueryable,
  o: {
    kind: string;
    join: Executor["join"];
    listen?: Executor["listen"];
    named?: NamedStatements;
    /** Type readers for every statement (engineTypes); default: the connection's own. */
    types?: PgTypes;
  } & (
    | {
        /** On one client (inside a transaction, or a caller's): how a block runs there. */
        transaction: Executor["transaction"];
      }
    | {
        /**
         * Over a pool (`target`): each transaction checks a client out and runs its block on
         * the executor this makes for it, with its statements named while this executor's are.
         */
        onClient: (client: PgQueryable, named: boolean) => Executor;
      }
  ),
): Executor {
  const types = o.types;
  // "auto": named until the server says it does not keep them (a transaction-mode pooler
  // without prepared-statement support), then unnamed for good (see isNotPrepared).
  let naming = o.named === true || o.named === "auto";
  const send = async (text: string, values?: readonly unknown[]) => {
    const name = naming ? statementName(text) : undefined;
    if (!name) return target.query({ text, values: values as unknown[], types });
    if (o.named !== "auto") return target.query({ name, text, values: values as unknown[], types });
    try {
      return await target.query({ name, text, values: values as unknown[], types });
    } catch (err) {
      if (!isNotPrepared(err)) throw err;
      naming = false;
      return target.query({ text, values: values as unknown[], types });
    }
  };
  const self: Executor = {
    kind: o.kind,
    ...(o.listen ? { listen: o.listen } : {}),
    async query<R>(text: string, values?: readonly unknown[]) {
      return (await send(text, values)).rows as R[];
    },
    async execute(text: string, values?: readonly unknown[]) {
      return (await send(text, values)).rowCount ?? 0;
    },
    transaction:
      "transaction" in o
        ? o.transaction
        : async (fn) => {
            const named = naming;
            try {
              return await pgTransaction(target as PgPoolLike, (client) => o.onClient(client, named), fn);
            } catch (err) {
              if (!named || o.named !== "auto" || !isNotPrepared(err)) throw err;
              // A named statement refused inside the block ("auto"): the refusal aborted the
              // transaction, so nothing of it was committed. Unnamed from now on, and the
              // block once more.
              naming = false;
              return pgTransaction(target as PgPoolLike, (client) => o.onClient(client, false), fn);
            }
          },
    join: o.join,
    named: () => (o.named === true ? self : pgQueryExecutor(target, { ...o, named: true })),
    get namedStatements() {
      return naming;
    },
    get statements() {
      return !naming ? "unnamed" : o.named === "auto" ? "auto" : "named";
    },
  };
  return self;
}

/**
 * How an executor over a pg Pool sends its statements: true, named prepared statements (parsed
 * and planned once per connection); false, unnamed (parsed and planned every time); "auto"
 * (the default), named until the first sign that the connections do not keep them, then
 * unnamed. The engine's own transactions (the flow claim, durable steps' waits, events,
 * schedules) name their statements while the executor does; a refusal inside one aborts it,
 * so the executor stops naming and runs the block once more, unnamed. Statements in a joined
 * `tx` (the caller's transaction) are unnamed.
 */
export type NamedStatements = boolean | "auto";

/**
 * True for the two errors a server connection that never saw a statement's Parse, or saw it
 * from another client, answers with: 26000 "prepared statement ... does not exist" and 42P05
 * "prepared statement ... already exists". Both come before anything ran (at Bind, or at
 * Parse), so the statement can be sent again unnamed. They happen behind a transaction-mode
 * pooler without prepared-statement support (PgBouncer before 1.21, or without
 * max_prepared_statements), which gives each transaction whichever server connection is free.
 */
function isNotPrepared(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === "26000" || code === "42P05";
}

// Named statements: the name is a hash of the text, so the same text has the same name in
// every executor sharing a connection (pg refuses one name for two texts), and the number of
// names is bounded: a text first seen after MAX_NAMED others goes unnamed.
const MAX_NAMED = 500;
const names = new Map<string, string>();

function statementName(text: string): string | undefined {
  let name = names.get(text);
  if (name === undefined && names.size < MAX_NAMED) {
    name = `cronbound_${createHash("sha1").update(text).digest("hex").slice(0, 24)}`;
    names.set(text, name);
  }
  return name;
}

/** BEGIN/COMMIT on one client checked out of `pool`; ROLLBACK when `fn` throws. */
export async function pgTransaction<T>(pool: PgPoolLike, wrap: (client: PgQueryable) => Executor, fn: (tx: Executor) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query({ text: "BEGIN" });
    const result = await fn(wrap(client));
    await client.query({ text: "COMMIT" });
    return result;
  } catch (err) {
    try {
      await client.query({ text: "ROLLBACK" });
    } catch (rollbackError) {
      broken = rollbackError as Error; // the connection is unusable: destroy it, not return it
    }
    throw err;
  } finally {
    client.release(broken ?? false);
  }
}

/** True when `x` looks like a pg Pool/Client (has `query`). */
export function isPgQueryable(x: unknown): x is PgQueryable {
  return typeof x === "object" && x !== null && typeof (x as { query?: unknown }).query === "function";
}
