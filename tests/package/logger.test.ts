// The default logger's line: one JSON object per record, time, level and msg first, then the
// fields; Errors and bigints serialized; every line parses.
import { describe, expect, it } from "vitest";
import { jsonLogger, type LogLevel } from "cronbound";

describe("jsonLogger", () => {
  it("writes one parseable JSON line per record, fields after time, level and msg, Errors and bigints serialized", () => {
    const lines: [LogLevel, string][] = [];
    const log = jsonLogger({ minLevel: "info", write: (level, line) => lines.push([level, line]) });
    log.debug({ event: "quiet" });
    log.info({ event: "job", id: "1", attempt: 2, nested: { a: [1, null] } }, 'a "quoted" msg');
    log.warn({ event: "bad", err: new Error("boom"), big: 12345678901234567890n });
    log.error({ event: "empty" } as never);
    expect(lines.map(([l]) => l)).toEqual(["info", "warn", "error"]);
    const [info, warn, error] = lines.map(([, line]) => JSON.parse(line) as Record<string, unknown>);
    expect(Object.keys(info)).toEqual(["time", "level", "msg", "event", "id", "attempt", "nested"]);
    expect(info).toMatchObject({ level: "info", msg: 'a "quoted" msg', event: "job", id: "1", attempt: 2, nested: { a: [1, null] } });
    expect(new Date(info.time as string).toISOString()).toBe(info.time);
    expect(warn).toMatchObject({ level: "warn", event: "bad", err: { error: "boom", errorName: "Error" }, big: "12345678901234567890" });
    expect(error).toMatchObject({ level: "error", event: "empty" });
    expect(lines.every(([, line]) => !line.includes("\n"))).toBe(true);
  });
});
