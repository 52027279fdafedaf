// What the dev command shows: idle ticks are hidden, any tick that did work is not.
import { describe, expect, it } from "vitest";
import { isIdleTickNoise } from "../../lib/dev/next-dev.ts";
import { describe as describeTick } from "../../lib/dev/ticker.ts";
import type { TickReport } from "cronbound";

const report = (over: Partial<TickReport>): TickReport => ({
  workerId: "w", claimed: 0, completed: 0, retried: 0, failed: 0, rescued: 0, lost: 0, released: 0,
  continued: 0, waiting: 0, cancelled: 0, skippedForBudget: 0, heldBack: 0, maintenance: {}, durationMs: 1234, ...over,
});

describe("dev output", () => {
  it("drops next's request line and the route's report for an idle tick only", () => {
    expect(isIdleTickNoise(" GET /api/jobs/tick 200 in 39ms (next.js: 6ms, application-code: 33ms)")).toBe(true);
    expect(isIdleTickNoise("\x1b[2m GET /api/jobs/tick 200 in 3ms\x1b[22m")).toBe(true);
    expect(isIdleTickNoise(JSON.stringify({ msg: "cronbound tick", claimed: 0, rescued: 0 }))).toBe(true);
    expect(isIdleTickNoise(JSON.stringify({ msg: "cronbound tick", claimed: 2, rescued: 0 }))).toBe(false);
    expect(isIdleTickNoise(JSON.stringify({ msg: "cronbound tick", claimed: 0, rescued: 1 }))).toBe(false);
    expect(isIdleTickNoise(" GET /api/jobs/tick 401 in 3ms")).toBe(false);
    expect(isIdleTickNoise(" GET /api/jobs/tick 500 in 3ms")).toBe(false);
    expect(isIdleTickNoise(" GET /jobs 200 in 30ms")).toBe(false);
    expect(isIdleTickNoise("Error: something broke")).toBe(false);
  });

  it("prints a line for a tick that claimed or rescued, nothing for an idle one", () => {
    expect(describeTick(report({}))).toBeNull();
    expect(describeTick(report({ skippedForBudget: 3 }))).toBeNull();
    expect(describeTick(report({ claimed: 3, completed: 2, retried: 1 }))).toBe("3 claimed: 2 completed, 1 retried (1.2 s)");
    expect(describeTick(report({ rescued: 1 }))).toBe("0 claimed: 1 rescued from expired leases (1.2 s)");
  });
});
