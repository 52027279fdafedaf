import { parse, UsageError, type Command } from "./command.ts";

export const help: Command = {
  name: "help",
  usage: "[command]",
  summary: "list the commands, or show one command's usage",
  async run(argv, ctx) {
    const { positionals } = parse(argv, {}, { min: 0, max: 1 });
    const only = positionals[0];
    if (only) {
      const c = ctx.commands.find((x) => x.name === only);
      if (!c) throw new UsageError(`unknown command ${JSON.stringify(only)}`);
      return ctx.out(`npm run jobs -- ${c.name} ${c.usage}\n  ${c.summary}`);
    }
    ctx.out(usageText(ctx.commands));
  },
};

export function usageText(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    "usage: npm run jobs -- <command> [arguments]",
    "",
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.usage}\n  ${" ".repeat(width)}  ${c.summary}`),
    "",
    "Uses DATABASE_URL (environment or .env.local), else the embedded database of a running `npm run dev`.",
    "Exit status: 0 done, 2 bad command line or input (unknown type, invalid JSON or payload, unknown id), 1 anything else.",
  ].join("\n");
}
