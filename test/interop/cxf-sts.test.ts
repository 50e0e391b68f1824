// Apache CXF's STS (peers/cxf-sts) as a target: install, start on a free port, run every suite, and compare the
// verdicts with peers/cxf-sts/expectations.json (no unexpected FAIL/ERROR, no unexpected pass).
// Needs Java 17+ and Maven: without them the test fails under CI=true and is skipped otherwise.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compare, parseExpectations } from "../../reports/expectations.ts";
import type { RunResult } from "../../reports/result.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const PEER = join(ROOT, "peers/cxf-sts");
const haveJava = ["java", "mvn", "keytool"].every((t) => spawnSync("sh", ["-c", `command -v ${t}`]).status === 0);
if (!haveJava && process.env.CI === "true") throw new Error("Java 17+ and Maven are required for the CXF interop tests under CI");

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once("error", rej);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => res(port));
    });
  });
}

describe.skipIf(!haveJava)("Apache CXF STS as a target", () => {
  let child: ChildProcess | undefined;
  let baseUrl = "";
  const work = mkdtempSync(join(tmpdir(), "wsconform-cxf-sts-"));

  beforeAll(async () => {
    const install = spawnSync(join(PEER, "install.sh"), { encoding: "utf8", timeout: 600_000 });
    expect(install.status, `install.sh failed:\n${install.stdout}\n${install.stderr}`).toBe(0);
    const port = await freePort();
    child = spawn(join(PEER, "start.sh"), [], { env: { ...process.env, CXF_STS_PORT: String(port) }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    baseUrl = await new Promise<string>((res, rej) => {
      const timer = setTimeout(() => rej(new Error(`CXF STS not ready within 180 s:\n${out.slice(-3000)}`)), 180_000);
      child!.stdout!.on("data", (d: Buffer) => {
        out += d.toString();
        const m = /^(https:\/\/127\.0\.0\.1:\d+)\s*$/m.exec(out);
        if (m) {
          clearTimeout(timer);
          res(m[1]!);
        }
      });
      child!.stderr!.on("data", (d: Buffer) => (out += d.toString()));
      child!.once("exit", (code) => {
        clearTimeout(timer);
        rej(new Error(`CXF STS exited (${code}):\n${out.slice(-3000)}`));
      });
    });
  });

  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill("SIGTERM");
      await new Promise((r) => child!.once("exit", r));
    }
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
