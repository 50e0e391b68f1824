import { registerCases } from "../vitest-cases.ts";
import { KEY_TRUST_CASES } from "./key-trust.cases.ts";

registerCases(KEY_TRUST_CASES);
