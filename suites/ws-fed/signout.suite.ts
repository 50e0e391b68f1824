import { registerCases } from "../vitest-cases.ts";
import { SIGNOUT_CASES } from "./signout.cases.ts";

registerCases(SIGNOUT_CASES);
