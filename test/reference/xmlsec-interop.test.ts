// Independent check of the reference's tokens: every kind of issued assertion verifies with xmlsec1 (a C
// implementation, Debian package) and with xml-crypto against the signing certificate, both standalone and
// inside the very response document that carried it; a tampered copy fails in both.
import { describe, expect, it } from "vitest";
import { DOMParser } from "@xmldom/xmldom";
import { SignedXml } from "xml-crypto";
import { NS, TOKEN_TYPES, TRUST } from "../../protocol/namespaces.ts";
import { generateSelfSignedCertificate } from "../../protocol/x509/certificate.ts";
import { el } from "../../protocol/xml/writer.ts";
import { DEMO_REALMS } from "../../reference/config.ts";
import { START, clientFor, makeReference, rstrOf, testKeys } from "../helpers/reference.ts";
import { hasXmlsec1, SAML11_ID, SAML2_ID, xmlsecVerify } from "../protocol/xmlsec.ts";

// In CI xmlsec1 is installed by .ci/run: a missing binary there is a failure, not a skip.
const requireXmlsec = process.env.CI === "true" || hasXmlsec1;

function xmlCryptoVerify(xml: string, certPem: string, idAttribute: string): boolean {
  const doc = new DOMParser().parseFromString(xml, "text/xml");
  const sig = doc.getElementsByTagNameNS(NS.ds, "Signature")[0];
  const sx = new SignedXml({ publicCert: certPem, ...(idAttribute === "ID" ? {} : { idAttribute }) });
  if (!sig) return false;
  sx.loadSignature(sig as never);
  try {
    return sx.checkSignature(xml);
  } catch {
    return false;
  }
}

type Kind = { name: string; samlV: "1.1" | "2.0"; keyType: "Bearer" | "SymmetricKey" | "PublicKey" | "OnBehalfOf"; key: "primary" | "secondary" };
const KINDS: Kind[] = [];
for (const samlV of ["1.1", "2.0"] as const) {
  for (const keyType of ["Bearer", "SymmetricKey", "PublicKey", "OnBehalfOf"] as const) {
    KINDS.push({ name: `SAML ${samlV} ${keyType}`, samlV, keyType, key: "primary" });
  }
  KINDS.push({ name: `SAML ${samlV} Bearer signed by the secondary (rollover) key`, samlV, keyType: "Bearer", key: "secondary" });
}

const requestor = generateSelfSignedCertificate({ commonName: "xmlsec requestor", notBeforeMs: START - 3600_000, notAfterMs: START + 86400_000 });

describe.runIf(requireXmlsec)("issued assertions verify under xmlsec1 and xml-crypto", () => {
  for (const k of KINDS) {
    it(k.name, async () => {
      const ref = makeReference({ config: { activeSigningKey: k.key } });
      const T = TRUST["1.3"];
      const tokenType = k.samlV === "1.1" ? TOKEN_TYPES.saml11 : TOKEN_TYPES.saml20;
      let client = clientFor(ref, "1.3");
      const rst: Record<string, unknown> = { version: "1.3", requestType: T.requestType("Issue"), tokenType, appliesTo: { address: DEMO_REALMS.saml20 } };
      if (k.keyType === "OnBehalfOf") {
        const first = await clientFor(ref, "1.3").send({ ...rst, keyType: T.keyType("Bearer") } as never);
        rst.onBehalfOf = { element: rstrOf(first)!.requestedSecurityToken!.element };
        rst.keyType = T.keyType("Bearer");
        client = clientFor(ref, "1.3", "1.2", { username: "bob", password: "bob" });
      } else if (k.keyType === "PublicKey") {
        rst.keyType = T.keyType("PublicKey");
        rst.useKey = { key: { node: el("wsse:SecurityTokenReference", [el("wsse:Reference", { URI: "#_bst" })]) } };
        client = clientFor(ref, "1.3", "1.2", { username: "alice", password: "ecila", signer: { privateKey: requestor.privateKey, certDer: requestor.certDer } });
      } else {
        rst.keyType = T.keyType(k.keyType);
      }
      const ex = await client.send(rst as never);
      const tok = rstrOf(ex)?.requestedSecurityToken?.element;
      expect(tok, ex.fault?.reason).toBeDefined();
      const certPem = k.key === "primary" ? testKeys().signing.primary.certPem : testKeys().signing.secondary.certPem;
      const idAttr = k.samlV === "1.1" ? SAML11_ID : SAML2_ID;
      const standalone = tok!.toString();

      const alone = xmlsecVerify(standalone, certPem, idAttr);
      expect(alone.ok, alone.output).toBe(true);
      const inResponse = xmlsecVerify(ex.response!.body, certPem, idAttr);
      expect(inResponse.ok, inResponse.output).toBe(true);
      expect(xmlCryptoVerify(standalone, certPem, idAttr[0])).toBe(true);

      const tamperedXml = standalone.replace(/>alice</, ">mallory<").replace(/>bob</, ">mallory<");
      expect(tamperedXml).not.toBe(standalone);
      expect(xmlsecVerify(tamperedXml, certPem, idAttr).ok).toBe(false);
      expect(xmlCryptoVerify(tamperedXml, certPem, idAttr[0])).toBe(false);

      const otherCert = k.key === "primary" ? testKeys().signing.secondary.certPem : testKeys().signing.primary.certPem;
      expect(xmlsecVerify(standalone, otherCert, idAttr).ok).toBe(false);
    });
  }
});
