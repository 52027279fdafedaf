import { InputError, jobIdArgument, json, type Command } from "./command.ts";

export const retry: Command = {
  name: "retry",
  usage: "<id>",
  summary: "put a failed or cancelled job back to pending, due now, with fresh attempts",
  async run(argv, ctx) {
    const id = jobIdArgument(argv);
    const r = await (await ctx.queue()).retryJob(id);
    if (!r.ok) throw new InputError(r.reason === "not_found" ? `job ${id} not found` : r.message);
    ctx.out(json({ id: r.job.id, type: r.job.type, status: r.job.status }));
  },
};
