// The container target end to end: build the local image of the reference STS (peers/reference-image/build.sh, no
// registry), start it through createTarget with a kind "container" config (testcontainers), run a few conformance
// cases over the port mapped to 127.0.0.1, stop it and check the container is gone.
// Skipped when no docker engine answers, except in CI (CI=true), where a missing engine is a failure.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StsTarget } from "../../adapters/sts-target.ts";
import { referenceTargetConfig, type TargetConfig } from "../../adapters/target-config.ts";
import { loadAllCases } from "../../suites/all-cases.ts";
import { runCase } from "../../suites/case.ts";
import { createTarget } from "../../suites/target.ts";

// The reaper image cannot be pulled here; stop() removes the container instead.
process.env.TESTCONTAINERS_RYUK_DISABLED = "true";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const IMAGE = "wsconform/reference:local";
const CASE_IDS = ["ws-trust/issue/context-echo", "ws-trust/issue/1.3-final-response-is-rstrc", "ws-trust/security/1.3-wrong-password"];

function docker(...args: string[]) {
  return spawnSync("docker", args, { encoding: "utf8", timeout: 30_000 });
}

const engine = docker("info", "--format", "{{.ServerVersion}}").status === 0;
const ci = process.env.CI === "true";

/** Ids of the containers of IMAGE (running or not) that publish `hostPort`. */
function containersOnPort(hostPort: string): string[] {
  const r = docker("ps", "-a", "--no-trunc", "--filter", `ancestor=${IMAGE}`, "--format", "{{.ID}} {{.Ports}}");
  expect(r.status, r.stderr).toBe(0);
  return r.stdout
    .split("\n")
    .filter((l) => l.includes(`:${hostPort}->`))
    .map((l) => l.split(" ")[0]!);
}

// In CI the engine is part of the set-up (.ci/run starts dockerd): its absence is a failure, not a skip.
it.runIf(ci)("a docker engine answers (required when CI=true)", () => {
  expect(engine, "CI=true but `docker info` fails: .ci/run installs docker.io and starts dockerd").toBe(true);
});

describe.runIf(engine)("container target (reference STS image through testcontainers)", () => {
  let target: StsTarget | undefined;
  const timings: Record<string, number> = {};

  beforeAll(async () => {
    let t0 = performance.now();
    const build = spawnSync("bash", [`${ROOT}/peers/reference-image/build.sh`], { cwd: ROOT, encoding: "utf8", timeout: 240_000 });
    if (build.status !== 0) throw new Error(`peers/reference-image/build.sh failed (status ${build.status}):\n${build.stderr}`);
    timings.imageMs = performance.now() - t0;
    const ref = referenceTargetConfig();
    const config: TargetConfig = {
      ...ref,
      target: {
        kind: "container",
        name: "reference STS in a container",
        image: IMAGE,
        port: 8089,
        wait: { path: "/health" },
        startupTimeoutMs: 60_000,
        endpoints: {
          "1.3": { username: "/adfs/services/trust/13/usernamemixed", certificate: "/adfs/services/trust/13/certificatemixed" },
          "2005": { username: "/adfs/services/trust/2005/usernamemixed", certificate: "/adfs/services/trust/2005/certificatemixed" },
        },
        timeoutMs: 10_000,
      },
      credentials: { username: "alice", password: "ecila", otherUser: { username: "bob", password: "bob" } },
    };
    t0 = performance.now();
    target = await createTarget(config);
    timings.startMs = performance.now() - t0;
  }, 300_000);

  afterAll(async () => {
    await target?.close();
    console.log(`container test timings: image ${Math.round(timings.imageMs ?? 0)} ms, start ${Math.round(timings.startMs ?? 0)} ms, stop ${Math.round(timings.stopMs ?? 0)} ms`);
  }, 120_000);

  it("serves on the port mapped to 127.0.0.1", async () => {
    expect(target!.description.kind).toBe("container");
    expect(target!.description.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const health = await fetch(`${target!.description.url}/health`);
    expect((await health.text()).trim()).toBe("ok");
  });

  it("passes conformance cases over the wire", async () => {
    const all = await loadAllCases();
    for (const id of CASE_IDS) {
      const c = all.find((x) => x.definition.id === id);
      expect(c, `case ${id} exists`).toBeDefined();
      const r = await runCase(c!.definition, target!);
      expect(r.verdict, `${id}: ${r.message ?? ""}`).toBe("PASS");
      expect(r.exchanges.length).toBeGreaterThan(0);
    }
  }, 60_000);

  it("close() stops and removes the container", async () => {
    const port = new URL(target!.description.url!).port;
    const before = containersOnPort(port);
    expect(before).toHaveLength(1);
    const t0 = performance.now();
    await target!.close();
    timings.stopMs = performance.now() - t0;
    target = undefined;
    expect(containersOnPort(port)).toEqual([]);
    const gone = docker("inspect", before[0]!);
    expect(gone.status).not.toBe(0);
    await expect(fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(5000) })).rejects.toThrow();
  }, 120_000);
});
