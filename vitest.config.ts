import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Third-party peers run with `npm run test:interop` (vitest.interop.config.ts): they install from registries.
    exclude: ["test/interop/**", "node_modules/**"],
    // Crypto-heavy tests (key generation, xmlsec1 subprocesses) need more than the 5 s default on 2 cores.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
