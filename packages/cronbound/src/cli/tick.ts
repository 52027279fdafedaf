import { defaultWorkerId } from "../engine/tick/run.ts";
import { intOption, json, parse, type Command } from "./command.ts";

// A CLI tick has no platform limit; five minutes matches Vercel's default maxDuration, so it
// claims what the cron route would. A tick ends as soon as nothing claimable is left.
const DEFAULT_BUDGET_MS = 300_000;

export const tick: Command = {
  name: "tick",
  usage: "[--budget-ms N] [--types a,b]",
  summary: "run one tick now (maintenance, then claim and run due jobs) and print its report",
  async run(argv, ctx) {
    const { values } = parse(argv, { "budget-ms": { type: "string" }, types: { type: "string" } }, { min: 0, max: 0 });
    const queue = await ctx.queue();
    const report = await queue.runTick({
      budgetMs: intOption("budget-ms", values["budget-ms"]) ?? queue.config.tickBudgetMs ?? DEFAULT_BUDGET_MS,
      workerId: `cli-${defaultWorkerId()}`,
      types: values.types?.split(",").map((t) => t.trim()).filter(Boolean),
      // Ctrl-C: stop claiming, let running jobs finish within the grace, release the rest.
      signal: ctx.signal,
    });
    ctx.out(json(report));
  },
};
