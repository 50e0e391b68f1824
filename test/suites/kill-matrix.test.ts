// The suites must catch the reference's defects (mutation testing of the harness): against the clean reference no
// case FAILs or ERRORs, even in strict mode; with each defect switched on, at least one case FAILs (strict mode)
// citing a requirement that defect breaks. The kill rate is printed; the goal is 100%. Defects live in three places:
// the STS and the passive IdP (reference/defects.ts) and the reference RP (adapters/harness-rp/defects.ts); each
// defect run executes the cases of its area (the Chromium variants of the passive cases run in the clean pass only:
// the undici variants judge the same rules).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeIdleBrowsers } from "../../adapters/browser/index.ts";
import { FakeClock } from "../../protocol/clock.ts";
import { referenceTargetConfig } from "../../adapters/target-config.ts";
import { DEFECTS, DEFECT_NAMES as REFERENCE_DEFECT_NAMES, defectArea } from "../../reference/defects.ts";
import { RP_DEFECTS, RP_DEFECT_NAMES } from "../../adapters/harness-rp/defects.ts";
import { loadOrCreateKeys, type ReferenceKeys } from "../../reference/keys.ts";
import { loadAllCases, type DiscoveredCase } from "../../suites/all-cases.ts";
import { runCase, type CaseResult } from "../../suites/case.ts";
import { createTarget } from "../../suites/target.ts";

type Area = "sts" | "idp" | "rp";
const DEFECT_NAMES: { name: string; area: Area; breaks: readonly string[] }[] = [
  ...REFERENCE_DEFECT_NAMES.map((name) => ({ name, area: defectArea(name) as Area, breaks: DEFECTS[name].breaks as readonly string[] })),
  ...RP_DEFECT_NAMES.map((name) => ({ name, area: "rp" as const, breaks: RP_DEFECTS[name].breaks as readonly string[] })),
];
const FACE_NEEDS: Record<string, Area> = { passiveIdp: "idp", passiveSignOut: "idp", federationMetadata: "idp", relyingParty: "rp", tokenConsumer: "rp" };

/** The area a case judges: the face it needs, else the STS. */
function areaOf(c: DiscoveredCase): Area {
  for (const n of c.definition.needs ?? []) if (FACE_NEEDS[n.kind]) return FACE_NEEDS[n.kind]!;
  return "sts";
}

let cases: DiscoveredCase[];
let keys: ReferenceKeys;

afterAll(() => closeIdleBrowsers());

beforeAll(async () => {
  cases = await loadAllCases();
  keys = loadOrCreateKeys(new FakeClock(Date.now()));
});

async function runAll(defects: string[], strict = false, area?: Area): Promise<CaseResult[]> {
  const out: CaseResult[] = [];
  for (const c of cases) {
    if (area && (areaOf(c) !== area || c.definition.id.startsWith("ws-fed/chromium/"))) continue;
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
  }, 600_000);

  it("every defect is caught by a FAIL citing a requirement it breaks (strict mode: a broken SHOULD is a FAIL)", async () => {
    const killed: string[] = [];
    const missed: string[] = [];
    for (const { name, area, breaks } of DEFECT_NAMES) {
      const results = await runAll([name], true, area);
      const hit = results.find((r) => r.verdict === "FAIL" && r.failedRequirement && breaks.includes(r.failedRequirement));
      (hit ? killed : missed).push(hit ? `${name} <- ${hit.id} [${hit.failedRequirement}]` : name);
    }
    console.log(`kill rate: ${killed.length}/${DEFECT_NAMES.length}\n  ${killed.join("\n  ")}${missed.length ? `\nmissed: ${missed.join(", ")}` : ""}`);
    expect(missed).toEqual([]);
  }, 1_200_000);
});
