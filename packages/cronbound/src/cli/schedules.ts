import { ScheduleError } from "../engine/schedules/cron.ts";
import type { Schedule } from "../engine/schedules/store.ts";
import { InputError, intOption, json, parse, UsageError, type Command } from "./command.ts";

const view = (s: Schedule) => ({
  name: s.name,
  cron: s.cron,
  timezone: s.timezone,
  type: s.type,
  payload: s.payload,
  backfill: s.backfill,
  nextRunAt: s.nextRunAt?.toISOString() ?? null,
  lastRunAt: s.lastRunAt?.toISOString() ?? null,
  lastJobId: s.lastJobId,
  lastError: s.lastError,
});

/** `cronbound schedule list | set ... | remove <name>`: the cron schedules in the database. */
export const schedules: Command = {
  name: "schedule",
  usage: "list | set <name> <cron> <type> <json> [--tz Europe/London] [--backfill N] | remove <name>",
  summary: "list, create or update, or remove cron schedules (each due fire time enqueues one job)",
  async run(argv, ctx) {
    const [action, ...rest] = argv;
    if (action === "list") {
      parse(rest, {}, { min: 0, max: 0 });
      ctx.out(json((await (await ctx.queue()).listSchedules()).map(view)));
      return;
    }
    if (action === "set") {
      const { positionals, values } = parse(rest, { tz: { type: "string" }, backfill: { type: "string" } }, { min: 4, max: 4 });
      const [name, cron, type, text] = positionals;
      let payload: unknown;
      try {
        payload = JSON.parse(text);
      } catch (err) {
        throw new InputError(`the payload is not valid JSON: ${(err as Error).message}`);
      }
      try {
        const s = await (await ctx.queue()).schedule(name, cron, {
          type,
          payload,
          timezone: values.tz ?? "UTC",
          backfill: intOption("backfill", values.backfill) ?? 0,
        });
        ctx.out(json(view(s)));
      } catch (err) {
        if (err instanceof ScheduleError) throw new InputError(err.message);
        throw err;
      }
      return;
    }
    if (action === "remove") {
      const { positionals } = parse(rest, {}, { min: 1, max: 1 });
      if (!(await (await ctx.queue()).unschedule(positionals[0]))) throw new InputError(`no schedule named ${JSON.stringify(positionals[0])}`);
      ctx.out(json({ removed: positionals[0] }));
      return;
    }
    throw new UsageError(action === undefined ? "missing action (list, set or remove)" : `unknown action ${JSON.stringify(action)} (list, set or remove)`);
  },
};
