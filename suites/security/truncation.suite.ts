import { registerCases } from "../vitest-cases.ts";
import { TRUNCATION_CASES } from "./truncation.cases.ts";

registerCases(TRUNCATION_CASES);
