#!/usr/bin/env node
// Run a TypeScript file (benchmarks, scripts) through tsx: `node cli/run-ts.mjs FILE [args]`.
import "./threadpool.mjs";
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";

const { register } = await import("tsx/esm/api");
register();
const [file, ...rest] = process.argv.slice(2);
if (!file) {
  console.error("usage: node cli/run-ts.mjs FILE.ts [args]");
  process.exit(2);
}
process.argv = [process.argv[0], resolve(file), ...rest];
await import(pathToFileURL(resolve(file)).href);
