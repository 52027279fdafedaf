import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // The reference app and the package (built by pretest) through its public entry points, as
    // an app uses them; the engine's own steps through cronbound/engine.
    include: ["tests/**/*.test.ts"],
    globalSetup: ["tests/helpers/global-setup.ts"],
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 180_000,
    reporters: ["default"],
  },
});
