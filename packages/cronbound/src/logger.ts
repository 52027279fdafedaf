// One logger for the engine. Every record is structured: an `event` name plus fields, and a
// short message. The shape is pino's (`logger.warn(fields, msg)`), so a pino logger can be
// passed as is; the default writes one JSON line per record (stdout, stderr from warn up).

export type LogLevel = "debug" | "info" | "warn" | "error";

export interface LogFields {
  /** Stable event name: "tick", "job", "maintenance_failed", ... */
  event: string;
  [field: string]: unknown;
}

export interface Logger {
  debug(fields: LogFields, msg?: string): void;
  info(fields: LogFields, msg?: string): void;
  warn(fields: LogFields, msg?: string): void;
  error(fields: LogFields, msg?: string): void;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** An Error as plain fields (JSON.stringify drops an Error's own properties). */
export function errorFields(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { error: String(err) };
  const e = err as Error & { code?: unknown };
  return { error: e.message || e.name, ...(e.code !== undefined ? { code: e.code } : {}), errorName: e.name };
}

function serialize(value: unknown): unknown {
  if (value instanceof Error) return errorFields(value);
  if (typeof value === "bigint") return value.toString();
  return value;
}

function plain(fields: LogFields): boolean {
  for (const k in fields) {
    const v = fields[k];
    if (typeof v === "bigint" || v instanceof Error) return false;
  }
  return true;
}

/**
 * The default logger: `{"time":...,"level":"warn","msg":...,"event":...,...}` per line.
 * `minLevel` drops quieter records (default "info").
 */
export function jsonLogger(options: { minLevel?: LogLevel; write?: (level: LogLevel, line: string) => void } = {}): Logger {
  const min = ORDER[options.minLevel ?? "info"];
  const write =
    options.write ??
    ((level: LogLevel, line: string) => (ORDER[level] >= ORDER.warn ? process.stderr : process.stdout).write(`${line}\n`));
  // The line is the head (time, level, msg) joined to the fields' own JSON: no copy of the
  // fields unless one needs serializing (an Error, a bigint). A worker logs a line per job.
  const at = (level: LogLevel) => (fields: LogFields, msg?: string) => {
    if (ORDER[level] < min) return;
    let body: string;
    if (plain(fields)) body = JSON.stringify(fields);
    else {
      const record: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(fields)) record[k] = serialize(v);
      body = JSON.stringify(record);
    }
    const head = `{"time":"${new Date().toISOString()}","level":"${level}"${msg ? `,"msg":${JSON.stringify(msg)}` : ""}`;
    write(level, body.length > 2 ? `${head},${body.slice(1)}` : `${head}}`);
  };
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

/** Drops everything (tests, or apps that log elsewhere). */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
