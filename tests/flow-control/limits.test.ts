import { beforeEach, describe, expect, it } from "vitest";
import { silentLogger } from "cronbound";
import { runCli } from "cronbound/cli";
import { claimJobs, completeAttempts, engineOf, enqueueMany, type Engine } from "cronbound/engine";
import { useTestDatabase } from "../helpers/db.ts";
import { flowRegistry } from "./registry.ts";

const t = useTestDatabase();
let q: ReturnType<typeof t.queue<typeof flowRegistry._types>>;
let e: Engine;

beforeEach(async () => {
  await t.sql("TRUNCATE jobs, flow_starts, flow_keys, type_settings");
  q = t.queue(flowRegistry);
  e = engineOf(q);
});

const claim = (limit = 50, now?: Date) => claimJobs(e, { workerId: "w", limit, maxTimeoutMs: 60_000, graceMs: 1_000, now });
const perKey = (jobs: { payload: unknown }[]) => {
  const m: Record<string, number> = {};
  for (const j of jobs) m[(j.payload as { tenant: string }).tenant] = (m[(j.payload as { tenant: string }).tenant] ?? 0) + 1;
  return m;
};

async function cli(...argv: string[]) {
  let out = "";
  let err = "";
  const code = await runCli(argv, { queue: () => q, out: (s) => (out += `${s}\n`), err: (s) => (err += `${s}\n`), signal: new AbortController().signal, logger: silentLogger });
  return { code, out, err };
}

describe("limits changed at run time", () => {
  it("setLimit overrides the code's concurrency from the next claim; clearLimit restores it", async () => {
    await enqueueMany(e, Array.from({ length: 20 }, (_, n) => ({ type: "per-tenant", payload: { tenant: `t${n % 2}`, n } })));
    const set = await q.setLimit("per-tenant", { concurrency: 1 });
    expect(set).toEqual({ ok: true, type: "per-tenant", limits: { type: "per-tenant", concurrency: { limit: 1, perKey: true, source: "override" }, rateLimit: null, paused: false } });
    const first = await claim();
    expect(perKey(first)).toEqual({ t0: 1, t1: 1 });
    const cleared = await q.clearLimit("per-tenant");
    expect(cleared.ok && cleared.limits.concurrency).toEqual({ limit: 2, perKey: true, source: "code" });
    expect(perKey(await claim())).toEqual({ t0: 1, t1: 1 }); // 2 per key, one already running each
    // Raised above the code's number.
    await q.setLimit("per-tenant", { concurrency: 5 });
    expect(perKey(await claim())).toEqual({ t0: 3, t1: 3 });
  });

  it("setLimit sets a rate limit on a type that declares only a concurrency limit (per key: the type has a key)", async () => {
    const now = new Date("2030-01-01T00:00:00Z");
    await enqueueMany(e, Array.from({ length: 10 }, (_, n) => ({ type: "global3", payload: { n }, options: { runAt: new Date(now.getTime() - 1) } })));
    await q.setLimit("global3", { rateLimit: { limit: 2, periodMs: 60_000 } });
    const jobs = await claim(50, now);
    expect(jobs).toHaveLength(2);
    await completeAttempts(e, "w", jobs.map((j) => ({ id: j.id, attempt: 1, result: null })), now);
    expect(await claim(50, new Date(now.getTime() + 59_999))).toHaveLength(0);
    expect(await claim(50, new Date(now.getTime() + 60_000))).toHaveLength(2);
  });

  it.each([
    ["nope", { concurrency: 1 }, "unknown_type", /unknown job type "nope"/],
    ["plain", { concurrency: 1 }, "not_limited", /job type "plain" declares no concurrency or rateLimit in defineJob/],
    ["per-tenant", { concurrency: 0 }, "invalid_limit", /concurrency must be an integer from 1 to 100000 \(got 0\)/],
    ["per-tenant", { concurrency: -3 }, "invalid_limit", /got -3/],
    ["per-tenant", { concurrency: 2.5 }, "invalid_limit", /got 2.5/],
    ["per-tenant", { rateLimit: { limit: 5, periodMs: 0 } }, "invalid_limit", /rateLimit.periodMs must be an integer from 1 to 86400000 \(got 0\)/],
    ["per-tenant", { rateLimit: { limit: 0, periodMs: 1000 } }, "invalid_limit", /rateLimit.limit must be an integer/],
    ["per-tenant", {}, "invalid_limit", /give concurrency, rateLimit or both/],
    ["per-tenant", { concurrency: 1, burst: 3 }, "invalid_limit", /unknown field\(s\): burst/],
  ])("setLimit(%j, %j): %s, nothing written", async (type, input, reason, message) => {
    const r = await q.setLimit(type as "per-tenant", input as { concurrency: number });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toBe(reason);
    expect(!r.ok && r.message).toMatch(message);
    expect(await t.sql("SELECT * FROM type_settings")).toEqual([]);
  });

  it("stats show per limited type: limits, running vs limit, held back, the busiest keys", async () => {
    await enqueueMany(e, Array.from({ length: 9 }, (_, n) => ({ type: "per-tenant", payload: { tenant: n < 6 ? "big" : "small", n } })));
    await claim();
    const s = await q.getStats();
    const f = s.flow.find((x) => x.type === "per-tenant")!;
    expect(f).toMatchObject({ concurrency: { limit: 2, perKey: true, source: "code" }, rateLimit: null, running: 4, heldBack: 5, recentStarts: null });
    expect(f.keys).toEqual([
      { key: "big", running: 2, heldBack: 4, recentStarts: null },
      { key: "small", running: 2, heldBack: 1, recentStarts: null },
    ]);
    expect(s.flow.map((x) => x.type)).toEqual(["bad-key", "fair", "global3", "mixed", "per-tenant", "rated"]);
    const g = s.flow.find((x) => x.type === "global3")!;
    expect(g).toMatchObject({ running: 0, heldBack: 0, keys: [] });
  });

  it("GET /api/jobs/metrics (queue.metrics()): held-back jobs and the concurrency limit per limited type", async () => {
    await enqueueMany(e, Array.from({ length: 5 }, (_, n) => ({ type: "per-tenant", payload: { tenant: "a", n } })));
    await claim();
    const text = await q.metrics();
    expect(text).toContain('cronbound_jobs_held_back{type="per-tenant"} 3\n');
    expect(text).toContain('cronbound_jobs_held_back{type="rated"} 0\n');
    expect(text).toContain('cronbound_type_concurrency_limit{type="per-tenant"} 2\n');
    expect(text).not.toContain('cronbound_type_concurrency_limit{type="rated"}');
    await q.setLimit("per-tenant", { concurrency: 5 });
    expect(await q.metrics()).toContain('cronbound_type_concurrency_limit{type="per-tenant"} 5\n');
  });

  it("the tick report counts due jobs held back by a limit", async () => {
    const now = new Date("2030-01-01T00:00:00Z");
    await enqueueMany(e, Array.from({ length: 25 }, (_, n) => ({ type: "rated", payload: { tenant: "a", n }, options: { runAt: new Date(now.getTime() - 1) } })));
    const report = await q.runTick({ budgetMs: 60_000, now, skipMaintenance: true });
    expect(report).toMatchObject({ claimed: 20, completed: 20, heldBack: 5, skippedForBudget: 0 });
  });

  it("cronbound limits: shows, sets and clears; bad input exits 2 with one line, nothing written", async () => {
    await enqueueMany(e, Array.from({ length: 3 }, (_, n) => ({ type: "per-tenant", payload: { tenant: "a", n } })));
    await claim();
    const shown = await cli("limits");
    expect(shown.code).toBe(0);
    expect(shown.out).toContain("per-tenant: concurrency 2 per key\n  running 2, held back 1\n  key \"a\": running 2, held back 1");
    const set = await cli("limits", "set", "rated", "--rate", "5", "--per-ms", "1000");
    expect(set.code).toBe(0);
    expect(JSON.parse(set.out).rateLimit).toEqual({ limit: 5, periodMs: 1000, perKey: true, source: "override" });
    expect((await cli("limits")).out).toContain("rated: rate 5 per 1000 ms per key (override)");
    expect((await cli("limits", "clear", "rated")).code).toBe(0);
    expect((await cli("limits", "--json")).out).toContain('"source": "code"');
    const before = await t.sql("SELECT * FROM type_settings");
    for (const argv of [
      ["limits", "set", "per-tenant", "--concurrency", "0"],
      ["limits", "set", "plain", "--concurrency", "3"],
      ["limits", "set", "per-tenant", "--rate", "5"],
      ["limits", "set", "per-tenant", "--concurrency", "x"],
      ["limits", "clear", "nope"],
    ]) {
      const r = await cli(...argv);
      expect(r.code, argv.join(" ")).toBe(2);
      expect(r.out).toBe("");
      expect(r.err.trim().split("\n")).toHaveLength(1);
    }
    expect(await t.sql("SELECT * FROM type_settings")).toEqual(before);
  });
});
