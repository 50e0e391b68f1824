// xml-crypto 6.0.0: DigestValue/SignedInfo confusion (CVE-2025-29774, CVE-2025-29775).
import { xmlCryptoApp } from "./xml-crypto-app.ts";

const app = xmlCryptoApp("xml-crypto-6.0.0", "validateElementAgainstReferences");
export const consume = app.consume;
export const meta = app.meta;
