// A typical application on xml-crypto, as its README of each version documents it: find the ds:Signature, verify
// it with the configured certificate (`new SignedXml({ publicCert })`, no other options), make sure the element it
// uses is the one the signature covers, then run the usual SAML checks (saml-app.ts). Bare assertions only.
import { createRequire } from "node:module";
import type { LibraryConsumeOptions, LibraryModule } from "../../../adapters/library-consumer.ts";
import { ReplayCache, checkAssertion } from "./saml-app.ts";

const requireHere = createRequire(import.meta.url);

export const SKEW_SECONDS = 180;

/** `pkg`: the aliased package folder in test/calibration/node_modules; `use`: how that version's README says to pick the signed content. */
export function xmlCryptoApp(pkg: string, use: "validateElementAgainstReferences" | "getSignedReferences"): LibraryModule {
  const main = requireHere.resolve(pkg);
  // xpath and xmldom as that xml-crypto resolves them.
  const req = createRequire(main);
  const { SignedXml } = req(pkg) as { SignedXml: new (o: object) => any };
  const { DOMParser } = req("@xmldom/xmldom") as { DOMParser: new () => { parseFromString(s: string, t: string): Document } };
  const xpath = req("xpath") as { select1(e: string, n: Node): Node | undefined };
  const version = (req(`${pkg}/package.json`) as { version: string }).version;
  const replay = new ReplayCache();
  return {
    meta: { name: `xml-crypto ${version} (documented usage)`, deliveries: ["assertion"], tokenTypes: ["saml20", "saml11"], clockSkewSeconds: SKEW_SECONDS, clock: "injected" },
    consume(xml: string, o: LibraryConsumeOptions) {
      const doc = new DOMParser().parseFromString(xml, "text/xml");
      const signature = xpath.select1("//*[local-name(.)='Signature' and namespace-uri(.)='http://www.w3.org/2000/09/xmldsig#']", doc);
      if (!signature) throw new Error("no signature");
      const sig = new SignedXml({ publicCert: o.certificatePem });
      sig.loadSignature(signature);
      if (!sig.checkSignature(xml)) throw new Error(`invalid signature: ${sig.validationErrors ?? ""}`);
      let assertion: Element;
      if (use === "getSignedReferences") {
        const signed: string[] = sig.getSignedReferences();
        if (!signed.length) throw new Error("nothing was signed");
        assertion = new DOMParser().parseFromString(signed[0]!, "text/xml").documentElement!;
      } else {
        const elem = xpath.select1("/*[local-name(.)='Assertion']", doc) as Element | undefined;
        if (!elem) throw new Error("no assertion");
        sig.validateElementAgainstReferences(elem, doc);
        assertion = elem;
      }
      return checkAssertion(assertion, o, SKEW_SECONDS, replay);
    },
  };
}
