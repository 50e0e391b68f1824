import { registerCases } from "../../vitest-cases.ts";
import { SKEW_CASES } from "./skew.cases.ts";

registerCases(SKEW_CASES);
