import { z } from "zod";
import { createRegistry, defineJob, sleep } from "cronbound";

// Job types for the flow-control tests (docs/FLOW-CONTROL.md).

/** At most 2 running per tenant; sleeps `ms`. */
export const perTenant = defineJob({
  name: "per-tenant",
  schema: z.object({ tenant: z.string(), n: z.number().int(), ms: z.number().int().min(0).default(0) }),
  timeoutMs: 10_000,
  concurrency: { limit: 2, key: (p) => p.tenant },
  async handler(p, { signal }) {
    if (p.ms) await sleep(p.ms, signal);
    return { n: p.n };
  },
});

/** At most 20 starts per second per tenant. */
export const rated = defineJob({
  name: "rated",
  schema: z.object({ tenant: z.string(), n: z.number().int() }),
  timeoutMs: 10_000,
  rateLimit: { limit: 20, periodMs: 1_000, key: (p) => p.tenant },
  handler: async (p) => ({ n: p.n }),
});

/** Fair claiming across tenants; a limit high enough never to hold anything back. */
export const fair = defineJob({
  name: "fair",
  schema: z.object({ tenant: z.string(), n: z.number().int() }),
  timeoutMs: 10_000,
  concurrency: { limit: 100_000, key: (p) => p.tenant },
  handler: async (p) => ({ n: p.n }),
});

/** At most 3 running of the whole type. */
export const global3 = defineJob({
  name: "global3",
  schema: z.object({ n: z.number().int() }),
  timeoutMs: 10_000,
  concurrency: { limit: 3 },
  handler: async (p) => ({ n: p.n }),
});

/** At most 3 running of the whole type, and a rate limit per tenant: one key per job, a type-wide count. */
export const mixed = defineJob({
  name: "mixed",
  schema: z.object({ tenant: z.string(), n: z.number().int() }),
  timeoutMs: 10_000,
  concurrency: { limit: 3 },
  rateLimit: { limit: 100_000, periodMs: 1_000, key: (p) => p.tenant },
  handler: async (p) => ({ n: p.n }),
});

export const debounceLast = defineJob({
  name: "debounce-last",
  schema: z.object({ user: z.string(), n: z.number().int() }),
  debounce: { key: (p) => p.user, delayMs: 5_000, mode: "last" },
  handler: async (p) => ({ n: p.n }),
});

export const debounceFirst = defineJob({
  name: "debounce-first",
  schema: z.object({ user: z.string(), n: z.number().int() }),
  debounce: { key: (p) => p.user, delayMs: 5_000, mode: "first" },
  handler: async (p) => ({ n: p.n }),
});

/** A key function that throws or returns a non-string for some payloads. */
export const badKey = defineJob({
  name: "bad-key",
  schema: z.object({ k: z.unknown() }),
  concurrency: {
    limit: 1,
    key: (p) => {
      if (p.k === "throw") throw new Error("no tenant on this payload");
      return p.k as string;
    },
  },
  handler: async () => null,
});

export const plain = defineJob({
  name: "plain",
  schema: z.object({ n: z.number().int() }),
  handler: async (p) => ({ n: p.n }),
});

export const flowRegistry = createRegistry([perTenant, rated, fair, global3, mixed, debounceLast, debounceFirst, badKey, plain]);
