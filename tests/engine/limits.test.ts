// Two engine guards: the longest timeout enqueue accepts (config.maxTimeoutMs, MAX_TIMEOUT_MS),
// and the fixed-window rate limits in PostgreSQL (engine/rate-limit.ts), with the clock injected.
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { configFromEnv, createRegistry, defineJob, EnqueueError, maxTimeoutOf, resolveConfig } from "cronbound";
import { engineOf, rateLimitHit, rateLimitRefund, type Engine } from "cronbound/engine";
import { useTestDatabase } from "../helpers/db.ts";
import { testRegistry } from "../helpers/registry.ts";

const t = useTestDatabase();

describe("maxTimeoutMs: the longest job timeout any trigger's budget holds", () => {
  it("defaults to the larger of the worker's budget and the route tick's (290 s unless TICK_BUDGET_MS)", () => {
    expect(maxTimeoutOf(resolveConfig({}))).toBe(15 * 60_000);
    expect(maxTimeoutOf(resolveConfig({ worker: { tickBudgetMs: 60_000 } }))).toBe(290_000);
    expect(maxTimeoutOf(resolveConfig({ worker: { tickBudgetMs: 60_000 }, tickBudgetMs: 700_000 }))).toBe(700_000);
    expect(maxTimeoutOf(resolveConfig({ maxTimeoutMs: 30_000 }))).toBe(30_000);
    expect(maxTimeoutOf(configFromEnv({ MAX_TIMEOUT_MS: "120000" }))).toBe(120_000);
    expect(() => configFromEnv({ MAX_TIMEOUT_MS: "soon" })).toThrow(/MAX_TIMEOUT_MS must be a whole number/);
  });

  it("enqueue refuses a longer timeoutMs, or a type whose default is longer, with an EnqueueError; nothing written", async () => {
    const long = defineJob({ name: "long", schema: z.object({}), timeoutMs: 60_000, handler: async () => null });
    const noop = testRegistry.get("noop")!;
    const q = t.queue(createRegistry([noop, long]), { maxTimeoutMs: 30_000 });
    await t.sql("TRUNCATE jobs");
    const refused = async (run: () => Promise<unknown>, path: (string | number)[]) => {
      const err = await run().then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(EnqueueError);
      expect(err).toMatchObject({ code: "invalid_options", issues: [{ path, message: expect.stringMatching(/longer than any tick's budget \(30000 ms: MAX_TIMEOUT_MS\)/) }] });
    };
    await refused(() => q.enqueue("noop", {}, { timeoutMs: 30_001 }), ["options", "timeoutMs"]);
    await refused(() => q.enqueue("long", {}), ["options", "timeoutMs"]);
    await refused(() => q.enqueueMany([{ type: "noop", payload: {} }, { type: "noop", payload: {}, options: { timeoutMs: 40_000 } }]), [1, "options", "timeoutMs"]);
    expect(await t.sql("SELECT id FROM jobs")).toEqual([]);
    expect((await q.enqueue("noop", {}, { timeoutMs: 30_000 })).created).toBe(true);
  });
});

describe("rate limits (fixed windows in PostgreSQL)", () => {
  let e: Engine;
  beforeAll(() => {
    e = engineOf(t.queue(testRegistry));
  });
  beforeEach(async () => {
    await t.sql("DELETE FROM rate_limits");
  });
  const W = 60_000;
  const T0 = new Date("2030-06-01T12:00:00.000Z"); // a window boundary (a whole minute)
  const at = (ms: number) => new Date(T0.getTime() + ms);
  const limits = [
    { key: "k:client:a", max: 2 },
    { key: "k:all", max: 3 },
  ];

  it("allows `max` hits per key and window, refuses the next, names the key, and says when the window ends", async () => {
    expect(await rateLimitHit(e, limits, { windowMs: W, now: at(1_000) })).toEqual({ ok: true, limitedBy: undefined, retryAfterMs: 59_000 });
    expect((await rateLimitHit(e, limits, { windowMs: W, now: at(2_000) })).ok).toBe(true);
    expect(await rateLimitHit(e, limits, { windowMs: W, now: at(3_000) })).toEqual({ ok: false, limitedBy: "k:client:a", retryAfterMs: 57_000 });
    // Another client: within its own limit, but the total (3) was reached by the refused hit above.
    expect(await rateLimitHit(e, [{ key: "k:client:b", max: 2 }, limits[1]], { windowMs: W, now: at(4_000) })).toMatchObject({ ok: false, limitedBy: "k:all" });
  });

  it("starts again at the next window, exactly at its boundary", async () => {
    for (let i = 0; i < 3; i++) await rateLimitHit(e, limits, { windowMs: W, now: at(10_000 + i) });
    expect((await rateLimitHit(e, limits, { windowMs: W, now: at(W - 1) })).ok).toBe(false);
    expect((await rateLimitHit(e, limits, { windowMs: W, now: at(W) })).ok).toBe(true);
  });

  it("counts concurrent hits exactly (one upsert each): 20 at once against a limit of 7 let 7 through", async () => {
    const pool = t.newPool(10);
    const { createQueue, silentLogger } = await import("cronbound");
    const { pgExecutor } = await import("cronbound/pg");
    const e2 = engineOf(createQueue({ db: pgExecutor(pool), registry: testRegistry, config: { production: false }, logger: silentLogger }));
    const results = await Promise.all(Array.from({ length: 20 }, () => rateLimitHit(e2, [{ key: "burst", max: 7 }], { windowMs: W, now: at(5_000) })));
    expect(results.filter((r) => r.ok)).toHaveLength(7);
    expect(await t.sql("SELECT count FROM rate_limits WHERE key = 'burst'")).toEqual([{ count: 20 }]);
  });

  it("refund takes one hit back in the current window only", async () => {
    await rateLimitHit(e, limits, { windowMs: W, now: at(1_000) });
    await rateLimitHit(e, limits, { windowMs: W, now: at(1_000) });
    await rateLimitRefund(e, ["k:client:a"], { windowMs: W, now: at(2_000) });
    expect((await rateLimitHit(e, limits, { windowMs: W, now: at(3_000) })).ok).toBe(true);
  });

  it("deletes windows older than a day as it counts", async () => {
    await rateLimitHit(e, limits, { windowMs: W, now: at(0) });
    await rateLimitHit(e, [{ key: "later", max: 1 }], { windowMs: W, now: at(25 * 3_600_000) });
    expect((await t.sql<{ key: string }>("SELECT key FROM rate_limits ORDER BY key")).map((r) => r.key)).toEqual(["later"]);
  });

  it("refuses keys and windows it cannot store, before any SQL", async () => {
    await expect(rateLimitHit(e, [{ key: "", max: 1 }], { windowMs: W })).rejects.toThrow(/1 to 300 characters/);
    await expect(rateLimitHit(e, [{ key: "x".repeat(301), max: 1 }], { windowMs: W })).rejects.toThrow(/1 to 300 characters/);
    await expect(rateLimitHit(e, [{ key: "a", max: 1 }], { windowMs: 10 })).rejects.toThrow(/windowMs/);
  });
});
