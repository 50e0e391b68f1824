// Token-consumer security cases, class "semantics" (constructions and judges in attacks.ts).
import { classCases } from "./support.ts";

export const SEMANTICS_CASES = classCases("semantics");
