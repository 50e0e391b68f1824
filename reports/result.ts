// The JSON result of a run (schema "wsconform-result/1", documented in reports/RESULT-SCHEMA.md): what was tested,
// what it claims, and one entry per case with its verdict, requirement ids, wire exchanges and timing, plus the
// per-requirement roll-up a vendor hands over.
import type { CaseResult, Verdict } from "../suites/case.ts";

export const RESULT_SCHEMA = "wsconform-result/1";

export interface RunResult {
  schema: typeof RESULT_SCHEMA;
  harness: { name: "wsconform"; version: string; node: string };
  startedAt: string;
  durationMs: number;
  target: { name: string; kind: string; url?: string; capabilities: unknown };
  /** A one-line command that repeats this run. */
  command: string;
  counts: Record<Verdict, number>;
  cases: (CaseResult & { reproduce: string })[];
  /** Worst verdict per requirement id over the cases that cite it. */
  requirements: Record<string, { verdict: Verdict; cases: string[] }>;
}

export const VERDICT_ORDER: Verdict[] = ["ERROR", "FAIL", "WARN", "INFO", "PASS", "SKIP"];

/** Lower index = worse. */
export function worse(a: Verdict, b: Verdict): Verdict {
  return VERDICT_ORDER.indexOf(a) <= VERDICT_ORDER.indexOf(b) ? a : b;
}

export function emptyCounts(): Record<Verdict, number> {
  return { PASS: 0, FAIL: 0, WARN: 0, SKIP: 0, INFO: 0, ERROR: 0 };
}

export function buildResult(args: {
  cases: CaseResult[];
  target: RunResult["target"];
  version: string;
  startedAt: number;
  durationMs: number;
  command: string;
  reproduce: (c: CaseResult) => string;
}): RunResult {
  const counts = emptyCounts();
  const requirements: RunResult["requirements"] = {};
  const cases = [...args.cases].sort((a, b) => a.id.localeCompare(b.id)).map((c) => ({ ...c, reproduce: args.reproduce(c) }));
  for (const c of cases) {
    counts[c.verdict]++;
    for (const r of c.requirements) {
      const e = (requirements[r] ??= { verdict: "SKIP", cases: [] });
      // A failed check names the requirement it broke; other cited requirements of that case are not judged failed.
      const v = (c.verdict === "FAIL" || c.verdict === "WARN") && c.failedRequirement && c.failedRequirement !== r ? "PASS" : c.verdict;
      e.verdict = e.cases.length === 0 ? v : worse(e.verdict, v);
      e.cases.push(c.id);
    }
    if (c.failedRequirement && !c.requirements.includes(c.failedRequirement)) {
      const e = (requirements[c.failedRequirement] ??= { verdict: c.verdict, cases: [] });
      e.verdict = worse(e.verdict, c.verdict);
      e.cases.push(c.id);
    }
  }
  return {
    schema: RESULT_SCHEMA,
    harness: { name: "wsconform", version: args.version, node: process.version },
    startedAt: new Date(args.startedAt).toISOString(),
    durationMs: Math.round(args.durationMs),
    target: args.target,
    command: args.command,
    counts,
    cases,
    requirements,
  };
}

/** Verdict counts per group of case ids — the first two path segments, e.g. "ws-fed/undici" or "security/xsw"
 * (an attack class) — so a report reads by suite and attack class. */
export function countsByGroup(r: Pick<RunResult, "cases">): { group: string; counts: Record<Verdict, number> }[] {
  const groups = new Map<string, Record<Verdict, number>>();
  for (const c of r.cases) {
    const group = c.id.split("/").slice(0, 2).join("/");
    const counts = groups.get(group) ?? emptyCounts();
    counts[c.verdict]++;
    groups.set(group, counts);
  }
  return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([group, counts]) => ({ group, counts }));
}
