import type { Stats } from "../engine/stats.ts";
import { JOB_STATUSES } from "../engine/types.ts";
import { json, parse, type Command } from "./command.ts";

export const stats: Command = {
  name: "stats",
  usage: "[--json]",
  summary: "counts per status and per type, and the age of the oldest due pending job",
  async run(argv, ctx) {
    const { values } = parse(argv, { json: { type: "boolean" } }, { min: 0, max: 0 });
    const s = await (await ctx.queue()).getStats();
    ctx.out(values.json ? json(s) : format(s));
  },
};

function format(s: Stats): string {
  const row = (c: Record<string, number>) => JOB_STATUSES.map((st) => `${st} ${c[st] ?? 0}`).join("  ");
  const lines = [
    row(s.counts),
    `pending: ${s.scheduled} scheduled for later, ${s.blocked} waiting on a dependency; oldest due job waiting ${s.oldestPendingAgeSeconds} s`,
  ];
  for (const f of s.flow ?? []) {
    const limit = f.concurrency ? ` (limit ${f.concurrency.limit}${f.concurrency.perKey ? " per key" : ""})` : "";
    lines.push(`limited: ${f.type} running ${f.running}${limit}, held back ${f.heldBack} (see: limits)`);
  }
  for (const p of s.paused ?? []) {
    lines.push(`paused: ${p.type} since ${p.pausedAt} (${p.pending} pending)${p.reason ? `: ${p.reason}` : ""}`);
  }
  const types = Object.keys(s.byType).sort();
  if (types.length) {
    const width = Math.max(...types.map((t) => t.length));
    lines.push("by type:", ...types.map((t) => `  ${t.padEnd(width)}  ${row(s.byType[t])}`));
  }
  return lines.join("\n");
}
