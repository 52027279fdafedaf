// Environment files hold secrets: git ignores every .env* file but the documented example.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/spawn.ts";

const ignored = (file: string) => spawnSync("git", ["check-ignore", "--no-index", "-q", file], { cwd: ROOT }).status === 0;

describe(".gitignore", () => {
  it.each([".env", ".env.local", ".env.production", ".env.production.local", ".env.development", ".env.development.local", ".env.test.local", ".env.staging"])(
    "ignores %s",
    (file) => {
      expect(ignored(file)).toBe(true);
    },
  );

  it("keeps .env.example", () => {
    expect(ignored(".env.example")).toBe(false);
  });
});
