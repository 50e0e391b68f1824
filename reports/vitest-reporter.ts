// A vitest reporter that collects the conformance verdicts the cases leave in their test meta, and prints live
// progress: a case counter, the case, its verdict, and the tally so far.
import type { Reporter, TestCase, TestModule } from "vitest/node";
import type { CaseResult, Verdict } from "../suites/case.ts";
import { emptyCounts } from "./result.ts";

export class ConformanceReporter implements Reporter {
  readonly results: CaseResult[] = [];
  readonly counts = emptyCounts();
  private total = 0;
  private filesExpected = 0;
  private filesCollected = 0;
  /** Errors outside any case (a suite file that failed to load): the run cannot be trusted. */
  readonly harnessErrors: string[] = [];

  constructor(private readonly out: (line: string) => void = (l) => process.stdout.write(`${l}\n`)) {}

  onTestRunStart(specifications: ReadonlyArray<unknown>): void {
    this.filesExpected = specifications.length;
  }

  onTestModuleCollected(m: TestModule): void {
    this.total += [...m.children.allTests()].length;
    this.filesCollected++;
  }

  onTestCaseResult(tc: TestCase): void {
    const meta = tc.meta().wsconform;
    let r: CaseResult;
    if (meta) r = meta;
    else {
      // A test without a verdict: the harness itself failed around the case.
      const errors = tc.result().errors ?? [];
      r = {
        id: tc.name.split(":")[0]!,
        title: tc.name,
        requirements: [],
        verdict: "ERROR" as Verdict,
        message: `harness error: ${errors.map((e) => e.message).join("; ") || tc.result().state}`,
        observations: [],
        exchanges: [],
        durationMs: tc.diagnostic()?.duration ?? 0,
      };
    }
    this.results.push(r);
    this.counts[r.verdict]++;
    const n = this.results.length;
    const tally = `PASS ${this.counts.PASS} FAIL ${this.counts.FAIL} WARN ${this.counts.WARN} SKIP ${this.counts.SKIP} ERROR ${this.counts.ERROR}`;
    // Suite files are collected as workers reach them: until all are, the total is a lower bound.
    const total = this.filesCollected < this.filesExpected ? `${this.total}+` : String(this.total);
    this.out(`[${String(n).padStart(String(this.total).length)}/${total}] ${r.verdict.padEnd(5)} ${r.id}  (${tally})`);
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>, errors: ReadonlyArray<{ message?: string }>): void {
    for (const m of modules) {
      for (const e of m.errors()) this.harnessErrors.push(`${m.moduleId}: ${e.message}`);
    }
    for (const e of errors) this.harnessErrors.push(e.message ?? String(e));
  }
}
