// The suites must catch the reference's defects (mutation testing of the harness): against the clean reference no
// case FAILs or ERRORs, even in strict mode; with each defect switched on, at least one case FAILs (strict mode)
// citing a requirement that defect breaks. The kill rate is printed; the goal is 100%.
import { beforeAll, describe, expect, it } from "vitest";
import { FakeClock } from "../../protocol/clock.ts";
import { referenceTargetConfig } from "../../adapters/target-config.ts";
import { DEFECTS, DEFECT_NAMES as ALL_DEFECT_NAMES, defectArea } from "../../reference/defects.ts";
import { loadOrCreateKeys, type ReferenceKeys } from "../../reference/keys.ts";
import { loadAllCases, type DiscoveredCase } from "../../suites/all-cases.ts";
import { runCase, type CaseResult } from "../../suites/case.ts";
import { createTarget } from "../../suites/target.ts";

// Only the STS's defects for now: the WS-Fed suites that will catch the IdP's ones are still to come.
const DEFECT_NAMES = ALL_DEFECT_NAMES.filter((n) => defectArea(n) === "sts");
let cases: DiscoveredCase[];
let keys: ReferenceKeys;

beforeAll(async () => {
  cases = await loadAllCases();
  keys = loadOrCreateKeys(new FakeClock(Date.now()));
});

async function runAll(defects: string[], strict = false): Promise<CaseResult[]> {
  const out: CaseResult[] = [];
  for (const c of cases) {
    // A fresh target per case: cases may move the controlled clock or fill stores.
    const target = await createTarget(referenceTargetConfig(defects), { referenceKeys: keys });
    out.push(await runCase(c.definition, target, { strict }));
    await target.close();
  }
  return out;
}

describe("suites against the reference", () => {
  it("the clean reference: no FAIL and no ERROR, even in strict mode", async () => {
    const results = await runAll([], true);
    const bad = results.filter((r) => r.verdict === "FAIL" || r.verdict === "ERROR");
    expect(bad.map((r) => `${r.id}: ${r.verdict} ${r.message}`)).toEqual([]);
    expect(results.filter((r) => r.verdict === "PASS").length).toBeGreaterThan(0);
  }, 300_000);

  it("every defect is caught by a FAIL citing a requirement it breaks (strict mode: a broken SHOULD is a FAIL)", async () => {
    const killed: string[] = [];
    const missed: string[] = [];
    for (const name of DEFECT_NAMES) {
      const results = await runAll([name], true);
      const breaks = DEFECTS[name].breaks as readonly string[];
      const hit = results.find((r) => r.verdict === "FAIL" && r.failedRequirement && breaks.includes(r.failedRequirement));
      (hit ? killed : missed).push(hit ? `${name} <- ${hit.id} [${hit.failedRequirement}]` : name);
    }
    console.log(`kill rate: ${killed.length}/${DEFECT_NAMES.length}\n  ${killed.join("\n  ")}${missed.length ? `\nmissed: ${missed.join(", ")}` : ""}`);
    expect(missed).toEqual([]);
  }, 600_000);
});
