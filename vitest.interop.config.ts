import { defineConfig } from "vitest/config";

// Interop tests against third-party peers (JVMs, PHP, Python...): installs and start-ups take minutes on 2 cores.
export default defineConfig({
  test: {
    include: ["test/interop/**/*.test.ts"],
    testTimeout: 900_000,
    hookTimeout: 900_000,
    pool: "forks",
    fileParallelism: false,
  },
});
