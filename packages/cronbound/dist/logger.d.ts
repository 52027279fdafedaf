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
/** An Error as plain fields (JSON.stringify drops an Error's own properties). */
export declare function errorFields(err: unknown): Record<string, unknown>;
/**
 * The default logger: `{"time":...,"level":"warn","msg":...,"event":...,...}` per line.
 * `minLevel` drops quieter records (default "info").
 */
export declare function jsonLogger(options?: {
    minLevel?: LogLevel;
    write?: (level: LogLevel, line: string) => void;
}): Logger;
/** Drops everything (tests, or apps that log elsewhere). */
export declare const silentLogger: Logger;
