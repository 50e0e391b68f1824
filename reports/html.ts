// The one-page HTML summary of a run: self-contained (inline CSS, no script, no external resource), failures first,
// verdict counts, the coverage matrix (requirement → verdict → cases), and for each non-passing case its message,
// the command that reproduces it and the wire exchange. Everything from the target is escaped.
import { isMandatory, isRecommended, type Requirement } from "../suites/requirements/catalogue.ts";
import type { RunResult } from "./result.ts";
import { VERDICT_ORDER, countsByGroup } from "./result.ts";

function esc(s: string): string {
  return s
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, "\uFFFD")
    .replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

const COLORS: Record<string, string> = {
  PASS: "#1a7f37",
  FAIL: "#cf222e",
  WARN: "#9a6700",
  SKIP: "#6e7781",
  INFO: "#0969da",
  ERROR: "#8250df",
  "not covered": "#afb8c1",
};

const badge = (v: string) => `<span class="badge" style="background:${COLORS[v] ?? "#6e7781"}">${esc(v)}</span>`;

const MAX_EXCHANGE = 6000;
function clip(s: string | undefined): string {
  if (!s) return "";
  return s.length > MAX_EXCHANGE ? `${s.slice(0, MAX_EXCHANGE)}\n… (${s.length - MAX_EXCHANGE} more characters in result.json)` : s;
}

export function summaryHtml(r: RunResult, catalogue: Map<string, Requirement>): string {
  const notable = r.cases
    .filter((c) => c.verdict !== "PASS" && c.verdict !== "SKIP")
    .sort((a, b) => VERDICT_ORDER.indexOf(a.verdict) - VERDICT_ORDER.indexOf(b.verdict) || a.id.localeCompare(b.id));
  const counts = VERDICT_ORDER.map((v) => `<li>${badge(v)} <b data-count="${v}">${r.counts[v]}</b></li>`).join("");
  const failures = notable
    .map(
      (c) => `<details class="case" data-verdict="${c.verdict}"${c.verdict === "FAIL" || c.verdict === "ERROR" ? " open" : ""}>
<summary>${badge(c.verdict)} <code>${esc(c.id)}</code> <span class="req">[${esc((c.failedRequirement ? [c.failedRequirement] : c.requirements).join(", "))}]</span></summary>
<p class="title">${esc(c.title)}</p>
${c.message ? `<p class="msg">${esc(c.message)}</p>` : ""}
${c.verdict === "FAIL" || c.verdict === "ERROR" ? `<p>reproduce: <code>${esc(c.reproduce)}</code></p>` : ""}
${c.exchanges
  .map(
    (e, i) => `<details class="exchange"><summary>exchange ${i + 1}: POST ${esc(e.path)} → ${e.status ?? esc(e.error ?? "no answer")} (${e.ms.toFixed(0)} ms)</summary>
<pre>${esc(clip(e.request))}</pre><pre>${esc(clip(e.response ?? e.error))}</pre></details>`,
  )
  .join("\n")}
</details>`,
    )
    .join("\n");
  // Coverage matrix: every catalogue requirement of the areas the run touched, with its verdict or "not covered".
  const files = new Set<string>();
  for (const id of Object.keys(r.requirements)) {
    const f = catalogue.get(id)?.file;
    if (f) files.add(f);
  }
  const rows = [...catalogue.values()]
    .filter((q) => files.has(q.file))
    .sort((a, b) => a.file.localeCompare(b.file) || a.id.localeCompare(b.id, undefined, { numeric: true }))
    .map((q) => {
      const got = r.requirements[q.id];
      const v = got?.verdict ?? "not covered";
      const level = isMandatory(q) ? "mandatory" : isRecommended(q) ? "recommended" : "other";
      return `<tr data-level="${level}"><td><code>${esc(q.id)}</code></td><td>${esc(q.spec)} ${esc(q.version ?? "")} §${esc(q.section)}</td><td>${esc(q.level)}</td><td>${badge(v)}</td><td>${esc(q.text)}${
        !q.testable && q.untestableReason ? ` <i>(not testable from outside: ${esc(q.untestableReason)})</i>` : ""
      }</td><td>${got ? got.cases.length : 0}</td></tr>`;
    })
    .join("\n");
  const groupRows = countsByGroup(r)
    .map(({ group, counts }) => `<tr><td><code>${esc(group)}</code></td>${VERDICT_ORDER.map((v) => `<td>${counts[v] || ""}</td>`).join("")}</tr>`)
    .join("\n");
  const covered = [...catalogue.values()].filter((q) => files.has(q.file) && r.requirements[q.id]).length;
  const total = [...catalogue.values()].filter((q) => files.has(q.file)).length;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>wsconform — ${esc(r.target.name)}</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#1f2328;max-width:1200px}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:24px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
.meta{color:#57606a} ul.counts{list-style:none;padding:0;display:flex;gap:18px;flex-wrap:wrap} ul.counts b{font-size:18px}
.badge{display:inline-block;color:#fff;border-radius:4px;padding:1px 6px;font-size:12px;font-weight:600;min-width:42px;text-align:center}
details.case{border:1px solid #d0d7de;border-radius:6px;padding:6px 10px;margin:6px 0} details.exchange{margin:4px 0 4px 12px}
pre{background:#f6f8fa;padding:8px;overflow:auto;max-height:320px;white-space:pre-wrap;word-break:break-all;font-size:12px}
.msg{color:#cf222e} .req{color:#57606a} table{border-collapse:collapse;width:100%} td,th{border-bottom:1px solid #eaeef2;padding:4px 6px;text-align:left;vertical-align:top}
th{background:#f6f8fa} code{font-size:12.5px}
</style></head>
<body>
<h1>wsconform conformance report</h1>
<p class="meta">Target: <b>${esc(r.target.name)}</b> (${esc(r.target.kind)}) · wsconform ${esc(r.harness.version)} on Node ${esc(r.harness.node)} · ${esc(r.startedAt)} · ${r.cases.length} cases in ${(r.durationMs / 1000).toFixed(1)} s</p>
<p class="meta">Repeat: <code>${esc(r.command)}</code></p>
<ul class="counts">${counts}</ul>
<h2 id="failures">Failures, warnings and observations (${notable.length})</h2>
${notable.length ? failures : "<p>None: every case passed or was skipped.</p>"}
<h2 id="groups">By suite and attack class</h2>
<table><thead><tr><th>group</th>${VERDICT_ORDER.map((v) => `<th>${v}</th>`).join("")}</tr></thead>
<tbody>
${groupRows}
</tbody></table>
<h2 id="coverage">Coverage matrix (${covered} of ${total} requirements judged)</h2>
<table><thead><tr><th>id</th><th>spec</th><th>level</th><th>verdict</th><th>requirement</th><th>cases</th></tr></thead>
<tbody>
${rows}
</tbody></table>
</body></html>
`;
}
