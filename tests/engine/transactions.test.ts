import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import type { Executor } from "cronbound";
import { pgExecutor } from "cronbound/pg";
import { prismaExecutor } from "cronbound/prisma";
import { useTestDatabase } from "../helpers/db.ts";

// The engine's own transactions (the flow claim, durable steps' waits, events, schedules) send
// their statements as named prepared statements while the executor names its others: the flow
// claim's statement is large, and parsing and planning it again on every batch cost half the
// drain rate of limited jobs (docs/BENCHMARKS.md). A caller's transaction (`join(tx)`) is left
// unnamed. What a pooler that keeps no prepared statements does to a named transaction is in
// tests/reliability/pooler.test.ts; the engine's readers in its transactions, in timestamps.test.ts.

const t = useTestDatabase();
const pools: pg.Pool[] = [];
afterAll(async () => {
  await Promise.all(pools.map((p) => p.end()));
});

/** One connection, so pg_prepared_statements shows what the transaction's session kept. */
function onePool(): pg.Pool {
  const p = new pg.Pool({ connectionString: t.url, max: 1 });
  pools.push(p);
  return p;
}

const executors: [string, (pool: pg.Pool, named?: boolean | "auto") => Executor][] = [
  ["pgExecutor(pool)", (pool, named) => pgExecutor(pool, named === undefined ? {} : { namedStatements: named })],
  [
    "prismaExecutor(prisma, { pool })",
    (pool, named) =>
      prismaExecutor({ $queryRawUnsafe: async () => [], $executeRawUnsafe: async () => 0, $transaction: async () => undefined } as never, {
        pool,
        ...(named === undefined ? {} : { namedStatements: named }),
      }),
  ],
];

let markers = 0;
/** A statement no other test sends, and whether this session keeps it prepared. */
function probe() {
  const marker = `tx_probe_${process.pid}_${++markers}`;
  return {
    text: `SELECT 41 + $1::int AS answer, '${marker}' AS marker`,
    // The marker travels as a parameter, so this lookup's own text never matches it.
    kept: async (db: { query: Executor["query"] }) =>
      (await db.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_prepared_statements WHERE statement LIKE '%' || $1 || '%'", [marker]))[0].n,
  };
}

describe.each(executors)("%s: statements in the engine's own transactions", (_name, make) => {
  it("are named prepared statements while the executor names its statements (the default)", async () => {
    const db = make(onePool());
    expect(db.statements).toBe("auto");
    const p = probe();
    const [answer, kept] = await db.transaction(async (tx) => [await tx.query<{ answer: number }>(p.text, [1]), await p.kept(tx)] as const);
    expect(answer).toEqual([{ answer: 42, marker: expect.any(String) }]);
    expect(kept).toBe(1);
    // Run again on the same connection: the statement is reused, not prepared twice (which pg refuses).
    expect(await db.transaction((tx) => tx.query<{ answer: number }>(p.text, [2]))).toEqual([{ answer: 43, marker: expect.any(String) }]);
  });

  it("are unnamed when the executor names nothing (namedStatements: false)", async () => {
    const db = make(onePool(), false);
    const p = probe();
    expect(await db.transaction(async (tx) => (await tx.query(p.text, [1]), p.kept(tx)))).toBe(0);
  });

  it("a caller's transaction (join) stays unnamed", async () => {
    const pool = onePool();
    const db = make(pool);
    const p = probe();
    const client = await pool.connect();
    try {
      await client.query("BEGIN");
      expect(await db.join(client).query<{ answer: number }>(p.text, [1])).toEqual([{ answer: 42, marker: expect.any(String) }]);
      await client.query("COMMIT");
    } finally {
      client.release();
    }
    expect(await p.kept(db)).toBe(0);
  });
});
