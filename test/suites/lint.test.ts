// Lint of the conformance suites against the requirement catalogue: every case cites at least one known
// requirement id, ids are unique, and the set of mandatory/recommended testable requirements that no case covers
// only shrinks (a ratchet: suites/uncovered-requirements.json lists today's gaps, each with why).
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { loadAllCases, type DiscoveredCase } from "../../suites/all-cases.ts";
import { isMandatory, isRecommended, loadCatalogue, type Requirement } from "../../suites/requirements/catalogue.ts";

let cases: DiscoveredCase[];
let catalogue: Map<string, Requirement>;
const uncovered = JSON.parse(readFileSync(new URL("../../suites/uncovered-requirements.json", import.meta.url), "utf8")) as {
  requirements: Record<string, string>;
};

beforeAll(async () => {
  cases = await loadAllCases();
  catalogue = loadCatalogue();
});

describe("suites lint", () => {
  it("every case cites at least one requirement, and only known ones", () => {
    const problems: string[] = [];
    for (const { file, definition } of cases) {
      if (definition.requirements.length === 0) problems.push(`${file}: ${definition.id} cites no requirement`);
      for (const id of definition.requirements) if (!catalogue.has(id)) problems.push(`${file}: ${definition.id} cites unknown id ${id}`);
    }
    expect(problems).toEqual([]);
  });

  it("case ids are stable path-like names", () => {
    for (const { definition } of cases) expect(definition.id).toMatch(/^[a-z0-9-]+(\/[a-z0-9.-]+)+$/);
  });

  it("every testable MUST/SHOULD WS-Trust and WS-Security row is covered by a case or listed in uncovered-requirements.json with a reason", () => {
    const covered = new Set(cases.flatMap((c) => c.definition.requirements));
    const gaps: string[] = [];
    for (const r of catalogue.values()) {
      if (r.file !== "ws-trust.json" && r.file !== "ws-security.json") continue; // WS-Federation and SAML-consumer suites come with issues 4 and 5
      if (!r.testable || !(isMandatory(r) || isRecommended(r))) continue;
      if (!covered.has(r.id) && !uncovered.requirements[r.id]) gaps.push(`${r.id} (${r.level}): ${r.text}`);
    }
    expect(gaps).toEqual([]);
  });

  it("uncovered-requirements.json lists only real gaps (a newly covered requirement must leave the list)", () => {
    const covered = new Set(cases.flatMap((c) => c.definition.requirements));
    const stale = Object.keys(uncovered.requirements).filter((id) => covered.has(id) || !catalogue.has(id));
    expect(stale).toEqual([]);
    for (const [id, why] of Object.entries(uncovered.requirements)) expect(why.length, id).toBeGreaterThan(10);
  });
});
