import { registerCases } from "../vitest-cases.ts";
import { FUZZ_REGRESSION_CASES } from "./regressions.cases.ts";

registerCases(FUZZ_REGRESSION_CASES);
