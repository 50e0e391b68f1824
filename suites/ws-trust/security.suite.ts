import { registerCases } from "../vitest-cases.ts";
import { SECURITY_CASES } from "./security.cases.ts";

registerCases(SECURITY_CASES);
