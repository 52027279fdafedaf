// One logger for the engine. Every record is structured: an `event` name plus fields, and a
// short message. The shape is pino's (`logger.warn(fields, msg)`), so a pino logger can be
// passed as is; the default writes one JSON line per record (stdout, stderr from warn up).
const ORDER = { debug: 10, info: 20, warn: 30, error: 40 };
/** An Error as plain fields (JSON.stringify drops an Error's own properties). */
export function errorFields(err) {
    if (!(err instanceof Error))
        return { error: String(err) };
    const e = err;
    return { error: e.message || e.name, ...(e.code !== undefined ? { code: e.code } : {}), errorName: e.name };
}
function serialize(value) {
    if (value instanceof Error)
        return errorFields(value);
    if (typeof value === "bigint")
        return value.toString();
    return value;
}
/**
 * The default logger: `{"time":...,"level":"warn","msg":...,"event":...,...}` per line.
 * `minLevel` drops quieter records (default "info").
 */
export function jsonLogger(options = {}) {
    const min = ORDER[options.minLevel ?? "info"];
    const write = options.write ??
        ((level, line) => (ORDER[level] >= ORDER.warn ? process.stderr : process.stdout).write(`${line}\n`));
    const at = (level) => (fields, msg) => {
        if (ORDER[level] < min)
            return;
        const record = { time: new Date().toISOString(), level, ...(msg ? { msg } : {}) };
        for (const [k, v] of Object.entries(fields))
            record[k] = serialize(v);
        write(level, JSON.stringify(record));
    };
    return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}
/** Drops everything (tests, or apps that log elsewhere). */
export const silentLogger = { debug() { }, info() { }, warn() { }, error() { } };
