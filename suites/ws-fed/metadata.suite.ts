import { registerCases } from "../vitest-cases.ts";
import { METADATA_CASES } from "./metadata.cases.ts";

registerCases(METADATA_CASES);
