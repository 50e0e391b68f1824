// Token-consumer security cases, class "parser-differential" (constructions and judges in attacks.ts).
import { classCases } from "./support.ts";

export const PARSER_DIFFERENTIAL_CASES = classCases("parser-differential");
