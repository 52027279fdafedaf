/**
 * A fast reader for `timestamptz` as PostgreSQL writes it in text with DateStyle ISO (its
 * default, and what node-postgres expects): `2026-12-01 01:45:12.123456+00`, the offset as
 * `+hh` or `+hh:mm`. The engine reads six timestamps per claimed job; pg's own reader matches
 * each with three regular expressions (bench/: about a twentieth of the worker's Node CPU per
 * no-op job, and a tenth of its allocations). Anything else (a year before 1000 or after 9999,
 * BC, infinity, an offset with seconds, another DateStyle) returns undefined and the caller
 * falls back to pg's reader; tests/engine/timestamps.test.ts holds the two to the same result.
 */
export function parseTimestamptz(s: string): Date | undefined {
  const n = s.length;
  if (n < 22 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 32 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) {
    return undefined;
  }
  const year = num(s, 0, 4);
  const month = num(s, 5, 2);
  const day = num(s, 8, 2);
  const hour = num(s, 11, 2);
  const minute = num(s, 14, 2);
  const second = num(s, 17, 2);
  if (year < 1000 || month < 1 || day < 1 || hour < 0 || minute < 0 || second < 0) return undefined;
  let i = 19;
  let ms = 0;
  if (s.charCodeAt(i) === 46) {
    // Milliseconds are the first three digits of the fraction (the rest is truncated, as pg's reader does).
    i++;
    const from = i;
    while (i < n && isDigit(s.charCodeAt(i))) {
      if (i - from < 3) ms = ms * 10 + (s.charCodeAt(i) - 48);
      i++;
    }
    const read = i - from;
    if (read === 0) return undefined;
    if (read === 1) ms *= 100;
    else if (read === 2) ms *= 10;
  }
  const sign = s.charCodeAt(i);
  if (sign !== 43 && sign !== 45) return undefined;
  const offH = num(s, i + 1, 2);
  let offM = 0;
  i += 3;
  if (i < n) {
    if (s.charCodeAt(i) !== 58) return undefined;
    offM = num(s, i + 1, 2);
    i += 3;
  }
  if (i !== n || offH < 0 || offM < 0) return undefined;
  const offset = (offH * 60 + offM) * 60_000;
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second, ms) - (sign === 43 ? offset : -offset));
}

const isDigit = (c: number) => c >= 48 && c <= 57;

/** The `len` digits at `at` as a number; -1 when any is not a digit (or the string is too short). */
function num(s: string, at: number, len: number): number {
  let v = 0;
  for (let k = at; k < at + len; k++) {
    const c = s.charCodeAt(k);
    if (!isDigit(c)) return -1;
    v = v * 10 + (c - 48);
  }
  return v;
}

/** pg's `types` option: the type readers of one query (https://node-postgres.com/features/queries#types). */
export interface PgTypes {
  getTypeParser(oid: number, format?: string): (value: string) => unknown;
}

const TIMESTAMPTZ = 1184;

/**
 * The type readers for the engine's statements on `pool`: the pool's own (its `types` option,
 * else pg's defaults, read from a Client made with the pool's options and never connected),
 * with parseTimestamptz in front of its timestamptz reader. Undefined when `pool` is not a pg
 * Pool; statements then use the pool's readers as they are.
 */
export function engineTypes(pool: unknown): PgTypes | undefined {
  if (typeof pool !== "object" || pool === null) return undefined;
  // One per pool, however many executors are made over it.
  if (!typesOf.has(pool)) typesOf.set(pool, typesFor(pool));
  return typesOf.get(pool);
}

const typesOf = new WeakMap<object, PgTypes | undefined>();

function typesFor(pool: object): PgTypes | undefined {
  const p = pool as { Client?: new (options: unknown) => Partial<PgTypes>; options?: unknown };
  if (typeof p.Client !== "function") return undefined;
  let base: Partial<PgTypes>;
  try {
    base = new p.Client(p.options ?? {});
  } catch {
    return undefined;
  }
  if (typeof base.getTypeParser !== "function") return undefined;
  const get = base.getTypeParser.bind(base);
  const slow = get(TIMESTAMPTZ, "text");
  const timestamptz = (v: string) => parseTimestamptz(v) ?? slow(v);
  return { getTypeParser: (oid, format = "text") => (oid === TIMESTAMPTZ && format === "text" ? timestamptz : get(oid, format)) };
}
