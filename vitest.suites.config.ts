// vitest configuration of `wsconform run`: the conformance suites (suites/**/*.suite.ts), not the harness's own
// unit tests (vitest.config.ts).
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["suites/**/*.suite.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "threads",
    // The allure runtime, so each case can attach its wire exchanges and requirement labels to the Allure results.
    setupFiles: ["allure-vitest/setup"],
  },
});
