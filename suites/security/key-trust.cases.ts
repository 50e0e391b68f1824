// Token-consumer security cases, class "key-trust" (constructions and judges in attacks.ts).
import { classCases } from "./support.ts";

export const KEY_TRUST_CASES = classCases("key-trust");
