import { registerCases } from "../vitest-cases.ts";
import { XSW_CASES } from "./xsw.cases.ts";

registerCases(XSW_CASES);
