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
      return ctx.out(`${ctx.prog} ${c.name} ${c.usage}\n  ${c.summary}`);
    }
    ctx.out(usageText(ctx.prog, ctx.commands));
  },
};

export function usageText(prog: string, commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    `usage: ${prog} [--queue <module>] <command> [arguments]`,
    "",
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.usage}\n  ${" ".repeat(width)}  ${c.summary}`),
    "",
    "--queue names the module that exports your queue (default: CRONBOUND_QUEUE, else lib/cronbound.ts, src/lib/cronbound.ts,",
    "cronbound.config.ts or their .js/.mjs twins); a .ts module needs tsx installed in the app. migrate needs no queue:",
    "it uses --database-url, else DIRECT_DATABASE_URL, else DATABASE_URL. .env.local and .env are read as Next.js reads them.",
    "Exit status: 0 done, 2 bad command line or input (unknown type, invalid JSON or payload, unknown id), 1 anything else.",
  ].join("\n");
}
