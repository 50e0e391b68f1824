import { registerCases } from "../vitest-cases.ts";
import { FAULT_CODE_CASES } from "./fault-codes.cases.ts";

registerCases(FAULT_CODE_CASES);
