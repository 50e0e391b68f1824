import { registerCases } from "../vitest-cases.ts";
import { ISSUE_DELEGATION_CASES } from "./issue-delegation.cases.ts";

registerCases(ISSUE_DELEGATION_CASES);
