#!/usr/bin/env -S node --max-old-space-size=1024
// Entry point of the `wsconform` command: the harness is written in TypeScript and loaded through tsx, so there is
// no build step between a checkout and a run. Static imports are hoisted, so the pool sizing comes first as its own
// module and the rest is imported after it.
import "./threadpool.mjs";

const { register } = await import("tsx/esm/api");
register();
const { main } = await import("./main.ts");
process.exitCode = await main(process.argv.slice(2));
