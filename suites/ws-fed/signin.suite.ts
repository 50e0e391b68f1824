import { registerCases } from "../vitest-cases.ts";
import { SIGNIN_CASES } from "./signin.cases.ts";

registerCases(SIGNIN_CASES);
