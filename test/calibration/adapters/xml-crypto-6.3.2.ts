// xml-crypto 6.3.2: the fixed line; its README has applications use only getSignedReferences().
import { xmlCryptoApp } from "./xml-crypto-app.ts";

const app = xmlCryptoApp("xml-crypto-6.3.2", "getSignedReferences");
export const consume = app.consume;
export const meta = app.meta;
