// Test fixture for peers that run as child processes (the Java peers, `wsconform serve`): tool checks and the
// peer's install script here; a free port, readiness and stopping come from peers/launcher.mjs, which the peer
// launchers and bench/peers.ts share.
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { expect } from "vitest";

export { freePort, stopChild, waitForReady } from "../../peers/launcher.mjs";

export const ROOT = resolve(import.meta.dirname, "../..");

/** Whether every tool is on PATH; under CI=true a missing one fails the file instead of skipping it. */
export function haveTools(tools: string[], what: string): boolean {
  const ok = tools.every((t) => spawnSync("sh", ["-c", `command -v ${t}`]).status === 0);
  if (!ok && process.env.CI === "true") throw new Error(`${tools.join(", ")} are required for ${what} under CI`);
  return ok;
}

/** Run a peer's `install.sh`; its output is the failure message. */
export function installPeer(script: string, timeoutMs: number): void {
  const install = spawnSync(script, { encoding: "utf8", timeout: timeoutMs });
  expect(install.status, `install.sh failed:\n${install.stdout}\n${install.stderr}`).toBe(0);
}
