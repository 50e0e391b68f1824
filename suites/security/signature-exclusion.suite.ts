import { registerCases } from "../vitest-cases.ts";
import { SIGNATURE_EXCLUSION_CASES } from "./signature-exclusion.cases.ts";

registerCases(SIGNATURE_EXCLUSION_CASES);
