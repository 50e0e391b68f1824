// Token-consumer security cases, class "xsw" (constructions and judges in attacks.ts).
import { classCases } from "./support.ts";

export const XSW_CASES = classCases("xsw");
