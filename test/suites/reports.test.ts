// Reports of a run: the per-requirement roll-up, JUnit XML that parses and counts right, and the expectations
// logic a CI gate relies on (only unexpected failures fail the gate; unexpected passes are reported).
import { describe, expect, it } from "vitest";
import { compare, expectationsFrom, parseExpectations } from "../../reports/expectations.ts";
import { junitXml } from "../../reports/junit.ts";
import { buildResult } from "../../reports/result.ts";
import { summaryText } from "../../reports/summary.ts";
import type { CaseResult, Verdict } from "../../suites/case.ts";
import { parseXml } from "../../protocol/xml/safe-parse.ts";
import { validateTargetConfig, starterConfig, TargetConfigError } from "../../adapters/target-config.ts";

const c = (id: string, verdict: Verdict, requirements: string[], failedRequirement?: string, message?: string): CaseResult => ({
  id,
  title: id,
  requirements,
  verdict,
  failedRequirement,
  message,
  observations: [],
  exchanges: [],
  durationMs: 5,
});

function result(cases: CaseResult[]) {
  return buildResult({ cases, target: { name: "t", kind: "reference", capabilities: {} }, version: "0.0.0", startedAt: 0, durationMs: 10, command: "x", reproduce: (k) => `run --grep ${k.id}` });
}

describe("result roll-up", () => {
  it("counts verdicts and keeps the worst verdict per requirement, charging a failure only to the requirement it broke", () => {
    const r = result([c("a/x", "PASS", ["T06"]), c("a/y", "FAIL", ["T29", "T82"], "T29", "bad action"), c("a/z", "WARN", ["T08"], "T08"), c("a/s", "SKIP", ["T66"])]);
    expect(r.counts).toMatchObject({ PASS: 1, FAIL: 1, WARN: 1, SKIP: 1, INFO: 0, ERROR: 0 });
    expect(r.requirements.T29!.verdict).toBe("FAIL");
    expect(r.requirements.T82!.verdict).toBe("PASS");
    expect(r.requirements.T08!.verdict).toBe("WARN");
    expect(r.requirements.T66!.verdict).toBe("SKIP");
    expect(r.cases.map((k) => k.reproduce)).toContain("run --grep a/y");
    expect(summaryText(r)).toMatch(/FAIL  a\/y \[T29\][\s\S]*reproduce: run --grep a\/y/);
  });
});

describe("JUnit XML", () => {
  it("is well-formed, counts failures/errors/skips, and survives hostile text", () => {
    const r = result([c("s/a", "FAIL", ["T06"], "T06", "evil \u0001 <tag> & ]]>"), c("s/b", "ERROR", ["T06"]), c("s/c", "SKIP", ["T06"], undefined, "no"), c("s/d", "PASS", ["T06"])]);
    const doc = parseXml(junitXml(r));
    const root = doc.documentElement!;
    expect(root.getAttribute("tests")).toBe("4");
    expect(root.getAttribute("failures")).toBe("1");
    expect(root.getAttribute("errors")).toBe("1");
    expect(root.getAttribute("skipped")).toBe("1");
    expect(doc.getElementsByTagName("failure")[0]!.getAttribute("message")).toContain("<tag>");
  });
});

describe("expectations", () => {
  it("passes a gate whose failures are all expected, fails it on a new one, reports a fixed one", () => {
    const before = result([c("a/1", "FAIL", ["T06"], "T06"), c("a/2", "PASS", ["T29"]), c("a/3", "FAIL", ["T22"], "T22")]);
    const file = parseExpectations(JSON.parse(JSON.stringify(expectationsFrom(before))));
    expect(compare(before, file).unexpectedFailures).toEqual([]);
    const after = result([c("a/1", "PASS", ["T06"]), c("a/2", "FAIL", ["T29"], "T29"), c("a/3", "FAIL", ["T22"], "T22")]);
    const cmp = compare(after, file);
    expect(cmp.unexpectedFailures).toEqual(["a/2"]);
    expect(cmp.unexpectedPasses).toEqual(["a/1"]);
    expect(cmp.expectedFailures).toEqual(["a/3"]);
    // The same case failing on another requirement is a different failure signature.
    expect(compare(result([c("a/3", "FAIL", ["T22"], "T12")]), file).unexpectedFailures).toEqual(["a/3"]);
  });

  it("refuses a file that is not an expectations file", () => {
    expect(() => parseExpectations({ foo: 1 })).toThrow(/wsconform-expectations\/1/);
  });
});

describe("target configuration", () => {
  it("the starter written by init validates", () => {
    expect(validateTargetConfig(starterConfig()).target.kind).toBe("http");
  });

  it("names the field and the fix", () => {
    try {
      validateTargetConfig({ target: { kind: "http", baseUrl: "ftp://x", endpoints: { "1.2": {} } }, appliesTo: {}, capabilities: { keyTypes: ["Magic"] }, clockSkewSeconds: -1, bogus: 1 });
      expect.unreachable();
    } catch (e) {
      const p = (e as TargetConfigError).problems;
      expect(p).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^bogus: unknown field/),
          expect.stringMatching(/^target\.baseUrl: must be an http/),
          expect.stringMatching(/^target\.endpoints\.1\.2: versions are/),
          expect.stringMatching(/^appliesTo: must be/),
          expect.stringMatching(/^capabilities\.keyTypes: must be an array of "Bearer"/),
          expect.stringMatching(/^clockSkewSeconds: must be an integer/),
        ]),
      );
    }
  });
});
