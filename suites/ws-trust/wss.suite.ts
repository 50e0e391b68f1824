import { registerCases } from "../vitest-cases.ts";
import { WSS_CASES } from "./wss.cases.ts";

registerCases(WSS_CASES);
