import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { pgExecutor } from "cronbound/pg";
import { prismaExecutor } from "cronbound/prisma";
import { useTestDatabase } from "../helpers/db.ts";

// Executors over a pg Pool read timestamptz with their own fast reader (six per claimed job),
// falling back to pg's for anything it does not take. Both must give the same instant for every
// text PostgreSQL writes: here the server's own output, in time zones with whole-hour,
// half-hour and (before 1900) seconds offsets, compared with pg's reader on the same rows.

const t = useTestDatabase();
const pools: pg.Pool[] = [];
afterAll(async () => {
  await Promise.all(pools.map((p) => p.end()));
});

function poolIn(timeZone: string, types?: pg.CustomTypesConfig): pg.Pool {
  const p = new pg.Pool({ connectionString: t.url, max: 1, options: `-c TimeZone=${timeZone}`, types });
  pools.push(p);
  return p;
}

// 20,000 instants from the year 1000 to 9999 with every kind of fraction (none, 1 to 6 digits),
// then the edges pg's reader handles and the fast one leaves to it.
const SAMPLE = `
  SELECT ts, ts::text AS text FROM (
    SELECT timestamptz '1000-01-01 00:00:00+00' + (g * 15778.123457) * interval '1 second' * 1000
             + (g % 7) * interval '1 microsecond' * (10 ^ (g % 6))::int AS ts
    FROM generate_series(0, 19999) g
    UNION ALL SELECT unnest(ARRAY[
      'infinity', '-infinity', '0044-03-15 12:00:00 BC', '0099-06-01 00:00:00+00', '0999-12-31 23:59:59.999999+00',
      '1000-01-01 00:00:00+00', '1899-06-01 12:00:00+00', '1970-01-01 00:00:00+00', '2026-12-01 01:02:03.4+00',
      '2026-12-01 01:02:03.45+00', '2026-12-01 01:02:03.456789+00', '9999-12-31 23:59:59.999999+00',
      '10000-01-01 00:00:00+00'
    ]::timestamptz[])
  ) s`;

const instant = (v: unknown) => (v instanceof Date ? v.getTime() : v);

describe("timestamptz through an executor over a pg Pool", () => {
  for (const zone of ["UTC", "Asia/Kolkata", "America/St_Johns", "Europe/Amsterdam", "Pacific/Chatham"]) {
    it(`reads every instant as pg does (TimeZone ${zone})`, async () => {
      const pool = poolIn(zone);
      const db = pgExecutor(pool);
      const ours = await db.query<{ ts: unknown; text: string }>(SAMPLE);
      const theirs = (await pool.query<{ ts: unknown; text: string }>(SAMPLE)).rows;
      expect(ours.length).toBe(20_013);
      expect(ours.map((r) => r.text)).toEqual(theirs.map((r) => r.text));
      const differ = ours.filter((r, i) => !Object.is(instant(r.ts), instant(theirs[i].ts))).map((r) => r.text);
      expect(differ).toEqual([]);
      // Not vacuous: the fast reader's texts (offsets +hh[:mm]) and the fallback's (BC, infinity,
      // an offset with seconds before 1900 in some zones) are both in the sample.
      expect(ours.some((r) => /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?[+-]\d\d(:\d\d)?$/.test(r.text))).toBe(true);
      expect(ours.find((r) => r.text === "infinity")?.ts).toBe(Infinity);
      expect(ours.find((r) => r.text.endsWith(" BC"))?.ts).toBeInstanceOf(Date);
    });
  }

  it("reads timestamps as Dates even where the pool was told to read them as text, as the engine needs, in the engine's own transactions too; every other type keeps the pool's reader", async () => {
    // The pool's own readers: timestamptz as text, numeric as a number (pg's default: a string).
    const own: pg.CustomTypesConfig = {
      getTypeParser: (oid: number, format?: string) =>
        oid === 1184 ? (v: string) => v : oid === 1700 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as "text"),
    } as pg.CustomTypesConfig;
    const pool = poolIn("UTC", own);
    const SQL = "SELECT timestamptz '2026-12-01 01:02:03.456+00' AS ts, 1.5::numeric AS n";
    expect((await pool.query(SQL)).rows[0]).toEqual({ ts: "2026-12-01 01:02:03.456+00", n: 1.5 });
    for (const db of [pgExecutor(pool), prismaExecutor({ $queryRawUnsafe: async () => [], $executeRawUnsafe: async () => 0, $transaction: async () => undefined } as never, { pool })]) {
      for (const [row] of [await db.query<{ ts: Date; n: unknown }>(SQL), await db.transaction((tx) => tx.query<{ ts: Date; n: unknown }>(SQL))]) {
        expect(row.ts).toEqual(new Date("2026-12-01T01:02:03.456Z"));
        expect(row.n).toBe(1.5);
      }
    }
  });
});
