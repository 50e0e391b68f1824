// Token-consumer security cases, class "signedinfo" (constructions and judges in attacks.ts).
import { classCases } from "./support.ts";

export const SIGNEDINFO_CASES = classCases("signedinfo");
