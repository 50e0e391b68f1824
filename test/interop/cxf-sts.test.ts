// Apache CXF's STS (peers/cxf-sts) as a target: install, start on a free port, run every suite, and compare the
// verdicts with peers/cxf-sts/expectations.json (no unexpected FAIL/ERROR, no unexpected pass).
// Needs Java 17+ and Maven: without them the test fails under CI=true and is skipped otherwise.
import { spawn, type ChildProcess } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compare, parseExpectations } from "../../reports/expectations.ts";
import type { RunResult } from "../../reports/result.ts";
import { freePort, stopChild, waitForReady } from "../../peers/launcher.mjs";
import { IN_CI, installPeer } from "../../peers/wsfed-idp/support.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const PEER = join(ROOT, "peers/cxf-sts");
const install = installPeer(join(PEER, "install.sh"), ["java", "mvn", "keytool"]);

if (!install.ok && IN_CI) {
  it("the CXF STS peer is installed (CI=true: Java 17+ and Maven are required)", () => {
    throw new Error(`CXF STS peer unavailable: ${install.why}`);
  });
}

describe.skipIf(!install.ok)("Apache CXF STS as a target", () => {
  let child: ChildProcess | undefined;
  let baseUrl = "";
  const work = mkdtempSync(join(tmpdir(), "wsconform-cxf-sts-"));

  beforeAll(async () => {
    const port = await freePort("127.0.0.1");
    child = spawn(join(PEER, "start.sh"), [], { env: { ...process.env, CXF_STS_PORT: String(port) }, stdio: ["ignore", "pipe", "pipe"] });
    baseUrl = await waitForReady(child, (out) => /^(https:\/\/127\.0\.0\.1:\d+)\s*$/m.exec(out)?.[1], 180_000, "CXF STS");
  });

  afterAll(async () => {
    await stopChild(child);
    rmSync(work, { recursive: true, force: true });
  });

  it("runs every suite with no unexpected FAIL or ERROR against peers/cxf-sts/expectations.json", async () => {
    // The committed config names port 9443 and paths relative to peers/cxf-sts: rewrite both for this run.
    const cfg = JSON.parse(readFileSync(join(PEER, "wsconform.config.json"), "utf8"));
    cfg.target.baseUrl = baseUrl;
    // A cold JVM on a busy 2-core machine can take well over the config's 15 s for its first answers.
    cfg.target.timeoutMs = 60_000;
    cfg.target.tlsCa = cfg.target.tlsCa.map((p: string) => join(PEER, p));
    cfg.trustAnchors = cfg.trustAnchors.map((p: string) => join(PEER, p));
    const cfgFile = join(work, "cxf-sts.config.json");
    writeFileSync(cfgFile, JSON.stringify(cfg));
    const report = join(work, "report");
    const expectFile = join(PEER, "expectations.json");
    // Not spawnSync: this event loop must keep draining the JVM's stdout/stderr pipes (CXF logs a stack trace per
    // refused request; a full pipe would block the STS mid-request).
    const run = await new Promise<{ status: number | null; stdout: string; stderr: string }>((res) => {
      const p = spawn(
        process.execPath,
        [join(ROOT, "cli/wsconform.mjs"), "run", "--target", cfgFile, "--expect", expectFile, "--report", report, "--no-allure-report", "--quiet"],
        { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
      );
      let stdout = "";
      let stderr = "";
      p.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
      p.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => p.kill("SIGTERM"), 840_000);
      p.once("exit", (status) => {
        clearTimeout(timer);
        res({ status, stdout, stderr });
      });
    });
    expect(run.status, `wsconform run exited ${run.status}:\n${run.stdout.slice(-4000)}\n${run.stderr.slice(-2000)}`).toBe(0);
    const result = JSON.parse(readFileSync(join(report, "result.json"), "utf8")) as RunResult;
    // Kept for the interop matrix (reports/interop-matrix.ts reads reports/out/interop/<row>/result.json).
    mkdirSync(join(ROOT, "reports/out/interop/cxf-sts"), { recursive: true });
    copyFileSync(join(report, "result.json"), join(ROOT, "reports/out/interop/cxf-sts/result.json"));
    const cmp = compare(result, parseExpectations(JSON.parse(readFileSync(expectFile, "utf8"))));
    expect(cmp.unexpectedFailures).toEqual([]);
    expect(cmp.unexpectedPasses).toEqual([]);
    const pass = result.cases.filter((c) => c.verdict === "PASS").map((c) => c.id);
    // The core of the 1.3 protocol works against CXF: tokens of both SAML versions and all three key types.
    for (const id of ["ws-trust/issue/1.3-saml20-bearer", "ws-trust/issue/1.3-saml11-symmetrickey", "ws-trust/issue/1.3-saml20-publickey", "ws-trust/renew/1.3-new-token-and-lifetime"]) {
      expect(pass, id).toContain(id);
    }
    expect(pass.length).toBeGreaterThanOrEqual(55);
  });
});
