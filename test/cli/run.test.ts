// `wsconform run` as a CI gate uses it: reports on disk, exit 1 for a conformance failure, 0 once that failure is
// recorded as expected, 1 when nothing was selected, 2 for a bad target description.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const BIN = join(import.meta.dirname, "../../cli/wsconform.mjs");
const work = mkdtempSync(join(tmpdir(), "wsconform-run-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function run(args: string[]) {
  return spawnSync(process.execPath, [BIN, "run", "--quiet", ...args], { encoding: "utf8", timeout: 180_000 });
}

describe("wsconform run", () => {
  it("a defect makes the gate fail with reports on disk; recorded as expected, the gate passes", () => {
    const report = join(work, "r1");
    const args = ["--suite", "suites/ws-trust/issue.suite.ts", "--grep", "context-echo", "--defect", "context-not-echoed", "--report", report];
    const r = run(args);
    expect(r.status, r.stdout + r.stderr).toBe(1);
    const result = JSON.parse(readFileSync(join(report, "result.json"), "utf8"));
    expect(result.schema).toBe("wsconform-result/1");
    const failed = result.cases.find((c: { id: string }) => c.id === "ws-trust/issue/context-echo");
    expect(failed).toMatchObject({ verdict: "FAIL", failedRequirement: "T06" });
    expect(failed.reproduce).toContain("--defect context-not-echoed");
    expect(failed.exchanges.length).toBeGreaterThan(0);
    expect(result.requirements.T06.verdict).toBe("FAIL");
    for (const f of ["junit.xml", "summary.txt", "summary.html", "allure-report/index.html"]) expect(existsSync(join(report, f)), f).toBe(true);
    expect(r.stdout).toContain("reproduce: npx wsconform run --defect context-not-echoed --grep 'ws-trust/issue/context-echo:'");

    const expectations = join(work, "expect.json");
    expect(run([...args, "--expect", expectations, "--update-expectations"]).status).toBe(0);
    const gated = run([...args, "--expect", expectations]);
    expect(gated.status, gated.stdout).toBe(0);
    expect(gated.stdout).toMatch(/expectations: 0 unexpected failures, \d+ expected failures/);
    // The clean reference passes what the file expected to fail: reported, not a failure.
    const fixed = run(["--suite", "suites/ws-trust/issue.suite.ts", "--grep", "context-echo", "--expect", expectations, "--report", join(work, "r2")]);
    expect(fixed.status).toBe(0);
    expect(fixed.stdout).toContain("now passing (tighten the expectations file): ws-trust/issue/context-echo");
  }, 240_000);

  it("exits 1 when no case is selected and 2 for a bad target description", () => {
    expect(run(["--grep", "no-case-has-this-name", "--report", join(work, "r3")]).status).toBe(1);
    const bad = join(work, "bad.json");
    writeFileSync(bad, JSON.stringify({ target: { kind: "ftp" } }));
    const r = spawnSync(process.execPath, [BIN, "run", "--target", bad], { encoding: "utf8", timeout: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('target.kind: must be "reference"');
  }, 120_000);
});
