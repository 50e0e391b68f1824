import { registerCases } from "../vitest-cases.ts";
import { PARSER_DIFFERENTIAL_CASES } from "./parser-differential.cases.ts";

registerCases(PARSER_DIFFERENTIAL_CASES);
