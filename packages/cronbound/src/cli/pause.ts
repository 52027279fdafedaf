import { InputError, json, parse, type Command } from "./command.ts";

export const pause: Command = {
  name: "pause",
  usage: "<type> [--reason <text>]",
  summary: "stop every claim (cron, kick, worker, manual) from taking jobs of this type; enqueue still works",
  async run(argv, ctx) {
    const { positionals, values } = parse(argv, { reason: { type: "string" } }, { min: 1, max: 1 });
    const r = await (await ctx.queue()).pause(positionals[0], { reason: values.reason });
    if (!r.ok) throw new InputError(r.message);
    ctx.out(json({ type: r.type, paused: true, pausedAt: r.pausedAt, reason: r.reason, changed: r.changed }));
  },
};

export const resume: Command = {
  name: "resume",
  usage: "<type>",
  summary: "let claims take jobs of a paused type again; its backlog runs from the next tick",
  async run(argv, ctx) {
    const { positionals } = parse(argv, {}, { min: 1, max: 1 });
    const r = await (await ctx.queue()).resume(positionals[0]);
    if (!r.ok) throw new InputError(r.message);
    ctx.out(json({ type: r.type, paused: false, changed: r.changed }));
  },
};
