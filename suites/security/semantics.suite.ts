import { registerCases } from "../vitest-cases.ts";
import { SEMANTICS_CASES } from "./semantics.cases.ts";

registerCases(SEMANTICS_CASES);
