import { registerCases } from "../vitest-cases.ts";
import { SIGNEDINFO_CASES } from "./signedinfo.cases.ts";

registerCases(SIGNEDINFO_CASES);
