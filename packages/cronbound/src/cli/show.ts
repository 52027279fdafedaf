import { InputError, jobIdArgument, json, type Command } from "./command.ts";

export const show: Command = {
  name: "show",
  usage: "<id>",
  summary: "print one job as JSON (status, attempts, errors, result, progress, timestamps)",
  async run(argv, ctx) {
    const id = jobIdArgument(argv);
    const job = await (await ctx.queue()).getJob(id);
    if (!job) throw new InputError(`job ${id} not found`);
    ctx.out(json(job));
  },
};
