// JUnit XML of a run, for CI systems: one testcase per case, FAIL/ERROR as failure/error, SKIP as skipped; WARN and
// INFO pass with their message in system-out.
import { escapeAttr, escapeText } from "../protocol/xml/writer.ts";
import type { RunResult } from "./result.ts";

// Characters XML cannot carry are replaced (a hostile target's reason text must not break the report).
function clean(s: string): string {
  return s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDFFF]/g, "\uFFFD");
}
const attr = (s: string) => escapeAttr(clean(s));
const text = (s: string) => escapeText(clean(s));

export function junitXml(r: RunResult): string {
  const bySuite = new Map<string, RunResult["cases"]>();
  for (const c of r.cases) {
    const suite = c.id.split("/").slice(0, 2).join("/");
    (bySuite.get(suite) ?? bySuite.set(suite, []).get(suite)!).push(c);
  }
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  out.push(`<testsuites name="wsconform" tests="${r.cases.length}" failures="${r.counts.FAIL}" errors="${r.counts.ERROR}" skipped="${r.counts.SKIP}" time="${(r.durationMs / 1000).toFixed(3)}">`);
  for (const [suite, cases] of bySuite) {
    const n = (v: string) => cases.filter((c) => c.verdict === v).length;
    out.push(`  <testsuite name="${attr(suite)}" tests="${cases.length}" failures="${n("FAIL")}" errors="${n("ERROR")}" skipped="${n("SKIP")}">`);
    for (const c of cases) {
      out.push(`    <testcase classname="${attr(suite)}" name="${attr(`${c.id} [${c.requirements.join(", ")}]`)}" time="${(c.durationMs / 1000).toFixed(3)}">`);
      const msg = c.message ?? "";
      if (c.verdict === "FAIL") out.push(`      <failure message="${attr(msg.slice(0, 500))}" type="${attr(c.failedRequirement ?? "")}">${text(`${msg}\nreproduce: ${c.reproduce}`)}</failure>`);
      else if (c.verdict === "ERROR") out.push(`      <error message="${attr(msg.slice(0, 500))}">${text(msg)}</error>`);
      else if (c.verdict === "SKIP") out.push(`      <skipped message="${attr(msg)}"/>`);
      else if (msg) out.push(`      <system-out>${text(`${c.verdict}: ${msg}`)}</system-out>`);
      out.push("    </testcase>");
    }
    out.push("  </testsuite>");
  }
  out.push("</testsuites>");
  return `${out.join("\n")}\n`;
}
