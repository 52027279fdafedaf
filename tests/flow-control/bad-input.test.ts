import { z } from "zod";
import { beforeEach, describe, expect, it } from "vitest";
import { defineJob, EnqueueError } from "cronbound";
import { engineOf, enqueue, enqueueMany, type Engine } from "cronbound/engine";
import { useTestDatabase } from "../helpers/db.ts";
import { flowRegistry } from "./registry.ts";

const t = useTestDatabase();
let e: Engine;

beforeEach(async () => {
  await t.sql("TRUNCATE jobs, flow_starts, flow_keys, type_settings");
  e = engineOf(t.queue(flowRegistry));
});

const base = { name: "x", schema: z.object({ k: z.string() }), handler: async () => null };

describe("flow control: bad input", () => {
  it.each([
    [{ concurrency: { limit: 0 } }, "concurrency.limit must be an integer from 1 to 100000 (got 0)"],
    [{ concurrency: { limit: -2 } }, "concurrency.limit must be an integer from 1 to 100000 (got -2)"],
    [{ concurrency: { limit: 1.5 } }, "concurrency.limit must be an integer from 1 to 100000 (got 1.5)"],
    [{ concurrency: { limit: 2, key: "tenant" } }, "concurrency.key must be a function of the payload returning a string"],
    [{ rateLimit: { limit: 0, periodMs: 1000 } }, "rateLimit.limit must be an integer from 1 to 1000000 (got 0)"],
    [{ rateLimit: { limit: 10, periodMs: 0 } }, "rateLimit.periodMs must be an integer from 1 to 86400000 (got 0)"],
    [{ rateLimit: { limit: 10, periodMs: -1000 } }, "rateLimit.periodMs must be an integer from 1 to 86400000 (got -1000)"],
    [{ concurrency: { limit: 1, key: (): string => "a" }, rateLimit: { limit: 1, periodMs: 1, key: (): string => "b" } }, "concurrency.key and rateLimit.key must be the same function"],
    [{ debounce: { key: (): string => "a", delayMs: 0 } }, "debounce.delayMs must be an integer from 1 to 86400000 (got 0)"],
    [{ debounce: { key: (): string => "a", delayMs: 10, mode: "middle" } }, 'debounce.mode must be "last" or "first" (got "middle")'],
    [{ debounce: { delayMs: 10 } }, "debounce.key must be a function of the payload returning a string"],
  ])("defineJob refuses %j", (flow, message) => {
    expect(() => defineJob({ ...base, ...(flow as object) })).toThrow(`defineJob(x): ${message}`);
  });

  it.each([
    ["throw", "concurrency.key: the key function threw: no tenant on this payload"],
    [42, "concurrency.key: the key function must return a string (got number)"],
    [null, "concurrency.key: the key function must return a string (got null)"],
    ["", "concurrency.key: the key must be 1 to 200 characters (got 0)"],
    ["x".repeat(201), "concurrency.key: the key must be 1 to 200 characters (got 201)"],
  ])("a key function giving %j: an EnqueueError (invalid_payload), nothing written", async (k, message) => {
    const err = await enqueue(e, "bad-key", { k }).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(EnqueueError);
    expect((err as EnqueueError).code).toBe("invalid_payload");
    expect((err as EnqueueError).issues).toEqual([{ path: ["payload"], message }]);
    // In a batch, the item is named and no item is written.
    const batch = await enqueueMany(e, [{ type: "bad-key", payload: { k: "fine" } }, { type: "bad-key", payload: { k } }]).catch((x: unknown) => x);
    expect((batch as EnqueueError).issues).toEqual([{ path: [1, "payload"], message }]);
    expect(await t.sql("SELECT id FROM jobs")).toEqual([]);
  });
});
