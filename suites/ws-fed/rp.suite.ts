import { registerCases } from "../vitest-cases.ts";
import { RP_CASES } from "./rp.cases.ts";

registerCases(RP_CASES);
