import { registerCases } from "../vitest-cases.ts";
import { ISSUE_KEY_CASES, ISSUE_KEY_MATRIX_CASES } from "./issue-keys.cases.ts";

registerCases([...ISSUE_KEY_MATRIX_CASES, ...ISSUE_KEY_CASES]);
