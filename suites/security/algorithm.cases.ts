// Token-consumer security cases, class "algorithm" (constructions and judges in attacks.ts).
import { classCases } from "./support.ts";

export const ALGORITHM_CASES = classCases("algorithm");
