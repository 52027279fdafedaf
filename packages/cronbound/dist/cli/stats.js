import { JOB_STATUSES } from "../engine/types.js";
import { json, parse } from "./command.js";
export const stats = {
    name: "stats",
    usage: "[--json]",
    summary: "counts per status and per type, and the age of the oldest due pending job",
    async run(argv, ctx) {
        const { values } = parse(argv, { json: { type: "boolean" } }, { min: 0, max: 0 });
        const s = await (await ctx.queue()).getStats();
        ctx.out(values.json ? json(s) : format(s));
    },
};
function format(s) {
    const row = (c) => JOB_STATUSES.map((st) => `${st} ${c[st] ?? 0}`).join("  ");
    const lines = [
        row(s.counts),
        `pending: ${s.scheduled} scheduled for later, ${s.blocked} waiting on a dependency; oldest due job waiting ${s.oldestPendingAgeSeconds} s`,
    ];
    const types = Object.keys(s.byType).sort();
    if (types.length) {
        const width = Math.max(...types.map((t) => t.length));
        lines.push("by type:", ...types.map((t) => `  ${t.padEnd(width)}  ${row(s.byType[t])}`));
    }
    return lines.join("\n");
}
