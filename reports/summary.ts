// The console summary of a run: verdict counts, then the non-passing cases (failures first) with the command that
// reproduces each.
import type { RunResult } from "./result.ts";
import { VERDICT_ORDER, countsByGroup } from "./result.ts";
import type { Comparison } from "./expectations.ts";

export function summaryText(r: RunResult, cmp?: Comparison): string {
  const lines: string[] = [];
  lines.push(`wsconform ${r.harness.version} against ${r.target.name}: ${r.cases.length} cases in ${(r.durationMs / 1000).toFixed(1)} s`);
  lines.push(VERDICT_ORDER.map((v) => `${v} ${r.counts[v]}`).join("  "));
  const notable = r.cases
    .filter((c) => c.verdict !== "PASS" && c.verdict !== "SKIP")
    .sort((a, b) => VERDICT_ORDER.indexOf(a.verdict) - VERDICT_ORDER.indexOf(b.verdict));
  if (notable.length) {
    lines.push("");
    for (const c of notable) {
      lines.push(`${c.verdict.padEnd(5)} ${c.id} [${(c.failedRequirement ? [c.failedRequirement] : c.requirements).join(", ")}]`);
      if (c.message) lines.push(`      ${c.message.split("\n")[0]!.slice(0, 300)}`);
      if (c.verdict === "FAIL" || c.verdict === "ERROR") lines.push(`      reproduce: ${c.reproduce}`);
    }
  }
  lines.push("");
  lines.push("by suite / attack class:");
  for (const { group, counts } of countsByGroup(r)) {
    lines.push(`  ${group.padEnd(34)} ${VERDICT_ORDER.filter((v) => counts[v]).map((v) => `${v} ${counts[v]}`).join("  ")}`);
  }
  const req = Object.values(r.requirements);
  lines.push("");
  lines.push(`requirements judged: ${req.filter((x) => x.verdict !== "SKIP").length} (${req.filter((x) => x.verdict === "FAIL").length} failed, ${req.filter((x) => x.verdict === "WARN").length} with warnings)`);
  if (cmp) {
    lines.push(`expectations: ${cmp.unexpectedFailures.length} unexpected failures, ${cmp.expectedFailures.length} expected failures, ${cmp.unexpectedPasses.length} unexpected passes`);
    for (const id of cmp.unexpectedPasses) lines.push(`  now passing (tighten the expectations file): ${id}`);
  }
  return `${lines.join("\n")}\n`;
}
