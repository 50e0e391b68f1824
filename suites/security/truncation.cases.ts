// Token-consumer security cases, class "truncation" (constructions and judges in attacks.ts).
import { classCases } from "./support.ts";

export const TRUNCATION_CASES = classCases("truncation");
