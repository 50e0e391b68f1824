// Detached WS-Security signatures: signReferences + verifyReferences, cross-checked with xmlsec1 and xml-crypto.
import { beforeAll, describe, expect, it } from "vitest";
import { createHmac, createSecretKey, randomBytes, X509Certificate, type KeyObject } from "node:crypto";
import { SignedXml } from "xml-crypto";
import { DSIG, NS, WSS } from "../../protocol/namespaces.ts";
import { generateSelfSignedCertificate, type CertifiedKey } from "../../protocol/x509/certificate.ts";
import { signReferences } from "../../protocol/dsig/sign.ts";
import { verifyReferences, type VerifyReferencesResult } from "../../protocol/dsig/verify.ts";
import { excC14n } from "../../protocol/dsig/c14n.ts";
import { parseXml } from "../../protocol/xml/safe-parse.ts";
import { children, descendants, elementsById } from "../../protocol/xml/dom.ts";
import { el } from "../../protocol/xml/writer.ts";
import { hasXmlsec1, xmlsecVerify } from "./xmlsec.ts";

const NOW = Date.UTC(2026, 2, 1, 12, 0, 0);
let client: CertifiedKey;

beforeAll(() => {
  client = generateSelfSignedCertificate({ commonName: "client", notBeforeMs: NOW - 1e9, notAfterMs: NOW + 1e10 });
});

function envelope(): string {
  return (
    `<s:Envelope xmlns:s="${NS.s12}" xmlns:wsu="${NS.wsu}" xmlns:wsse="${NS.wsse}" xmlns:a="${NS.wsa}">` +
    `<s:Header><a:Action s:mustUnderstand="1" wsu:Id="_act">urn:action</a:Action>` +
    `<wsse:Security s:mustUnderstand="1"><wsu:Timestamp wsu:Id="_ts"><wsu:Created>2026-03-01T12:00:00Z</wsu:Created>` +
    `<wsu:Expires>2026-03-01T12:05:00Z</wsu:Expires></wsu:Timestamp>` +
    `<wsse:BinarySecurityToken wsu:Id="_bst" ValueType="${WSS.x509v3}" EncodingType="${WSS.base64Binary}">CERT</wsse:BinarySecurityToken>` +
    `</wsse:Security></s:Header><s:Body wsu:Id="_body"><m:Op xmlns:m="urn:m">  hello &amp; bye </m:Op></s:Body></s:Envelope>`
  );
}

function signedEnvelope(): { doc: Document; sig: Element } {
  const doc = parseXml(envelope().replace("CERT", client.certDer.toString("base64")));
  const security = descendants(doc, NS.wsse, "Security")[0]!;
  const body = descendants(doc, NS.s12, "Body")[0]!;
  const ts = descendants(doc, NS.wsu, "Timestamp")[0]!;
  const sig = signReferences({
    doc,
    parent: security,
    references: [ts, body],
    key: { privateKey: client.privateKey, certDer: client.certDer },
    keyInfo: el("wsse:SecurityTokenReference", [el("wsse:Reference", { URI: "#_bst", ValueType: WSS.x509v3 })]),
    signatureId: "SIG-1",
  });
  return { doc, sig };
}

const resolveIn = (doc: Document) => (id: string) => elementsById(doc, id, NS.wsu);
const keyOf = (k: KeyObject) => () => k;

function expectCode(r: VerifyReferencesResult, code: string): void {
  expect(r.ok).toBe(false);
  if (!r.ok) expect(r.code, r.reason).toBe(code);
}

describe("signReferences / verifyReferences", () => {
  it("signs Timestamp and Body; verifies with the key named by the STR", () => {
    const { doc, sig } = signedEnvelope();
    expect(sig.getAttribute("Id")).toBe("SIG-1");
    expect(sig.parentNode).toBe(descendants(doc, NS.wsse, "Security")[0]);
    let seenKeyInfo: Element | undefined;
    const r = verifyReferences(sig, resolveIn(doc), (ki) => {
      seenKeyInfo = ki;
      const ref = descendants(ki!, NS.wsse, "Reference")[0]!;
      expect(ref.getAttribute("URI")).toBe("#_bst");
      const bst = elementsById(doc, "_bst", NS.wsu)[0]!;
      return new X509Certificate(Buffer.from(bst.textContent!, "base64")).publicKey;
    });
    expect(r.ok, r.ok ? "" : r.reason).toBe(true);
    expect(seenKeyInfo?.localName).toBe("KeyInfo");
    if (r.ok) {
      expect(r.references.map((e) => e.localName)).toEqual(["Timestamp", "Body"]);
      expect(r.digestAlgorithms).toEqual([DSIG.sha256, DSIG.sha256]);
    }
  });

  it("survives serialization and re-parsing; xml-crypto (wssecurity mode) agrees", () => {
    const { doc } = signedEnvelope();
    const xml = doc.toString();
    const doc2 = parseXml(xml);
    const sig2 = descendants(doc2, NS.ds, "Signature")[0]!;
    expect(verifyReferences(sig2, resolveIn(doc2), keyOf(client.publicKey)).ok).toBe(true);
    const sx = new SignedXml({ publicCert: client.certPem, idMode: "wssecurity" });
    sx.loadSignature(sig2 as never);
    expect(sx.checkSignature(xml)).toBe(true);
  });

  it.runIf(hasXmlsec1)("xmlsec1 verifies it", () => {
    const { doc } = signedEnvelope();
    const xml = doc.toString();
    const r = xmlsecVerify(xml, client.certPem, [
      ["Id", `${NS.s12}:Body`],
      ["Id", `${NS.wsu}:Timestamp`],
    ]);
    expect(r.ok, r.output).toBe(true);
  });

  it("refuses a changed Body", () => {
    const { doc, sig } = signedEnvelope();
    const op = descendants(doc, "urn:m", "Op")[0]!;
    op.textContent = "goodbye";
    expectCode(verifyReferences(sig, resolveIn(doc), keyOf(client.publicKey)), "digest-mismatch");
  });

  it("refuses a duplicated wsu:Id (wrapping: the signed Body moved into a header)", () => {
    const { doc, sig } = signedEnvelope();
    const body = descendants(doc, NS.s12, "Body")[0]!;
    const header = descendants(doc, NS.s12, "Header")[0]!;
    const copy = body.cloneNode(true) as Element;
    header.appendChild(copy);
    descendants(body, "urn:m", "Op")[0]!.textContent = "evil";
    expectCode(verifyReferences(sig, resolveIn(doc), keyOf(client.publicKey)), "duplicate-id");
  });

  it("refuses an unresolvable reference", () => {
    const { doc, sig } = signedEnvelope();
    descendants(doc, NS.s12, "Body")[0]!.removeAttributeNS(NS.wsu, "Id");
    expectCode(verifyReferences(sig, resolveIn(doc), keyOf(client.publicKey)), "reference-mismatch");
  });

  it("refuses when keyFor has no key, and lets keyFor's own errors through", () => {
    const { doc, sig } = signedEnvelope();
    expectCode(verifyReferences(sig, resolveIn(doc), () => undefined), "untrusted-key");
    expect(() =>
      verifyReferences(sig, resolveIn(doc), () => {
        throw new Error("SecurityTokenUnavailable");
      }),
    ).toThrow("SecurityTokenUnavailable");
  });

  it("refuses a key of the wrong family (secret key for rsa-sha256)", () => {
    const { doc, sig } = signedEnvelope();
    expectCode(verifyReferences(sig, resolveIn(doc), keyOf(createSecretKey(randomBytes(32)))), "unsupported-algorithm");
  });

  it("refuses another signer's key", () => {
    const other = generateSelfSignedCertificate({ commonName: "other", notBeforeMs: NOW - 1e9, notAfterMs: NOW + 1e10, keyBits: 1024 });
    const { doc, sig } = signedEnvelope();
    expectCode(verifyReferences(sig, resolveIn(doc), keyOf(other.publicKey)), "signature-invalid");
  });

  it("accepts HMAC with a secret key; refuses HMAC keyed by a public key", () => {
    const { doc, sig } = signedEnvelope();
    const secret = randomBytes(32);
    descendants(sig, NS.ds, "SignatureMethod")[0]!.setAttribute("Algorithm", DSIG.hmacSha256);
    const si = descendants(sig, NS.ds, "SignedInfo")[0]!;
    descendants(sig, NS.ds, "SignatureValue")[0]!.textContent = createHmac("sha256", secret).update(excC14n(si)).digest("base64");
    expect(verifyReferences(sig, resolveIn(doc), keyOf(createSecretKey(secret))).ok).toBe(true);
    expectCode(verifyReferences(sig, resolveIn(doc), keyOf(createSecretKey(randomBytes(32)))), "signature-invalid");
    expectCode(verifyReferences(sig, resolveIn(doc), keyOf(client.publicKey)), "unsupported-algorithm");
  });

  it("refuses an enveloped-signature transform or a missing c14n transform", () => {
    const { doc, sig } = signedEnvelope();
    const t = descendants(sig, NS.ds, "Transform")[0]!;
    t.setAttribute("Algorithm", DSIG.envelopedSignature);
    expectCode(verifyReferences(sig, resolveIn(doc), keyOf(client.publicKey)), "bad-transform");
  });

  it("refuses the same element referenced twice", () => {
    const { doc, sig } = signedEnvelope();
    const refs = descendants(sig, NS.ds, "Reference");
    refs[1]!.setAttribute("URI", refs[0]!.getAttribute("URI")!);
    expectCode(verifyReferences(sig, resolveIn(doc), keyOf(client.publicKey)), "bad-structure");
  });

  it("refuses to sign an element that contains the signature's parent", () => {
    const doc = parseXml(envelope());
    const header = descendants(doc, NS.s12, "Header")[0]!;
    header.setAttributeNS(NS.wsu, "wsu:Id", "_hdr");
    expect(() =>
      signReferences({
        doc,
        parent: descendants(doc, NS.wsse, "Security")[0]!,
        references: [header],
        key: { privateKey: client.privateKey, certDer: client.certDer },
        keyInfo: el("wsse:SecurityTokenReference"),
      }),
    ).toThrow(/contains/);
  });

  it("accepts an Element as keyInfo", () => {
    const doc = parseXml(envelope());
    const str = doc.createElementNS(NS.wsse, "wsse:SecurityTokenReference");
    const sig = signReferences({
      doc,
      parent: descendants(doc, NS.wsse, "Security")[0]!,
      references: [descendants(doc, NS.s12, "Body")[0]!],
      key: { privateKey: client.privateKey, certDer: client.certDer },
      keyInfo: str,
    });
    expect(children(children(sig, NS.ds, "KeyInfo")[0]!, NS.wsse, "SecurityTokenReference").length).toBe(1);
  });
});

