import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // tests/: the reference app and the package through its public entry points, as an app uses them.
    // packages/cronbound/test/: the engine's own modules (claim, finalize, rescue, ...) from its source.
    include: ["tests/**/*.test.ts", "packages/cronbound/test/**/*.test.ts"],
    globalSetup: ["tests/helpers/global-setup.ts"],
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 180_000,
    reporters: ["default"],
  },
});
