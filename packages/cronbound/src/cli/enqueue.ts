import { EnqueueError } from "../engine/errors.ts";
import { InputError, intOption, json, parse, type Command } from "./command.ts";

export const enqueue: Command = {
  name: "enqueue",
  usage: "<type> <json-payload> [--delay-ms N | --run-at ISO] [--priority N] [--max-attempts N] [--idempotency-key K]",
  summary: "validate the payload against the type's schema and add the job (nothing is written when invalid)",
  async run(argv, ctx) {
    const { positionals, values } = parse(
      argv,
      {
        "delay-ms": { type: "string" },
        "run-at": { type: "string" },
        priority: { type: "string" },
        "max-attempts": { type: "string" },
        "idempotency-key": { type: "string" },
      },
      { min: 2, max: 2 },
    );
    const [type, text] = positionals;
    let payload: unknown;
    try {
      payload = JSON.parse(text);
    } catch (err) {
      throw new InputError(`the payload is not valid JSON (${(err as Error).message}); quote it for the shell: '{"key":"value"}'`);
    }
    const options = {
      delayMs: intOption("delay-ms", values["delay-ms"]),
      runAt: values["run-at"],
      priority: intOption("priority", values.priority),
      maxAttempts: intOption("max-attempts", values["max-attempts"]),
      idempotencyKey: values["idempotency-key"],
    };
    try {
      // Same function as the API route and the app's queue: the type's schema decides.
      const { job, created } = await (await ctx.queue()).enqueue(type, payload as never, options);
      ctx.out(json({ id: job.id, type: job.type, status: job.status, runAt: job.runAt, created }));
    } catch (err) {
      if (err instanceof EnqueueError) throw new InputError(err.message);
      throw err;
    }
  },
};
