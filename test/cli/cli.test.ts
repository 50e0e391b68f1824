// The `wsconform` command as a user runs it: serve prints its endpoints and certificate and stops cleanly on
// SIGTERM; selfcheck exits 0 on the clean reference and 1 when a defect breaks what it checks; bad input exits 2.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const BIN = join(import.meta.dirname, "../../cli/wsconform.mjs");
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function run(args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", timeout: 60_000 });
}

describe("wsconform CLI", () => {
  it("serve: prints endpoints and the signing certificate, persists keys, answers, stops on SIGTERM", async () => {
    const data = mkdtempSync(join(tmpdir(), "wsconform-serve-"));
    dirs.push(data);
    const child = spawn(process.execPath, [BIN, "serve", "--port", "0", "--data", data], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (c) => (out += c));
    const deadline = Date.now() + 30_000;
    while (!out.includes("Ready.") && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 50));
    expect(out).toContain("Ready.");
    expect(out).toContain("/adfs/services/trust/13/usernamemixed");
    expect(out).toContain("-----BEGIN CERTIFICATE-----");
    expect(existsSync(join(data, "signing-primary.cert.pem"))).toBe(true);
    const base = /(http:\/\/127\.0\.0\.1:\d+)/.exec(out)![1]!;
    expect(await (await fetch(`${base}/health`)).text()).toBe("ok\n");
    const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(out).toContain("stopped");
  });

  it("selfcheck passes on the clean reference and fails (exit 1) with a defect it can see", () => {
    const ok = run(["selfcheck"]);
    expect(ok.status, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/\d+ passed, 0 failed/);
    const bad = run(["selfcheck", "--defect", "context-not-echoed"]);
    expect(bad.status).toBe(1);
    expect(bad.stdout).toContain("FAIL  1.3 Issue echoes Context");
  });

  it("exits 2 with a clear message on a bad configuration or unknown command", () => {
    const dir = mkdtempSync(join(tmpdir(), "wsconform-cfg-"));
    dirs.push(dir);
    writeFileSync(join(dir, "bad.json"), JSON.stringify({ clockSkewSeconds: "five" }));
    const r = run(["serve", "--config", join(dir, "bad.json"), "--data", dir]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("clockSkewSeconds: must be an integer");
    expect(run(["frobnicate"]).status).toBe(2);
    expect(run(["serve", "--defect", "no-such"]).stderr).toContain('unknown defect "no-such"');
  });

  it("defects lists every defect with what it breaks", () => {
    const r = run(["defects"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("psha1-entropy-swapped");
    expect(r.stdout).toContain("[breaks T40]");
  });
});
