// verify.ts must refuse every way an enveloped signature can be wrong, each with its own code. Attacks are made
// with valid RSA signatures where that matters (resign() re-signs a modified SignedInfo), so a refusal can only
// come from the rule under test.
import { beforeAll, describe, expect, it } from "vitest";
import { createHash, createHmac, sign as cryptoSign } from "node:crypto";
import { DSIG, NS } from "../../protocol/namespaces.ts";
import { generateSelfSignedCertificate, type CertifiedKey } from "../../protocol/x509/certificate.ts";
import { signAssertion, unsignedAssertion } from "../../protocol/saml/build.ts";
import type { AssertionSpec } from "../../protocol/saml/model.ts";
import { trustAnchorFromCert, verifyEnvelopedSignature, elementId, type TrustAnchor, type VerifyResult } from "../../protocol/dsig/verify.ts";
import { signElementEnveloped } from "../../protocol/dsig/sign.ts";
import { excC14n, inclusiveC14n } from "../../protocol/dsig/c14n.ts";
import { parseXml } from "../../protocol/xml/safe-parse.ts";
import { children, descendants } from "../../protocol/xml/dom.ts";
import { SAML2_ID, hasXmlsec1, xmlsecVerify } from "./xmlsec.ts";

const NOW = Date.UTC(2026, 2, 1, 12, 0, 0);
let sts: CertifiedKey;
let attacker: CertifiedKey;
let anchor: TrustAnchor;

beforeAll(() => {
  sts = generateSelfSignedCertificate({ commonName: "sts", notBeforeMs: NOW - 1e9, notAfterMs: NOW + 1e10 });
  attacker = generateSelfSignedCertificate({ commonName: "attacker", notBeforeMs: NOW - 1e9, notAfterMs: NOW + 1e10 });
  anchor = trustAnchorFromCert(sts.certDer, "sts");
});

function spec(id = "_id1", nameId = "alice"): AssertionSpec {
  return {
    version: "2.0",
    id,
    issuer: "https://sts.example/",
    issueInstant: NOW,
    subject: { nameId },
    confirmation: { method: "bearer" },
    notBefore: NOW,
    notOnOrAfter: NOW + 3_600_000,
    audiences: ["https://rp.example/"],
    attributes: [{ name: "role", values: ["user"] }],
  };
}

function signed(key: CertifiedKey = sts, s: AssertionSpec = spec(), options = {}): string {
  return signAssertion(s, { privateKey: key.privateKey, certDer: key.certDer }, options);
}

function ds(el: Element, local: string): Element {
  const found = descendants(el, NS.ds, local);
  if (!found[0]) throw new Error(`no ds:${local}`);
  return found[0];
}

function expectCode(r: VerifyResult, code: string): void {
  expect(r.ok, "verification should fail").toBe(false);
  if (!r.ok) expect(r.code, r.reason).toBe(code);
}

/** Recompute DigestValue (optionally) and SignatureValue after a SignedInfo change, with a real RSA key. */
function resign(
  assertion: Element,
  key: CertifiedKey,
  opts: { digest?: (el: Element, sig: Element) => string; hash?: string } = {},
): void {
  const sig = children(assertion, NS.ds, "Signature")[0]!;
  if (opts.digest) {
    const dv = ds(sig, "DigestValue");
    dv.textContent = opts.digest(assertion, sig);
  }
  const value = cryptoSign(opts.hash ?? "sha256", Buffer.from(excC14n(ds(sig, "SignedInfo"))), key.privateKey).toString("base64");
  ds(sig, "SignatureValue").textContent = value;
}

function docOf(xml: string): { doc: Document; a: Element } {
  const doc = parseXml(xml);
  return { doc, a: descendants(doc, NS.saml2, "Assertion")[0]! };
}

describe("verifyEnvelopedSignature: accepts", () => {
  it("a good signature, and reports the anchor and algorithms", () => {
    const { a } = docOf(signed());
    const r = verifyEnvelopedSignature(a, [trustAnchorFromCert(attacker.certDer, "other"), anchor]);
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.anchor.name).toBe("sts");
      expect(r.signatureAlgorithm).toBe(DSIG.rsaSha256);
      expect(r.digestAlgorithm).toBe(DSIG.sha256);
      expect(r.signature.localName).toBe("Signature");
    }
  });

  it("does not modify the caller's DOM", () => {
    const xml = signed();
    const { a } = docOf(xml);
    verifyEnvelopedSignature(a, [anchor]);
    expect(excC14n(a)).toBe(xml);
  });

  it("a pretty-printed signature made by the DOM path (whitespace inside Signature)", () => {
    const { doc, a } = docOf(unsignedAssertion(spec()));
    signElementEnveloped(doc, a, "ID", { privateKey: sts.privateKey, certDer: sts.certDer }, undefined, children(a)[1]);
    const r = verifyEnvelopedSignature(a, [anchor]);
    expect(r.ok).toBe(true);
    expect(children(a)[1]!.localName).toBe("Signature");
  });

  it("InclusiveNamespaces PrefixList is honoured (and agrees with xmlsec1)", () => {
    const xml = signed();
    const wrapped = `<w:Wrap xmlns:w="urn:w" xmlns:xs="${NS.xs}" xmlns:extra="urn:extra">${xml}</w:Wrap>`;
    const { doc, a } = docOf(wrapped);
    const sig = children(a, NS.ds, "Signature")[0]!;
    const t = descendants(sig, NS.ds, "Transform")[1]!;
    const inc = doc.createElementNS(DSIG.excC14n, "ec:InclusiveNamespaces");
    inc.setAttribute("PrefixList", "xs extra");
    t.appendChild(inc);
    resign(a, sts, {
      digest: (el, s) => createHash("sha256").update(excC14n(el, { inclusivePrefixes: ["xs", "extra"], exclude: s })).digest("base64"),
    });
    // The canonical form carries the inherited declarations, so it differs from the plain one.
    expect(excC14n(a, { inclusivePrefixes: ["xs"] })).toContain(`xmlns:xs="${NS.xs}"`);
    const r = verifyEnvelopedSignature(a, [anchor]);
    expect(r.ok, r.ok ? "" : r.reason).toBe(true);
    if (hasXmlsec1) {
      const out = xmlsecVerify(doc.documentElement!.toString(), sts.certPem, SAML2_ID);
      expect(out.ok, out.output).toBe(true);
    }
  });

  it("InclusiveNamespaces on CanonicalizationMethod (SignedInfo) is honoured (and agrees with xmlsec1)", () => {
    const xml = signed();
    const { doc, a } = docOf(`<w:Wrap xmlns:w="urn:w" xmlns:xs="${NS.xs}">${xml}</w:Wrap>`);
    const cm = ds(a, "CanonicalizationMethod");
    const inc = doc.createElementNS(DSIG.excC14n, "ec:InclusiveNamespaces");
    inc.setAttribute("PrefixList", "xs w");
    cm.appendChild(inc);
    const si = ds(a, "SignedInfo");
    const canonical = excC14n(si, { inclusivePrefixes: ["xs", "w"] });
    expect(canonical).toContain(`xmlns:w="urn:w"`);
    ds(a, "SignatureValue").textContent = cryptoSign("sha256", Buffer.from(canonical), sts.privateKey).toString("base64");
    const r = verifyEnvelopedSignature(a, [anchor]);
    expect(r.ok, r.ok ? "" : r.reason).toBe(true);
    if (hasXmlsec1) {
      const out = xmlsecVerify(doc.documentElement!.toString(), sts.certPem, SAML2_ID);
      expect(out.ok, out.output).toBe(true);
    }
  });

  it("inclusive c14n throughout, when the policy allows it (and agrees with xmlsec1)", () => {
    const xml = signed();
    const { doc, a } = docOf(`<w:Wrap xmlns:w="urn:w" xmlns="urn:default" xmlns:xs="${NS.xs}"><inner>${xml}</inner></w:Wrap>`);
    ds(a, "CanonicalizationMethod").setAttribute("Algorithm", DSIG.c14n);
    descendants(a, NS.ds, "Transform")[1]!.setAttribute("Algorithm", DSIG.c14n);
    const sig = children(a, NS.ds, "Signature")[0]!;
    ds(a, "DigestValue").textContent = createHash("sha256").update(inclusiveC14n(a, { exclude: sig })).digest("base64");
    ds(a, "SignatureValue").textContent = cryptoSign("sha256", Buffer.from(inclusiveC14n(ds(a, "SignedInfo"))), sts.privateKey).toString("base64");
    expect(inclusiveC14n(a, { exclude: sig })).toMatch(/^<saml2:Assertion xmlns="urn:default" xmlns:saml2="[^"]+" xmlns:w="urn:w" xmlns:xs=/);
    expectCode(verifyEnvelopedSignature(a, [anchor]), "unsupported-algorithm");
    const r = verifyEnvelopedSignature(a, [anchor], { allowedCanonicalizations: [DSIG.c14n] });
    expect(r.ok, r.ok ? "" : r.reason).toBe(true);
    if (hasXmlsec1) {
      const out = xmlsecVerify(doc.documentElement!.toString(), sts.certPem, SAML2_ID);
      expect(out.ok, out.output).toBe(true);
    }
  });

  it("SHA-1 when the policy allows it", () => {
    const { a } = docOf(signed(sts, spec(), { signatureAlgorithm: DSIG.rsaSha1, digestAlgorithm: DSIG.sha1 }));
    expect(verifyEnvelopedSignature(a, [anchor], { allowSha1: true }).ok).toBe(true);
  });

  it("KeyInfo naming another certificate when requireKeyInfoMatch is false", () => {
    const { a } = docOf(signed());
    ds(a, "X509Certificate").textContent = attacker.certDer.toString("base64");
    expectCode(verifyEnvelopedSignature(a, [anchor]), "untrusted-key");
    expect(verifyEnvelopedSignature(a, [anchor], { requireKeyInfoMatch: false }).ok).toBe(true);
  });

  it("inclusive c14n only when the policy lists it", () => {
    const { a } = docOf(signed());
    const sig = children(a, NS.ds, "Signature")[0]!;
    ds(sig, "CanonicalizationMethod").setAttribute("Algorithm", DSIG.c14n);
    const si = ds(sig, "SignedInfo");
    ds(sig, "SignatureValue").textContent = cryptoSign("sha256", Buffer.from(inclusiveC14n(si)), sts.privateKey).toString("base64");
    expectCode(verifyEnvelopedSignature(a, [anchor]), "unsupported-algorithm");
    const r = verifyEnvelopedSignature(a, [anchor], { allowedCanonicalizations: [DSIG.excC14n, DSIG.c14n] });
    expect(r.ok, r.ok ? "" : r.reason).toBe(true);
  });
});

describe("verifyEnvelopedSignature: refuses", () => {
  it("no signature", () => {
    expectCode(verifyEnvelopedSignature(docOf(unsignedAssertion(spec())).a, [anchor]), "no-signature");
  });

  it("a signature that is not a direct child", () => {
    const { doc, a } = docOf(signed());
    const sig = children(a, NS.ds, "Signature")[0]!;
    const holder = doc.createElementNS(NS.saml2, "saml2:Advice");
    a.insertBefore(holder, sig);
    holder.appendChild(sig);
    expectCode(verifyEnvelopedSignature(a, [anchor]), "no-signature");
  });

  it("two signatures", () => {
    const { a } = docOf(signed());
    const sig = children(a, NS.ds, "Signature")[0]!;
    a.insertBefore(sig.cloneNode(true), sig);
    expectCode(verifyEnvelopedSignature(a, [anchor]), "multiple-signatures");
  });

  it("a signature whose Reference points at another element", () => {
    const xml = `<w:Wrap xmlns:w="urn:w">${signed()}${unsignedAssertion(spec("_other", "mallory"))}</w:Wrap>`;
    const doc = parseXml(xml);
    const [good, other] = descendants(doc, NS.saml2, "Assertion") as [Element, Element];
    // Move the good signature into the other assertion: it still verifies cryptographically, for the wrong element.
    const sig = children(good, NS.ds, "Signature")[0]!;
    other.insertBefore(sig, children(other)[1]!);
    expectCode(verifyEnvelopedSignature(other, [anchor]), "reference-mismatch");
    expectCode(verifyEnvelopedSignature(good, [anchor]), "no-signature");
  });

  it("a duplicated ID (signature wrapping)", () => {
    const xml = signed();
    // The attacker's assertion reuses the ID and carries the genuine signature; the genuine one hides elsewhere.
    const evil = xml.replace(">alice<", ">admin<");
    const doc = parseXml(`<w:Wrap xmlns:w="urn:w">${evil}<w:Hidden>${xml}</w:Hidden></w:Wrap>`);
    const [bad, genuine] = descendants(doc, NS.saml2, "Assertion") as [Element, Element];
    expectCode(verifyEnvelopedSignature(bad, [anchor]), "duplicate-id");
    expectCode(verifyEnvelopedSignature(genuine, [anchor]), "duplicate-id");
    // An ID on an element of another kind counts too.
    for (const other of [`Id="_id1"`, `id="_id1"`, `xx:ID="_id1" xmlns:xx="urn:xx"`, `ResponseID="_id1"`]) {
      const doc2 = parseXml(`<w:Wrap xmlns:w="urn:w"><w:X ${other}/>${xml}</w:Wrap>`);
      expectCode(verifyEnvelopedSignature(descendants(doc2, NS.saml2, "Assertion")[0]!, [anchor]), "duplicate-id");
    }
  });

  it("two References (validly signed)", () => {
    const { a } = docOf(signed());
    const ref = ds(a, "Reference");
    ref.parentNode!.appendChild(ref.cloneNode(true));
    resign(a, sts);
    expectCode(verifyEnvelopedSignature(a, [anchor]), "reference-mismatch");
  });

  it("an extra XPath transform (validly signed)", () => {
    const { doc, a } = docOf(signed());
    const transforms = ds(a, "Transforms");
    const t = doc.createElementNS(NS.ds, "ds:Transform");
    t.setAttribute("Algorithm", "http://www.w3.org/TR/1999/REC-xpath-19991116");
    const xp = doc.createElementNS(NS.ds, "ds:XPath");
    xp.appendChild(doc.createTextNode("not(ancestor-or-self::saml2:NameID)"));
    t.appendChild(xp);
    transforms.insertBefore(t, transforms.lastChild);
    resign(a, sts);
    expectCode(verifyEnvelopedSignature(a, [anchor]), "bad-transform");
  });

  it("a missing enveloped-signature transform", () => {
    const { a } = docOf(signed());
    const transforms = ds(a, "Transforms");
    transforms.removeChild(transforms.firstChild!);
    resign(a, sts);
    expectCode(verifyEnvelopedSignature(a, [anchor]), "bad-transform");
  });

  it("SHA-1 unless allowed", () => {
    const { a } = docOf(signed(sts, spec(), { signatureAlgorithm: DSIG.rsaSha1, digestAlgorithm: DSIG.sha1 }));
    expectCode(verifyEnvelopedSignature(a, [anchor]), "weak-algorithm");
    const { a: a2 } = docOf(signed(sts, spec(), { signatureAlgorithm: DSIG.rsaSha256, digestAlgorithm: DSIG.sha1 }));
    expectCode(verifyEnvelopedSignature(a2, [anchor]), "weak-algorithm");
  });

  it("an HMAC SignatureMethod keyed with the anchor's public key (key confusion)", () => {
    const { a } = docOf(signed());
    ds(a, "SignatureMethod").setAttribute("Algorithm", DSIG.hmacSha256);
    const si = ds(a, "SignedInfo");
    const pem = anchor.publicKey.export({ type: "spki", format: "pem" });
    ds(a, "SignatureValue").textContent = createHmac("sha256", pem).update(excC14n(si)).digest("base64");
    expectCode(verifyEnvelopedSignature(a, [anchor]), "unsupported-algorithm");
  });

  it("HMACOutputLength", () => {
    const { doc, a } = docOf(signed());
    const l = doc.createElementNS(NS.ds, "ds:HMACOutputLength");
    l.appendChild(doc.createTextNode("8"));
    ds(a, "SignatureMethod").appendChild(l);
    expectCode(verifyEnvelopedSignature(a, [anchor]), "bad-structure");
  });

  it("an attacker's key carried only in KeyInfo", () => {
    const { a } = docOf(signed(attacker, spec("_id1", "admin")));
    expectCode(verifyEnvelopedSignature(a, [anchor]), "untrusted-key");
  });

  it("a forged SignatureValue", () => {
    const { a } = docOf(signed());
    const sv = ds(a, "SignatureValue");
    const bytes = Buffer.from(sv.textContent!, "base64");
    bytes[10] = (bytes[10] ?? 0) ^ 1;
    sv.textContent = bytes.toString("base64");
    expectCode(verifyEnvelopedSignature(a, [anchor]), "signature-invalid");
  });

  it("changed content", () => {
    const { a } = docOf(signed().replace(">alice<", ">admin<"));
    expectCode(verifyEnvelopedSignature(a, [anchor]), "digest-mismatch");
  });

  it("a comment inside DigestValue or SignatureValue", () => {
    const xml = signed();
    const dv = /<ds:DigestValue>([^<]+)<\/ds:DigestValue>/.exec(xml)![1]!;
    const withComment = xml.replace(dv, `${dv.slice(0, 8)}<!--x-->${dv.slice(8)}`);
    expectCode(verifyEnvelopedSignature(docOf(withComment).a, [anchor]), "bad-structure");
    const sv = /<ds:SignatureValue>([^<]+)<\/ds:SignatureValue>/.exec(xml)![1]!;
    const withComment2 = xml.replace(sv, `${sv.slice(0, 8)}<!---->${sv.slice(8)}`);
    expectCode(verifyEnvelopedSignature(docOf(withComment2).a, [anchor]), "bad-structure");
  });

  it("ds:Object inside the Signature", () => {
    const { doc, a } = docOf(signed());
    children(a, NS.ds, "Signature")[0]!.appendChild(doc.createElementNS(NS.ds, "ds:Object"));
    expectCode(verifyEnvelopedSignature(a, [anchor]), "bad-structure");
  });

  it("an unknown canonicalization or digest algorithm", () => {
    const { a } = docOf(signed());
    ds(a, "CanonicalizationMethod").setAttribute("Algorithm", "urn:bogus");
    expectCode(verifyEnvelopedSignature(a, [anchor]), "unsupported-algorithm");
    const { a: a2 } = docOf(signed());
    ds(a2, "DigestMethod").setAttribute("Algorithm", "http://www.w3.org/2001/04/xmldsig-more#md5");
    expectCode(verifyEnvelopedSignature(a2, [anchor]), "unsupported-algorithm");
  });

  it("a Reference URI that is not a bare #id (empty URI = whole document)", () => {
    const { a } = docOf(signed());
    ds(a, "Reference").setAttribute("URI", "");
    resign(a, sts);
    expectCode(verifyEnvelopedSignature(a, [anchor]), "reference-mismatch");
  });

  it("no trust anchors at all", () => {
    expectCode(verifyEnvelopedSignature(docOf(signed()).a, []), "untrusted-key");
  });
});

describe("elementId", () => {
  it("uses the attribute the element type defines", () => {
    const doc = parseXml(
      `<r xmlns:saml2="${NS.saml2}" xmlns:saml="${NS.saml11}" xmlns:wsu="${NS.wsu}">` +
        `<saml2:Assertion ID="a" AssertionID="b"/><saml:Assertion AssertionID="c" ID="d"/><x wsu:Id="e"/><y Id="f" ID="g"/></r>`,
    );
    const [a2, a1, x, y] = children(doc.documentElement!);
    expect(elementId(a2!)).toEqual({ attribute: "ID", value: "a" });
    expect(elementId(a1!)).toEqual({ attribute: "AssertionID", value: "c" });
    expect(elementId(x!)).toEqual({ attribute: "wsu:Id", value: "e" });
    expect(elementId(y!)).toBeUndefined(); // two different IDs: ambiguous
  });
});
