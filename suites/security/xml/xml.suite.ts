import { registerCases } from "../../vitest-cases.ts";
import { XML_CASES } from "./xml.cases.ts";

registerCases(XML_CASES);
