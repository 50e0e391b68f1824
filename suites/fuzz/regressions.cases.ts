// Every saved fuzz counterexample (vectors/regressions/*.json) replayed as an ordinary case: the message is rebuilt
// from its recipe at the target's time, sent, and judged by the oracle that once failed. Against the clean
// reference each must PASS; a target that regresses FAILs citing the oracle's requirement.
import { fileURLToPath } from "node:url";
import type { CaseContext, CaseDefinition } from "../case.ts";
import type { Need } from "../../adapters/sts-target.ts";
import { listVectors, readVector, replayVector } from "./vectors.ts";
import type { StsFuzzInput } from "./sts-input.ts";

const DIR = fileURLToPath(new URL("../../vectors/regressions/", import.meta.url));

function needsOf(profile: string, input: unknown): Need[] {
  if (profile === "idp") return [{ kind: "passiveIdp" }];
  if (profile === "consumer") return [{ kind: "tokenConsumer" }];
  if (profile !== "sts") return [];
  const i = input as StsFuzzInput;
  return [{ kind: "version", version: i.version }, { kind: "soap", soap: i.soap }, { kind: "credential", credential: "username" }];
}

export const FUZZ_REGRESSION_CASES: CaseDefinition[] = listVectors(DIR).map((file) => {
  const v = readVector(file);
  return {
    id: `fuzz/regressions/${v.id}`,
    title: `fuzz regression (${v.oracle}): ${v.violation.slice(0, 120)}`,
    requirements: [v.requirement],
    needs: needsOf(v.profile, v.input),
    async run(t: CaseContext) {
      const r = await replayVector(v, t.target);
      t.exchanges.push(...r.exchanges);
      for (const o of r.others) t.info(`${o.oracle}: ${o.message}`);
      t.check(r.violations.length === 0, `${v.oracle}: ${r.violations[0]?.message} (vector ${file})`, v.requirement);
    },
  };
});
