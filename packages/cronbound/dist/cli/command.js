import { parseArgs } from "node:util";
import { isJobId } from "../engine/control.js";
/** The command line was wrong: exit 2, with the command's usage. */
export class UsageError extends Error {
    exitCode = 2;
}
/** The input was wrong (unknown type, invalid JSON or payload, unknown id, wrong status): exit 2. */
export class InputError extends Error {
    exitCode = 2;
}
/** parseArgs that turns its complaints (unknown option, missing value) into a UsageError. */
export function parse(argv, options, positionals) {
    let parsed;
    try {
        parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    }
    catch (err) {
        throw new UsageError(err.message.replace(/\s*\n\s*/g, " "));
    }
    const n = parsed.positionals.length;
    if (n < positionals.min)
        throw new UsageError(`missing argument${positionals.min - n > 1 ? "s" : ""}`);
    if (n > positionals.max)
        throw new UsageError(`unexpected argument ${JSON.stringify(parsed.positionals[positionals.max])}`);
    return parsed;
}
/** An integer option (`--delay-ms 500`), or undefined when absent. */
export function intOption(name, value) {
    if (value === undefined)
        return undefined;
    if (!/^-?\d+$/.test(value))
        throw new UsageError(`--${name} takes an integer; got ${JSON.stringify(value)}`);
    return Number(value);
}
export const json = (value) => JSON.stringify(value, null, 2);
/** The single `<id>` argument of retry, cancel and show. */
export function jobIdArgument(argv) {
    const { positionals } = parse(argv, {}, { min: 1, max: 1 });
    const id = positionals[0];
    if (!isJobId(id))
        throw new InputError(`${JSON.stringify(id)} is not a job id (a positive integer)`);
    return id;
}
