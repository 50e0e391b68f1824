// xml-crypto 5.1.1: trusts the certificate in KeyInfo by default (CVE-2024-32962 class).
import { xmlCryptoApp } from "./xml-crypto-app.ts";

const app = xmlCryptoApp("xml-crypto-5", "validateElementAgainstReferences");
export const consume = app.consume;
export const meta = app.meta;
