// A campaign as a run result (reports/result.ts): one case per oracle, PASS with the number of cases judged or FAIL
// with the shrunk counterexample, its wire exchanges and the replay command; shard results merge into one.
import type { CaseResult } from "../case.ts";
import type { CampaignResult, OracleOutcome } from "./campaign.ts";

export interface FuzzCaseResult extends CaseResult {
  /** The replay command of the saved vector, or the campaign command with its seed. */
  reproduce?: string;
}

export function oracleCaseId(profile: string, oracle: string): string {
  return `fuzz/${profile}/${oracle}`;
}

export function campaignCases(r: CampaignResult, reproduce: (o: OracleOutcome) => string | undefined): FuzzCaseResult[] {
  const perCaseMs = r.cases ? r.ms / r.cases : 0;
  return r.oracles.map((o) => {
    const base = { id: oracleCaseId(r.profile, o.oracle), title: o.title, requirements: [...new Set([o.requirement, ...(o.counterexample ? [o.counterexample.violation.requirement] : [])])], durationMs: perCaseMs * o.cases };
    if (o.unjudged) return { ...base, verdict: "SKIP", message: o.unjudged, observations: [], exchanges: [] };
    const cx = o.counterexample;
    if (!cx) return { ...base, verdict: "PASS", message: `${o.cases} cases (seed ${r.seed}, shard ${r.shard.index}/${r.shard.count})`, observations: [`cases=${o.cases}`], exchanges: [] };
    return {
      ...base,
      verdict: "FAIL",
      failedRequirement: cx.violation.requirement,
      message: `${cx.violation.message} (found at case ${cx.foundAtCase}, shrunk in ${cx.shrinks} steps${cx.confirmed ? "" : ", NOT reproduced when sent again"})`,
      observations: [`cases=${o.cases}`, `seed=${cx.seed}`, ...(cx.path ? [`path=${cx.path}`] : [])],
      exchanges: cx.exchanges,
      reproduce: reproduce(o),
    };
  });
}

/** Merge the per-oracle cases of several shard reports: a FAIL anywhere wins; PASS counts add up. */
export function mergeCases(lists: CaseResult[][]): CaseResult[] {
  const byId = new Map<string, CaseResult & { reproduce?: string }>();
  for (const list of lists) {
    for (const c of list as (CaseResult & { reproduce?: string })[]) {
      const prev = byId.get(c.id);
      if (!prev) {
        byId.set(c.id, { ...c, observations: [...c.observations] });
        continue;
      }
      const n = (x: CaseResult) => Number(/^cases=(\d+)/.exec(x.observations.find((s) => s.startsWith("cases=")) ?? "")?.[1] ?? 0);
      const total = n(prev) + n(c);
      const rank = (v: string) => ["ERROR", "FAIL", "WARN", "INFO", "PASS", "SKIP"].indexOf(v);
      const winner = rank(c.verdict) < rank(prev.verdict) ? c : prev;
      const merged = { ...winner, durationMs: prev.durationMs + c.durationMs, observations: [`cases=${total}`, ...winner.observations.filter((s) => !s.startsWith("cases="))] };
      if (merged.verdict === "PASS") merged.message = `${total} cases over the merged shards`;
      byId.set(c.id, merged);
    }
  }
  return [...byId.values()];
}
