// Fast-path signed SAML assertions checked by three independent verifiers: our strict verifier, xml-crypto and
// xmlsec1 — for both SAML versions, every confirmation method, and rsa-sha256 / rsa-sha1.
import { beforeAll, describe, expect, it } from "vitest";
import { SignedXml } from "xml-crypto";
import { randomBytes } from "node:crypto";
import { CONFIRMATION_METHOD, DSIG, NS } from "../../protocol/namespaces.ts";
import { generateSelfSignedCertificate, type CertifiedKey } from "../../protocol/x509/certificate.ts";
import { buildAssertion, signAssertion, unsignedAssertion } from "../../protocol/saml/build.ts";
import { parseAssertion, verifyAssertion } from "../../protocol/saml/parse.ts";
import type { AssertionSpec, SubjectConfirmation } from "../../protocol/saml/model.ts";
import { trustAnchorFromCert, verifyEnvelopedSignature, type TrustAnchor } from "../../protocol/dsig/verify.ts";
import { excC14n } from "../../protocol/dsig/c14n.ts";
import { encryptKeyForCertificate, decryptEncryptedKey } from "../../protocol/xmlenc.ts";
import { parseXml } from "../../protocol/xml/safe-parse.ts";
import { children, descendants } from "../../protocol/xml/dom.ts";
import { el } from "../../protocol/xml/writer.ts";
import { SAML11_ID, SAML2_ID, hasXmlsec1, xmlsecVerify } from "./xmlsec.ts";

const NOW = Date.UTC(2026, 2, 1, 12, 0, 0);

let signer: CertifiedKey;
let rp: CertifiedKey;
let anchor: TrustAnchor;

beforeAll(() => {
  signer = generateSelfSignedCertificate({ commonName: "STS signing", notBeforeMs: NOW - 86_400_000, notAfterMs: NOW + 86_400_000 * 365, keyUsage: ["digitalSignature"] });
  rp = generateSelfSignedCertificate({ commonName: "relying party", notBeforeMs: NOW - 86_400_000, notAfterMs: NOW + 86_400_000 * 365, keyUsage: ["keyEncipherment"] });
  anchor = trustAnchorFromCert(signer.certDer, "sts");
});

type Conf = "bearer" | "hok-symmetric" | "hok-public" | "sender-vouches";
const proofKey = randomBytes(32);

function confirmation(c: Conf): SubjectConfirmation {
  switch (c) {
    case "bearer":
      return { method: "bearer", notOnOrAfter: NOW + 300_000, recipient: "https://rp.example/" };
    case "hok-symmetric":
      return { method: "holder-of-key", keyInfo: encryptKeyForCertificate(proofKey, rp.certDer) };
    case "hok-public":
      return { method: "holder-of-key", keyInfo: el("ds:X509Data", [el("ds:X509Certificate", [rp.certDer.toString("base64")])]) };
    case "sender-vouches":
      return { method: "sender-vouches" };
  }
}

function spec(version: "1.1" | "2.0", c: Conf, id = "_a75adf55-01d7-40cc-929f-dbd8372ebdfc"): AssertionSpec {
  return {
    version,
    id,
    issuer: "https://sts.example/",
    issueInstant: NOW,
    subject: { nameId: "alice@example.org", format: "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress" },
    confirmation: confirmation(c),
    notBefore: NOW - 60_000,
    notOnOrAfter: NOW + 3_600_000,
    audiences: ["https://rp.example/", "urn:rp:second"],
    authn: { method: version === "2.0" ? "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport" : "urn:oasis:names:tc:SAML:1.0:am:password", instant: NOW - 1000 },
    attributes: [
      { name: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress", values: ["alice@example.org"] },
      { name: "http://schemas.microsoft.com/ws/2008/06/identity/claims/role", values: ["admins", "users & <friends>"] },
    ],
  };
}

function xmlCryptoVerify(xml: string, version: "1.1" | "2.0"): boolean {
  const doc = parseXml(xml);
  const sig = descendants(doc, NS.ds, "Signature")[0]!;
  const sx = new SignedXml({ publicCert: signer.certPem, ...(version === "1.1" ? { idAttribute: "AssertionID" } : {}) });
  sx.loadSignature(sig as never);
  try {
    return sx.checkSignature(xml);
  } catch {
    return false;
  }
}

function why(v: { ok: boolean; code?: string; reason?: string }): string {
  return v.ok ? "" : `${v.code}: ${v.reason}`;
}

function assertionOf(xml: string): Element {
  const doc = parseXml(xml);
  const found = [...descendants(doc, NS.saml2, "Assertion"), ...descendants(doc, NS.saml11, "Assertion")];
  expect(found.length).toBe(1);
  return found[0]!;
}

const ALGS = [
  { name: "rsa-sha256", options: { signatureAlgorithm: DSIG.rsaSha256, digestAlgorithm: DSIG.sha256 }, policy: {} },
  { name: "rsa-sha1", options: { signatureAlgorithm: DSIG.rsaSha1, digestAlgorithm: DSIG.sha1 }, policy: { allowSha1: true } },
] as const;

describe.each(["2.0", "1.1"] as const)("SAML %s fast-path signatures", (version) => {
  const idAttr = version === "2.0" ? SAML2_ID : SAML11_ID;
  describe.each(["bearer", "hok-symmetric", "hok-public", "sender-vouches"] as const)("%s", (conf) => {
    it.each(ALGS)("$name verifies under verify.ts, xml-crypto and xmlsec1; tampering fails in all three", ({ options, policy }) => {
      const xml = signAssertion(spec(version, conf), { privateKey: signer.privateKey, certDer: signer.certDer }, options);

      // The emitted bytes are already the exclusive canonical form.
      expect(excC14n(parseXml(xml).documentElement!)).toBe(xml);

      const v = verifyAssertion(assertionOf(xml), [anchor], policy);
      expect(v.ok, why(v)).toBe(true);
      if (v.ok) {
        expect(v.signatureAlgorithm).toBe(options.signatureAlgorithm);
        expect(v.digestAlgorithm).toBe(options.digestAlgorithm);
        expect(v.assertion.confirmation.method).toBe(spec(version, conf).confirmation.method);
      }
      expect(xmlCryptoVerify(xml, version)).toBe(true);
      if (hasXmlsec1) {
        const r = xmlsecVerify(xml, signer.certPem, idAttr);
        expect(r.ok, r.output).toBe(true);
      }

      for (const [from, to] of [
        [">admins<", ">root<"],
        [">alice@example.org</saml2:NameID>", ">mallory@example.org</saml2:NameID>"],
        [">alice@example.org</saml:NameIdentifier>", ">mallory@example.org</saml:NameIdentifier>"],
      ] as const) {
        if (!xml.includes(from)) continue;
        const tampered = xml.split(from).join(to);
        const t = verifyAssertion(assertionOf(tampered), [anchor], policy);
        expect(t.ok).toBe(false);
        if (!t.ok) expect(t.code).toBe("digest-mismatch");
        expect(xmlCryptoVerify(tampered, version)).toBe(false);
        if (hasXmlsec1) expect(xmlsecVerify(tampered, signer.certPem, idAttr).ok).toBe(false);
      }
    });
  });

  it("still verifies inside a larger document with other namespace declarations (as in a SOAP RSTR)", () => {
    const assertion = signAssertion(spec(version, "hok-symmetric"), { privateKey: signer.privateKey, certDer: signer.certDer });
    const envelope =
      `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns="urn:default-ns" xmlns:ds="urn:not-dsig" ` +
      `xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion" xmlns:saml="urn:other-saml" xmlns:xsi="${NS.xsi}" xml:lang="en">` +
      `<s:Body><trust:RequestSecurityTokenResponseCollection xmlns:trust="${NS.wst13}"><trust:RequestSecurityTokenResponse>\n  ` +
      `<trust:RequestedSecurityToken>\n    ${assertion}\n  </trust:RequestedSecurityToken><plain>x</plain>` +
      `</trust:RequestSecurityTokenResponse></trust:RequestSecurityTokenResponseCollection></s:Body></s:Envelope>`;
    const doc = parseXml(envelope);
    const a = version === "2.0" ? descendants(doc, NS.saml2, "Assertion")[0]! : descendants(doc, NS.saml11, "Assertion")[0]!;
    const v = verifyAssertion(a, [anchor]);
    expect(v.ok, why(v)).toBe(true);
    expect(xmlCryptoVerify(envelope, version)).toBe(true);
    if (hasXmlsec1) {
      const r = xmlsecVerify(envelope, signer.certPem, idAttr);
      expect(r.ok, r.output).toBe(true);
    }
    // And the proof key inside the HoK confirmation unwraps with the relying party's key.
    if (v.ok) {
      const ek = children(v.assertion.confirmationKeyInfo!, NS.xenc, "EncryptedKey")[0]!;
      expect(decryptEncryptedKey(ek, rp.privateKey).equals(proofKey)).toBe(true);
    }
  });

  it("an unsigned assertion has no signature and parses", () => {
    const xml = unsignedAssertion(spec(version, "bearer"));
    const a = assertionOf(xml);
    const v = verifyEnvelopedSignature(a, [anchor]);
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.code).toBe("no-signature");
    expect(parseAssertion(a).hasSignature).toBe(false);
  });

  it("signature position follows the schema (2.0: after Issuer; 1.1: last)", () => {
    const xml = signAssertion(spec(version, "bearer"), { privateKey: signer.privateKey, certDer: signer.certDer });
    const kids = children(assertionOf(xml));
    const sigIndex = kids.findIndex((k) => k.namespaceURI === NS.ds && k.localName === "Signature");
    expect(sigIndex).toBe(version === "2.0" ? 1 : kids.length - 1);
    expect(buildAssertion(spec(version, "bearer")).insertAt).toBe(version === "2.0" ? 1 : kids.length - 1);
  });

  it("keyInfo none: no KeyInfo, still verifies against the anchor", () => {
    const xml = signAssertion(spec(version, "bearer"), { privateKey: signer.privateKey, certDer: signer.certDer }, { keyInfo: "none" });
    expect(xml).not.toContain("KeyInfo");
    expect(verifyAssertion(assertionOf(xml), [anchor]).ok).toBe(true);
    if (hasXmlsec1) expect(xmlsecVerify(xml, signer.certPem, idAttr).ok).toBe(true);
  });
});

describe("re-issuing a parsed holder-of-key assertion (RawXml inside: the digest falls back to parse + c14n)", () => {
  it.each(["2.0", "1.1"] as const)("SAML %s", (version) => {
    const first = parseAssertion(assertionOf(unsignedAssertion(spec(version, "hok-symmetric"))));
    const { element: _e, hasSignature: _h, confirmationKeyInfo: _k, ...again } = first;
    const xml = signAssertion({ ...again, id: "_reissued" }, { privateKey: signer.privateKey, certDer: signer.certDer });
    // The standalone KeyInfo pieces redeclare ds inside ds:KeyInfo, so these bytes are not canonical ...
    expect(excC14n(parseXml(xml).documentElement!)).not.toBe(xml);
    // ... yet the digest was taken over the canonical form, so every verifier accepts the signature.
    const v = verifyAssertion(assertionOf(xml), [anchor]);
    expect(v.ok, why(v)).toBe(true);
    expect(xmlCryptoVerify(xml, version)).toBe(true);
    if (hasXmlsec1) expect(xmlsecVerify(xml, signer.certPem, version === "2.0" ? SAML2_ID : SAML11_ID).ok).toBe(true);
  });
});

describe("confirmation method URIs on the wire", () => {
  it.each([
    ["2.0", "bearer", CONFIRMATION_METHOD["2.0"].bearer],
    ["2.0", "hok-public", CONFIRMATION_METHOD["2.0"].holderOfKey],
    ["2.0", "sender-vouches", CONFIRMATION_METHOD["2.0"].senderVouches],
    ["1.1", "bearer", CONFIRMATION_METHOD["1.1"].bearer],
    ["1.1", "hok-symmetric", CONFIRMATION_METHOD["1.1"].holderOfKey],
    ["1.1", "sender-vouches", CONFIRMATION_METHOD["1.1"].senderVouches],
  ] as const)("%s %s → %s", (version, conf, uri) => {
    const p = parseAssertion(assertionOf(unsignedAssertion(spec(version, conf))));
    expect(p.confirmationMethodUri).toBe(uri);
  });
});
