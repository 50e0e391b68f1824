// Token-consumer security cases, class "signature-exclusion" (constructions and judges in attacks.ts).
import { classCases } from "./support.ts";

export const SIGNATURE_EXCLUSION_CASES = classCases("signature-exclusion");
