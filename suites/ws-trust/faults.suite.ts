import { registerCases } from "../vitest-cases.ts";
import { FAULT_CASES } from "./faults.cases.ts";

registerCases(FAULT_CASES);
