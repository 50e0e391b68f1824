// The interop matrix builder: verdict counts per target and suite, row order, Markdown and JSON, and reading
// result files from the folders the interop tests write.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { buildMatrix, collectResults, formatCell, main, matrixMarkdown, suiteOf, MATRIX_SCHEMA } from "../../reports/interop-matrix.ts";
import { buildResult, type RunResult } from "../../reports/result.ts";
import type { CaseResult, Verdict } from "../../suites/case.ts";

function caseResult(id: string, verdict: Verdict): CaseResult {
  return { id, title: id, requirements: ["F01"], verdict, observations: [], exchanges: [], durationMs: 1 };
}

function run(kind: string, name: string, cases: [string, Verdict][]): RunResult {
  return buildResult({
    cases: cases.map(([id, v]) => caseResult(id, v)),
    target: { name, kind, capabilities: {} },
    version: "0.0.0",
    startedAt: Date.UTC(2026, 10, 1),
    durationMs: 5,
    command: "x",
    reproduce: () => "x",
  });
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  vi.restoreAllMocks();
});

describe("interop matrix", () => {
  it("files case ids under suites by prefix", () => {
    expect(suiteOf("ws-trust/issue/1.3-saml20-bearer")).toBe("ws-trust");
    expect(suiteOf("ws-security/faults/invalid-security")).toBe("ws-security");
    expect(suiteOf("ws-fed/chromium/signin/round-trip")).toBe("ws-fed");
    expect(suiteOf("ws-fed/rp/accepts-2005-rstr")).toBe("ws-fed");
    expect(suiteOf("security/xsw/wrapped-assertion")).toBe("security");
    expect(suiteOf("fuzz/regressions/one")).toBe("fuzz regressions");
    expect(suiteOf("something/else")).toBe("other");
  });

  it("counts verdicts per target and suite, orders rows reference-first and merges rows of one label", () => {
    const m = buildMatrix(
      [
        { label: "zeta-idp", result: run("http", "Zeta", [["ws-fed/undici/signin/round-trip", "PASS"]]) },
        { label: "simplesamlphp", result: run("http", "SSP", [["ws-fed/undici/signin/round-trip", "PASS"], ["ws-fed/undici/signin/missing-wa", "FAIL"], ["ws-fed/undici/signout/idp-session-ended", "SKIP"]]) },
        { label: "reference", result: run("reference", "ref", [["ws-trust/issue/a", "PASS"], ["ws-trust/issue/b", "INFO"], ["security/xsw/a", "PASS"], ["fuzz/regressions/a", "PASS"]]) },
        { label: "wsfed-idp", result: run("http", "wsfed", [["ws-fed/metadata/signed", "WARN"], ["ws-fed/chromium/signin/round-trip", "ERROR"]]) },
        { label: "reference", result: run("reference", "ref", [["ws-fed/rp/accepts-2005-rstr", "PASS"]]) },
      ],
      new Date(Date.UTC(2026, 10, 2)),
    );
    expect(m.schema).toBe(MATRIX_SCHEMA);
    expect(m.generatedAt).toBe("2026-11-02T00:00:00.000Z");
    expect(m.suites).toEqual(["ws-trust", "ws-security", "ws-fed", "security", "fuzz regressions"]);
    expect(m.rows.map((r) => r.target)).toEqual(["reference", "wsfed-idp", "simplesamlphp", "zeta-idp"]);
    const ref = m.rows[0]!;
    expect(ref.cells["ws-trust"]).toMatchObject({ PASS: 1, INFO: 1, FAIL: 0 });
    expect(ref.cells["ws-fed"]).toMatchObject({ PASS: 1 });
    expect(ref.cells["ws-security"]).toBeUndefined();
    expect(ref.total).toEqual({ PASS: 4, FAIL: 0, WARN: 0, SKIP: 0, INFO: 1, ERROR: 0 });
    expect(m.rows[2]!.cells["ws-fed"]).toEqual({ PASS: 1, FAIL: 1, WARN: 0, SKIP: 1, INFO: 0, ERROR: 0 });
    expect(m.rows[1]!.cells["ws-fed"]).toMatchObject({ WARN: 1, ERROR: 1 });
  });

  it("adds an 'other' column only when a case fits no suite, and refuses what is not a result", () => {
    expect(buildMatrix([{ label: "x", result: run("http", "x", [["odd/case", "PASS"]]) }]).suites.at(-1)).toBe("other");
    expect(() => buildMatrix([{ label: "x", result: { schema: "nope" } as unknown as RunResult }])).toThrow(/not a wsconform-result\/1/);
    const bad = run("http", "x", [["ws-fed/a", "PASS"]]);
    (bad.cases[0] as { verdict: string }).verdict = "MAYBE";
    expect(() => buildMatrix([{ label: "x", result: bad }])).toThrow(/unknown verdict/);
  });

  it("renders Markdown: one row per target, a dash for suites not run, counts in verdict order", () => {
    expect(formatCell(undefined)).toBe("—");
    expect(formatCell({ PASS: 0, FAIL: 0, WARN: 0, SKIP: 0, INFO: 0, ERROR: 0 })).toBe("—");
    expect(formatCell({ PASS: 3, FAIL: 1, WARN: 0, SKIP: 2, INFO: 0, ERROR: 1 })).toBe("3 PASS · 1 FAIL · 2 SKIP · 1 ERROR");
    const md = matrixMarkdown(buildMatrix([{ label: "peer|x", result: run("http", "Peer", [["ws-fed/a", "PASS"], ["ws-fed/b", "FAIL"]]) }]));
    const lines = md.split("\n");
    expect(lines[0]).toBe("| target | ws-trust | ws-security | ws-fed | security | fuzz regressions | total |");
    expect(lines[1]).toBe("|---|---|---|---|---|---|---|");
    expect(lines[2]).toBe("| peer\\|x | — | — | 1 PASS · 1 FAIL | — | — | 1 PASS · 1 FAIL |");
    expect(md).toContain("- peer|x: Peer (http, run 2026-11-01T00:00:00.000Z)");
  });

  it("reads reports/out/interop-style folders and writes Markdown and JSON from main", () => {
    const dir = mkdtempSync(join(tmpdir(), "wsconform-matrix-"));
    dirs.push(dir);
    for (const [peer, verdict] of [["wsfed-idp", "PASS"], ["passport-wsfed-rp", "FAIL"]] as const) {
      mkdirSync(join(dir, peer));
      writeFileSync(join(dir, peer, "result.json"), JSON.stringify(run("http", peer, [["ws-fed/x", verdict]])));
    }
    mkdirSync(join(dir, "empty"));
    expect(collectResults(dir).map((r) => r.label)).toEqual(["passport-wsfed-rp", "wsfed-idp"]);
    const refDir = join(dir, "..", `${dir.split("/").pop()}-latest`);
    mkdirSync(refDir);
    dirs.push(refDir);
    writeFileSync(join(refDir, "result.json"), JSON.stringify(run("reference", "wsconform reference STS", [["ws-trust/a", "PASS"]])));
    expect(collectResults(refDir).map((r) => r.label)).toEqual(["reference"]);
    expect(collectResults(join(refDir, "result.json"), "ref2").map((r) => r.label)).toEqual(["ref2"]);

    let printed = "";
    vi.spyOn(process.stdout, "write").mockImplementation((s) => ((printed += String(s)), true));
    expect(main([dir, refDir])).toBe(0);
    expect(printed.split("\n").slice(2, 5).map((l) => l.split(" | ")[0])).toEqual(["| reference", "| wsfed-idp", "| passport-wsfed-rp"]);
    expect(readFileSync(join(dir, "interop-matrix.md"), "utf8")).toBe(printed);
    const json = JSON.parse(readFileSync(join(dir, "interop-matrix.json"), "utf8"));
    expect(json.rows.map((r: { target: string }) => r.target)).toEqual(["reference", "wsfed-idp", "passport-wsfed-rp"]);

    const err = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    expect(main([join(dir, "empty")])).toBe(2);
    expect(String(err.mock.calls.at(-1)?.[0])).toMatch(/no result\.json/);
    writeFileSync(join(dir, "bogus.json"), "{}");
    expect(main([join(dir, "bogus.json")])).toBe(2);
    expect(main(["/nonexistent/wsconform"])).toBe(2);
  });
});
