import { describe, expect, it } from "vitest";
import { backoffDelay } from "cronbound";

describe("backoffDelay", () => {
  // attempt -> [lowest (random = 1), highest (random = 0)] with the defaults: base 1 s, cap 1 h, jitter 0.25.
  const table: [number, number, number][] = [
    [1, 750, 1_000],
    [2, 1_500, 2_000],
    [3, 3_000, 4_000],
    [4, 6_000, 8_000],
    [10, 384_000, 512_000],
    [12, 1_536_000, 2_048_000],
    [13, 2_700_000, 3_600_000], // 4,096 s capped at 3,600 s
    [50, 2_700_000, 3_600_000],
    [10_000, 2_700_000, 3_600_000], // no overflow to Infinity or NaN
  ];
  it.each(table)("attempt %i waits between %i and %i ms", (attempt, low, high) => {
    expect(backoffDelay(attempt, {}, () => 1)).toBe(low);
    expect(backoffDelay(attempt, {}, () => 0)).toBe(high);
    for (let i = 0; i < 50; i++) {
      const d = backoffDelay(attempt);
      expect(d).toBeGreaterThanOrEqual(low);
      expect(d).toBeLessThanOrEqual(high);
    }
  });

  it("honours base, cap and jitter options", () => {
    expect(backoffDelay(3, { baseMs: 100, jitter: 0 })).toBe(400);
    expect(backoffDelay(20, { baseMs: 100, maxMs: 5_000, jitter: 0 })).toBe(5_000);
    expect(backoffDelay(1, { baseMs: 1_000, jitter: 1 }, () => 1)).toBe(0);
  });

  it("treats attempt 0 or below as the first", () => {
    expect(backoffDelay(0, { jitter: 0 })).toBe(1_000);
  });
});
