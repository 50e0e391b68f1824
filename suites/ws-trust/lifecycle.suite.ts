import { registerCases } from "../vitest-cases.ts";
import { LIFECYCLE_CASES } from "./lifecycle.cases.ts";

registerCases(LIFECYCLE_CASES);
