#!/usr/bin/env node
// Entry point of the `wsconform` command: the harness is written in TypeScript and loaded through tsx, so there is
// no build step between a checkout and a run.
import { register } from "tsx/esm/api";

register();
const { main } = await import("./main.ts");
process.exitCode = await main(process.argv.slice(2));
