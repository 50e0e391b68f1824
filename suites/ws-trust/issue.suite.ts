import { registerCases } from "../vitest-cases.ts";
import { ISSUE_CASES } from "./issue.cases.ts";

registerCases(ISSUE_CASES);
