import { registerCases } from "../vitest-cases.ts";
import { ISSUE_REQUEST_CASES } from "./issue-request.cases.ts";

registerCases(ISSUE_REQUEST_CASES);
