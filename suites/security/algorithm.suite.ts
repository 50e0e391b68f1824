import { registerCases } from "../vitest-cases.ts";
import { ALGORITHM_CASES } from "./algorithm.cases.ts";

registerCases(ALGORITHM_CASES);
