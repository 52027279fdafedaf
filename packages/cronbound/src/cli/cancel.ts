import { InputError, jobIdArgument, json, type Command } from "./command.ts";

export const cancel: Command = {
  name: "cancel",
  usage: "<id>",
  summary: "cancel a pending job, or stop a running one and discard its result",
  async run(argv, ctx) {
    const id = jobIdArgument(argv);
    const r = await (await ctx.queue()).cancelJob(id, { reason: "cancelled from the command line" });
    if (!r.ok) throw new InputError(r.reason === "not_found" ? `job ${id} not found` : r.message);
    ctx.out(json({ id: r.job.id, type: r.job.type, status: r.job.status }));
  },
};
