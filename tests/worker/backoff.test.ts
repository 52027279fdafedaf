import { describe, expect, it } from "vitest";
import { errorBackoffMs } from "cronbound";

describe("the worker's database-error backoff", () => {
  it("doubles from 1 s and stays at 30 s", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 50].map(errorBackoffMs)).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  });
});
