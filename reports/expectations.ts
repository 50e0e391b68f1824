// Expectations for CI gates, like web-platform-tests expectation files: the known failures of a target, keyed by
// case id and failure signature. A run is a regression only if a FAIL/ERROR is not expected; an expected failure
// that now passes is reported so the file can be tightened.
import type { Verdict } from "../suites/case.ts";
import type { RunResult } from "./result.ts";

export interface ExpectationFile {
  schema: "wsconform-expectations/1";
  /** case id → expected verdict and, for FAIL, the requirement it fails. */
  expected: Record<string, { verdict: Verdict; failedRequirement?: string; note?: string }>;
}

export interface Comparison {
  /** FAIL/ERROR not in the file, or with another signature. */
  unexpectedFailures: string[];
  /** Listed as failing but now PASS/WARN/INFO. */
  unexpectedPasses: string[];
  /** Listed and failing the same way. */
  expectedFailures: string[];
}

function signature(v: Verdict, req?: string): string {
  return v === "FAIL" ? `FAIL:${req ?? ""}` : v;
}

export function compare(result: RunResult, file?: ExpectationFile): Comparison {
  const out: Comparison = { unexpectedFailures: [], unexpectedPasses: [], expectedFailures: [] };
  for (const c of result.cases) {
    const exp = file?.expected[c.id];
    const failing = c.verdict === "FAIL" || c.verdict === "ERROR";
    if (failing) {
      if (exp && signature(exp.verdict, exp.failedRequirement) === signature(c.verdict, c.failedRequirement)) out.expectedFailures.push(c.id);
      else out.unexpectedFailures.push(c.id);
    } else if (exp && (exp.verdict === "FAIL" || exp.verdict === "ERROR") && c.verdict !== "SKIP") {
      out.unexpectedPasses.push(c.id);
    }
  }
  return out;
}

/** An expectation file that accepts exactly the failures of this run. */
export function expectationsFrom(result: RunResult): ExpectationFile {
  const expected: ExpectationFile["expected"] = {};
  for (const c of result.cases) {
    if (c.verdict === "FAIL" || c.verdict === "ERROR") {
      expected[c.id] = { verdict: c.verdict, ...(c.failedRequirement ? { failedRequirement: c.failedRequirement } : {}), note: (c.message ?? "").slice(0, 200) };
    }
  }
  return { schema: "wsconform-expectations/1", expected };
}

export function parseExpectations(json: unknown): ExpectationFile {
  const f = json as ExpectationFile;
  if (!f || f.schema !== "wsconform-expectations/1" || typeof f.expected !== "object") {
    throw new Error('not a wsconform expectations file (schema must be "wsconform-expectations/1")');
  }
  return f;
}
