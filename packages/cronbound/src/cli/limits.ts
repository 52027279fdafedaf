import type { FlowStat } from "../engine/flow/settings.ts";
import { InputError, intOption, json, parse, UsageError, type Command } from "./command.ts";

// `cronbound limits`: the limited job types (docs/FLOW-CONTROL.md), and their limits changed at
// run time without a deploy.
export const limits: Command = {
  name: "limits",
  usage: "[--json] | set <type> [--concurrency N] [--rate N --per-ms MS] | clear <type>",
  summary: "show per limited type: limits, running vs limit, jobs held back, busiest keys; set or clear runtime overrides",
  async run(argv, ctx) {
    const [sub, ...rest] = argv;
    const q = await ctx.queue();
    if (sub === "set") {
      const { positionals, values } = parse(rest, { concurrency: { type: "string" }, rate: { type: "string" }, "per-ms": { type: "string" } }, { min: 1, max: 1 });
      const concurrency = intOption("concurrency", values.concurrency);
      const rate = intOption("rate", values.rate);
      const perMs = intOption("per-ms", values["per-ms"]);
      if ((rate === undefined) !== (perMs === undefined)) throw new UsageError("--rate and --per-ms go together");
      const r = await q.setLimit(positionals[0], { concurrency, rateLimit: rate === undefined ? undefined : { limit: rate, periodMs: perMs! } });
      if (!r.ok) throw new InputError(r.message);
      ctx.out(json(r.limits));
      return;
    }
    if (sub === "clear") {
      const { positionals } = parse(rest, {}, { min: 1, max: 1 });
      const r = await q.clearLimit(positionals[0]);
      if (!r.ok) throw new InputError(r.message);
      ctx.out(json(r.limits));
      return;
    }
    const { values } = parse(argv, { json: { type: "boolean" } }, { min: 0, max: 0 });
    const s = await q.limits();
    ctx.out(values.json ? json(s) : formatLimits(s));
  },
};

export function formatLimits(stats: FlowStat[]): string {
  if (!stats.length) return "no job type declares a concurrency or rate limit";
  const lines: string[] = [];
  for (const s of stats) {
    const parts: string[] = [];
    if (s.concurrency) parts.push(`concurrency ${s.concurrency.limit}${s.concurrency.perKey ? " per key" : ""}${s.concurrency.source === "override" ? " (override)" : ""}`);
    if (s.rateLimit) parts.push(`rate ${s.rateLimit.limit} per ${s.rateLimit.periodMs} ms${s.rateLimit.perKey ? " per key" : ""}${s.rateLimit.source === "override" ? " (override)" : ""}`);
    lines.push(`${s.type}: ${parts.join(", ")}${s.paused ? " [paused]" : ""}`);
    lines.push(`  running ${s.running}, held back ${s.heldBack}${s.recentStarts === null ? "" : `, starts in window ${s.recentStarts}`}`);
    for (const k of s.keys) {
      lines.push(`  key ${JSON.stringify(k.key)}: running ${k.running}, held back ${k.heldBack}${k.recentStarts === null ? "" : `, starts in window ${k.recentStarts}`}`);
    }
  }
  return lines.join("\n");
}
