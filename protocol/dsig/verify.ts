// Strict XML-DSig verification for consumers of hostile input. Everything not positively understood is refused
// (fail closed), and the result says which rule refused it.
//
// Keys come only from the caller (trust anchors, or keyFor for WS-Security): KeyInfo is never a key source. The
// signature over SignedInfo is checked before any reference is dereferenced, so unsigned content is never
// transformed. The referenced element must be the one the caller handed in, identified by an ID that is unique in
// the whole document (signature wrapping).
import { X509Certificate, constants, createHash, createHmac, timingSafeEqual, verify as cryptoVerify, type KeyObject } from "node:crypto";
import { DSIG, NS } from "../namespaces.ts";
import { ELEMENT_NODE, TEXT_NODE, CDATA_SECTION_NODE, attr, isElement } from "../xml/dom.ts";
import { C14nError, canonicalize } from "./c14n.ts";
import { sameCertificate } from "../x509/certificate.ts";

export interface TrustAnchor {
  certDer: Buffer;
  publicKey: KeyObject;
  name?: string;
}

export function trustAnchorFromCert(der: Buffer, name?: string): TrustAnchor {
  const x509 = new X509Certificate(der);
  return { certDer: Buffer.from(der), publicKey: x509.publicKey, name: name ?? x509.subject };
}

export interface VerifyPolicy {
  /** Accept rsa-sha1 and SHA-1 digests (default false). */
  allowSha1?: boolean;
  /**
   * Canonicalization algorithms accepted for SignedInfo and as a reference's final transform. Default: exc-c14n
   * only. Inclusive c14n (DSIG.c14n) and the WithComments variants are accepted only when listed here.
   */
  allowedCanonicalizations?: string[];
  /** When KeyInfo carries X509Certificate(s), one must be the anchor that verified (default true). */
  requireKeyInfoMatch?: boolean;
}

export type VerifyFailureCode =
  | "no-signature"
  | "multiple-signatures"
  | "bad-structure"
  | "reference-mismatch"
  | "duplicate-id"
  | "bad-transform"
  | "weak-algorithm"
  | "unsupported-algorithm"
  | "digest-mismatch"
  | "signature-invalid"
  | "untrusted-key";

export interface VerifyFailure {
  ok: false;
  reason: string;
  code: VerifyFailureCode;
}

export type VerifyResult =
  | { ok: true; anchor: TrustAnchor; signatureAlgorithm: string; digestAlgorithm: string; signature: Element }
  | VerifyFailure;

export type VerifyReferencesResult =
  | {
      ok: true;
      /** The referenced elements, in Reference order; every one verified. */
      references: Element[];
      signatureAlgorithm: string;
      digestAlgorithms: string[];
      signature: Element;
      key: KeyObject;
    }
  | VerifyFailure;

class Refusal extends Error {
  constructor(
    readonly code: VerifyFailureCode,
    message: string,
  ) {
    super(message);
  }
}

function refuse(code: VerifyFailureCode, reason: string): never {
  throw new Refusal(code, reason);
}

// ---- algorithms ---------------------------------------------------------------------------------------------

const RSA_SIGNATURE: Record<string, string> = {
  [DSIG.rsaSha256]: "sha256",
  [DSIG.rsaSha512]: "sha512",
  [DSIG.rsaSha1]: "sha1",
};

const HMAC_SIGNATURE: Record<string, string> = {
  [DSIG.hmacSha1]: "sha1",
  [DSIG.hmacSha256]: "sha256",
  "http://www.w3.org/2001/04/xmldsig-more#hmac-sha512": "sha512",
};

const DIGEST: Record<string, { hash: string; bytes: number }> = {
  [DSIG.sha256]: { hash: "sha256", bytes: 32 },
  [DSIG.sha512]: { hash: "sha512", bytes: 64 },
  [DSIG.sha1]: { hash: "sha1", bytes: 20 },
};

const INCLUSIVE_NS = "http://www.w3.org/2001/10/xml-exc-c14n#";
const EXC_ALGORITHMS: readonly string[] = [DSIG.excC14n, DSIG.excC14nWithComments];
const KNOWN_C14N: readonly string[] = [DSIG.excC14n, DSIG.excC14nWithComments, DSIG.c14n, `${DSIG.c14n}#WithComments`];

function allowedC14n(policy: VerifyPolicy): string[] {
  return policy.allowedCanonicalizations ?? [DSIG.excC14n];
}

// ---- structure ----------------------------------------------------------------------------------------------

interface Transform {
  algorithm: string;
  prefixes?: string[];
}

interface ParsedReference {
  el: Element;
  uri: string;
  transforms: Transform[];
  digestAlgorithm: string;
  digestHash: string;
  digestValue: Buffer;
}

interface ParsedSignature {
  signature: Element;
  signedInfo: Element;
  c14n: Transform;
  signatureAlgorithm: string;
  references: ParsedReference[];
  signatureValue: Buffer;
  keyInfo?: Element;
}

/** Element children, refusing non-whitespace text among them. */
function elementChildren(el: Element): Element[] {
  const out: Element[] = [];
  for (let c = el.firstChild; c; c = c.nextSibling) {
    if (isElement(c)) out.push(c);
    else if ((c.nodeType === TEXT_NODE || c.nodeType === CDATA_SECTION_NODE) && /\S/.test((c as CharacterData).data)) {
      refuse("bad-structure", `text content inside ds:${el.localName}`);
    }
  }
  return out;
}

function isDs(el: Element | undefined, local: string): boolean {
  return !!el && el.namespaceURI === NS.ds && el.localName === local;
}

/** The element when it is ds:<local>, else a refusal. */
function expectDs(el: Element | undefined, local: string, code: VerifyFailureCode, reason: string): Element {
  if (!el || !isDs(el, local)) refuse(code, reason);
  return el;
}

function algorithmOf(el: Element): string {
  const a = attr(el, "Algorithm");
  if (!a) refuse("bad-structure", `ds:${el.localName} lacks Algorithm`);
  return a;
}

/** Text of an element that must hold only text: comments, PIs or elements inside are refused. */
function pureText(el: Element): string {
  let s = "";
  for (let c = el.firstChild; c; c = c.nextSibling) {
    if (c.nodeType === TEXT_NODE || c.nodeType === CDATA_SECTION_NODE) s += (c as CharacterData).data;
    else refuse("bad-structure", `ds:${el.localName} must hold text only (found node type ${c.nodeType})`);
  }
  return s;
}

function base64Value(el: Element): Buffer {
  const b64 = pureText(el).replace(/[ \t\r\n]+/g, "");
  if (!b64 || b64.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) {
    refuse("bad-structure", `ds:${el.localName} is not base64`);
  }
  return Buffer.from(b64, "base64");
}

/** InclusiveNamespaces under a c14n Transform or CanonicalizationMethod; anything else there is refused. */
function c14nParameters(el: Element, algorithm: string, code: VerifyFailureCode): string[] | undefined {
  const kids = elementChildren(el);
  if (kids.length === 0) return undefined;
  const only = kids[0]!;
  if (kids.length > 1 || only.namespaceURI !== INCLUSIVE_NS || only.localName !== "InclusiveNamespaces" || !EXC_ALGORITHMS.includes(algorithm)) {
    refuse(code, `unexpected ${only.localName} inside ${el.localName}`);
  }
  if (only.firstChild && elementChildren(only).length) refuse(code, "InclusiveNamespaces must be empty");
  return (attr(only, "PrefixList") ?? "").split(/[ \t\r\n]+/).filter(Boolean);
}

function checkSignatureAlgorithm(alg: string, policy: VerifyPolicy, allowHmac: boolean): void {
  if (HMAC_SIGNATURE[alg]) {
    if (!allowHmac) refuse("unsupported-algorithm", `HMAC SignatureMethod ${alg} is refused (key confusion: only public keys are trusted here)`);
    return;
  }
  if (!RSA_SIGNATURE[alg]) refuse("unsupported-algorithm", `SignatureMethod ${alg} is not supported`);
  if (alg === DSIG.rsaSha1 && !policy.allowSha1) refuse("weak-algorithm", "rsa-sha1 is refused by policy");
}

function checkDigestAlgorithm(alg: string, policy: VerifyPolicy): { hash: string; bytes: number } {
  const d = DIGEST[alg];
  if (!d) refuse("unsupported-algorithm", `DigestMethod ${alg} is not supported`);
  if (alg === DSIG.sha1 && !policy.allowSha1) refuse("weak-algorithm", "SHA-1 digests are refused by policy");
  return d;
}

function checkC14n(alg: string, policy: VerifyPolicy, code: VerifyFailureCode, what: string): void {
  if (!KNOWN_C14N.includes(alg)) refuse(code === "bad-transform" ? "bad-transform" : "unsupported-algorithm", `${what} ${alg} is not supported`);
  if (!allowedC14n(policy).includes(alg)) refuse(code, `${what} ${alg} is not allowed by policy`);
}

function parseSignature(signature: Element, policy: VerifyPolicy, allowHmac: boolean): ParsedSignature {
  const kids = elementChildren(signature);
  const signedInfo = expectDs(kids[0], "SignedInfo", "bad-structure", "ds:Signature must start with ds:SignedInfo");
  const sigValue = expectDs(kids[1], "SignatureValue", "bad-structure", "ds:SignedInfo must be followed by ds:SignatureValue");
  const rest = kids.slice(2);
  let keyInfo: Element | undefined;
  if (rest.length) {
    if (rest.length > 1 || !isDs(rest[0], "KeyInfo")) {
      refuse("bad-structure", `unexpected ${rest.find((e) => !isDs(e, "KeyInfo"))?.localName ?? "element"} in ds:Signature (ds:Object and the like are refused)`);
    }
    keyInfo = rest[0];
  }

  const siKids = elementChildren(signedInfo);
  const cm = expectDs(siKids[0], "CanonicalizationMethod", "bad-structure", "ds:SignedInfo must start with ds:CanonicalizationMethod");
  const sm = expectDs(siKids[1], "SignatureMethod", "bad-structure", "ds:CanonicalizationMethod must be followed by ds:SignatureMethod");
  const refEls = siKids.slice(2);
  const c14nAlg = algorithmOf(cm);
  checkC14n(c14nAlg, policy, "unsupported-algorithm", "CanonicalizationMethod");
  const c14n: Transform = { algorithm: c14nAlg, prefixes: c14nParameters(cm, c14nAlg, "bad-structure") };

  const signatureAlgorithm = algorithmOf(sm);
  checkSignatureAlgorithm(signatureAlgorithm, policy, allowHmac);
  const smKids = elementChildren(sm);
  if (smKids.length) {
    refuse("bad-structure", smKids[0]!.localName === "HMACOutputLength" ? "HMACOutputLength is refused" : `unexpected ${smKids[0]!.localName} in ds:SignatureMethod`);
  }

  if (refEls.length === 0) refuse("bad-structure", "ds:SignedInfo has no ds:Reference");
  const references: ParsedReference[] = [];
  for (const r of refEls) {
    if (!isDs(r, "Reference")) refuse("bad-structure", `unexpected ${r.localName} in ds:SignedInfo`);
    const uri = attr(r, "URI");
    if (uri === undefined) refuse("reference-mismatch", "a ds:Reference without URI is refused");
    const rKids = elementChildren(r);
    let i = 0;
    const transforms: Transform[] = [];
    if (rKids[0] && isDs(rKids[0], "Transforms")) {
      const tEls = elementChildren(rKids[0]);
      if (tEls.length === 0) refuse("bad-structure", "empty ds:Transforms");
      for (const t of tEls) {
        if (!isDs(t, "Transform")) refuse("bad-transform", `unexpected ${t.localName} in ds:Transforms`);
        const alg = algorithmOf(t);
        if (alg === DSIG.envelopedSignature) {
          if (elementChildren(t).length) refuse("bad-transform", "the enveloped-signature transform takes no parameters");
          transforms.push({ algorithm: alg });
          continue;
        }
        if (!KNOWN_C14N.includes(alg)) refuse("bad-transform", `transform ${alg} is not accepted`);
        checkC14n(alg, policy, "bad-transform", "transform");
        transforms.push({ algorithm: alg, prefixes: c14nParameters(t, alg, "bad-transform") });
      }
      i = 1;
    }
    const shape = "ds:Reference must hold [Transforms], DigestMethod, DigestValue";
    const dm = expectDs(rKids[i], "DigestMethod", "bad-structure", shape);
    const dv = expectDs(rKids[i + 1], "DigestValue", "bad-structure", shape);
    if (rKids.length !== i + 2) refuse("bad-structure", shape);
    if (elementChildren(dm).length) refuse("bad-structure", "ds:DigestMethod takes no parameters here");
    const digestAlgorithm = algorithmOf(dm);
    const d = checkDigestAlgorithm(digestAlgorithm, policy);
    const digestValue = base64Value(dv);
    if (digestValue.length !== d.bytes) refuse("bad-structure", "DigestValue has the wrong length");
    references.push({ el: r, uri, transforms, digestAlgorithm, digestHash: d.hash, digestValue });
  }

  if (sigValue.attributes.length > (sigValue.hasAttribute("Id") ? 1 : 0)) refuse("bad-structure", "unexpected attribute on ds:SignatureValue");
  return { signature, signedInfo, c14n, signatureAlgorithm, references, signatureValue: base64Value(sigValue), keyInfo };
}

function canonicalSignedInfo(p: ParsedSignature): Buffer {
  return Buffer.from(canonicalize(p.signedInfo, p.c14n.algorithm, { inclusivePrefixes: p.c14n.prefixes }), "utf8");
}

function rsaVerifies(p: ParsedSignature, data: Buffer, key: KeyObject): boolean {
  // An RSA algorithm URI must only ever run as RSA: with any other key type node would pick another scheme.
  if (key.type !== "public" || key.asymmetricKeyType !== "rsa") return false;
  try {
    return cryptoVerify(RSA_SIGNATURE[p.signatureAlgorithm]!, data, { key, padding: constants.RSA_PKCS1_PADDING }, p.signatureValue);
  } catch {
    return false;
  }
}

function keyInfoCertificates(keyInfo: Element | undefined): Buffer[] {
  const out: Buffer[] = [];
  if (!keyInfo) return out;
  for (const data of elementChildren(keyInfo)) {
    if (!isDs(data, "X509Data")) continue;
    for (const c of elementChildren(data)) if (isDs(c, "X509Certificate")) out.push(base64Value(c));
  }
  return out;
}

function digestMatches(ref: ParsedReference, canonical: string): boolean {
  const actual = createHash(ref.digestHash).update(canonical, "utf8").digest();
  return actual.length === ref.digestValue.length && timingSafeEqual(actual, ref.digestValue);
}

/** Same-document references only: "#" followed by an NCName. */
function idOfUri(uri: string): string {
  if (!uri.startsWith("#")) refuse("reference-mismatch", `reference URI ${JSON.stringify(uri)} is not a same-document #id`);
  const id = uri.slice(1);
  if (!/^[A-Za-z_][A-Za-z0-9._-]*$/.test(id)) refuse("reference-mismatch", `reference URI ${JSON.stringify(uri)} is not a bare-name #id`);
  return id;
}

// Every attribute name some implementation treats as an ID (xml-crypto also accepts a lowercase "id"), in any
// namespace: another verifier could resolve the reference to any of them, so all must be unique.
const ID_LOCAL_NAMES = new Set(["ID", "Id", "id", "AssertionID", "ResponseID"]);

/** Elements in the tree carrying `id` in any ID-like attribute (iterative: deep input cannot overflow the stack). */
function elementsCarryingId(root: Node, id: string): Element[] {
  const out: Element[] = [];
  const stack: Node[] = [root];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.nodeType === ELEMENT_NODE) {
      const attrs = (n as Element).attributes;
      for (let i = 0; i < attrs.length; i++) {
        const a = attrs.item(i)!;
        if (a.value === id && ID_LOCAL_NAMES.has(a.localName ?? a.name)) {
          out.push(n as Element);
          break;
        }
      }
    }
    for (let c = n.lastChild; c; c = c.previousSibling) stack.push(c);
  }
  return out;
}

/** The outermost node of the tree holding `el` (the Document when attached). */
function rootOf(el: Node): Node {
  let n = el;
  while (n.parentNode) n = n.parentNode;
  return n;
}

/** Canonicalization algorithm to apply for a same-document reference: its comments are always removed. */
function referenceC14n(alg: string): string {
  if (alg === DSIG.excC14nWithComments) return DSIG.excC14n;
  if (alg === `${DSIG.c14n}#WithComments`) return DSIG.c14n;
  return alg;
}

const SAML2_PROTOCOL = "urn:oasis:names:tc:SAML:2.0:protocol";
const SAML1_PROTOCOL = "urn:oasis:names:tc:SAML:1.0:protocol";

/**
 * The ID attribute an element is referenced by. SAML 2.0 assertions, protocol messages and metadata: `ID`.
 * SAML 1.1 assertions: `AssertionID`; SAML 1.x protocol responses: `ResponseID`. Any other element: whichever of
 * `ID`, `Id`, wsu:Id, `AssertionID` it carries, which must then be a single value.
 */
export function elementId(el: Element): { attribute: string; value: string } | undefined {
  const ns = el.namespaceURI;
  const fixed =
    ns === NS.saml2 || ns === SAML2_PROTOCOL || ns === NS.md
      ? "ID"
      : ns === NS.saml11 && el.localName === "Assertion"
        ? "AssertionID"
        : ns === SAML1_PROTOCOL
          ? "ResponseID"
          : undefined;
  if (fixed) {
    const v = attr(el, fixed);
    return v ? { attribute: fixed, value: v } : undefined;
  }
  const found: { attribute: string; value: string }[] = [];
  for (const [name, v] of [
    ["ID", attr(el, "ID")],
    ["Id", attr(el, "Id")],
    ["wsu:Id", attr(el, "Id", NS.wsu)],
    ["AssertionID", attr(el, "AssertionID")],
  ] as const) {
    if (v) found.push({ attribute: name, value: v });
  }
  if (found.length === 0) return undefined;
  if (new Set(found.map((f) => f.value)).size > 1) return undefined;
  return found[0];
}

function run<T>(f: () => T): T | VerifyFailure {
  try {
    return f();
  } catch (e) {
    if (e instanceof Refusal) return { ok: false, code: e.code, reason: e.message };
    if (e instanceof C14nError) return { ok: false, code: "bad-structure", reason: `cannot canonicalize: ${e.message}` };
    throw e;
  }
}

// ---- enveloped ----------------------------------------------------------------------------------------------

/**
 * Verify the enveloped signature of `element` (a SAML assertion, a metadata document) against trust anchors.
 * Exactly one ds:Signature must be a direct child; its single Reference must point at the element's own ID
 * (see elementId), which must be unique in the whole document; transforms must be enveloped-signature followed
 * by an allowed canonicalization. The caller's DOM is not modified.
 */
export function verifyEnvelopedSignature(element: Element, anchors: TrustAnchor[], policy: VerifyPolicy = {}): VerifyResult {
  return run(() => {
    const sigs: Element[] = [];
    for (let c = element.firstChild; c; c = c.nextSibling) {
      if (c.nodeType === ELEMENT_NODE && isDs(c as Element, "Signature")) sigs.push(c as Element);
    }
    if (sigs.length === 0) refuse("no-signature", `${element.localName} carries no ds:Signature`);
    if (sigs.length > 1) refuse("multiple-signatures", `${element.localName} carries ${sigs.length} ds:Signature elements`);
    const p = parseSignature(sigs[0]!, policy, false);
    if (p.references.length !== 1) refuse("reference-mismatch", `an enveloped signature must hold exactly one Reference (found ${p.references.length})`);
    const ref = p.references[0]!;
    const own = elementId(element);
    if (!own) refuse("bad-structure", `${element.localName} has no (unambiguous) ID attribute`);
    const id = idOfUri(ref.uri);
    if (id !== own.value) refuse("reference-mismatch", `the Reference points at #${id}, not at this ${element.localName} (${own.attribute}=${own.value})`);
    const holders = elementsCarryingId(rootOf(element), id);
    if (holders.length !== 1 || holders[0] !== element) {
      refuse("duplicate-id", `ID ${id} occurs on ${holders.length} elements in the document (signature wrapping)`);
    }
    const [t0, t1, ...tRest] = ref.transforms;
    if (!t0 || t0.algorithm !== DSIG.envelopedSignature || !t1 || t1.algorithm === DSIG.envelopedSignature || tRest.length) {
      refuse("bad-transform", "transforms must be exactly enveloped-signature followed by one canonicalization");
    }

    const data = canonicalSignedInfo(p);
    const certs = keyInfoCertificates(p.keyInfo);
    const anchor = anchors.find((a) => rsaVerifies(p, data, a.publicKey));
    if (!anchor) {
      for (const der of certs) {
        let key: KeyObject | undefined;
        try {
          key = new X509Certificate(der).publicKey;
        } catch {
          continue;
        }
        if (rsaVerifies(p, data, key)) refuse("untrusted-key", "signed by the key in KeyInfo, which is not a trust anchor");
      }
      refuse("signature-invalid", "SignatureValue does not verify with any trust anchor");
    }
    if ((policy.requireKeyInfoMatch ?? true) && certs.length && !certs.some((c) => sameCertificate(c, anchor.certDer))) {
      refuse("untrusted-key", `KeyInfo names a certificate other than the anchor that verified (${anchor.name ?? "unnamed"})`);
    }

    const canonical = canonicalize(element, referenceC14n(t1.algorithm), { inclusivePrefixes: t1.prefixes, exclude: p.signature });
    if (!digestMatches(ref, canonical)) refuse("digest-mismatch", `the digest of ${element.localName} does not match (content changed after signing)`);
    return { ok: true as const, anchor, signatureAlgorithm: p.signatureAlgorithm, digestAlgorithm: ref.digestAlgorithm, signature: p.signature };
  });
}

// ---- detached (WS-Security) ---------------------------------------------------------------------------------

/**
 * Verify a detached signature (WS-Security): each Reference is "#id" resolved by `resolve` to exactly one element,
 * with a single canonicalization transform. `keyFor` receives the ds:KeyInfo and returns the verification key
 * (an RSA public key, or a secret key for HMAC signatures — the key type must match the algorithm family, so a
 * public key can never be used as an HMAC secret). Errors thrown by `keyFor` propagate.
 */
export function verifyReferences(
  signature: Element,
  resolve: (id: string) => Element[],
  keyFor: (keyInfo: Element | undefined) => KeyObject | undefined,
  policy: VerifyPolicy = {},
): VerifyReferencesResult {
  return run(() => {
    if (!isDs(signature, "Signature")) refuse("no-signature", "not a ds:Signature element");
    const p = parseSignature(signature, policy, true);
    const seen = new Set<string>();
    const targets: { ref: ParsedReference; el: Element; t: Transform }[] = [];
    for (const ref of p.references) {
      const id = idOfUri(ref.uri);
      if (seen.has(id)) refuse("bad-structure", `#${id} is referenced twice`);
      seen.add(id);
      if (ref.transforms.length !== 1 || ref.transforms[0]!.algorithm === DSIG.envelopedSignature) {
        refuse("bad-transform", "a detached reference takes exactly one canonicalization transform");
      }
      const found = resolve(id);
      if (found.length === 0) refuse("reference-mismatch", `no element with Id ${id}`);
      if (found.length > 1) refuse("duplicate-id", `Id ${id} occurs on ${found.length} elements (signature wrapping)`);
      const target = found[0]!;
      if (target === signature || isAncestor(target, signature)) refuse("bad-structure", `#${id} contains the signature itself`);
      targets.push({ ref, el: target, t: ref.transforms[0]! });
    }

    const key = keyFor(p.keyInfo);
    if (!key) refuse("untrusted-key", "no trusted key for this signature");
    const data = canonicalSignedInfo(p);
    const hmacHash = HMAC_SIGNATURE[p.signatureAlgorithm];
    if (hmacHash) {
      if (key.type !== "secret") refuse("unsupported-algorithm", "an HMAC signature needs a secret key (key confusion refused)");
      const mac = createHmac(hmacHash, key).update(data).digest();
      if (mac.length !== p.signatureValue.length || !timingSafeEqual(mac, p.signatureValue)) {
        refuse("signature-invalid", "the HMAC SignatureValue does not verify");
      }
    } else {
      if (key.type !== "public" || key.asymmetricKeyType !== "rsa") refuse("unsupported-algorithm", "an RSA signature needs an RSA public key");
      if (!rsaVerifies(p, data, key)) refuse("signature-invalid", "SignatureValue does not verify with the signer's key");
    }

    for (const { ref, el, t } of targets) {
      const canonical = canonicalize(el, referenceC14n(t.algorithm), { inclusivePrefixes: t.prefixes });
      if (!digestMatches(ref, canonical)) refuse("digest-mismatch", `the digest of #${idOfUri(ref.uri)} does not match`);
    }
    return {
      ok: true as const,
      references: targets.map((t) => t.el),
      signatureAlgorithm: p.signatureAlgorithm,
      digestAlgorithms: p.references.map((r) => r.digestAlgorithm),
      signature,
      key,
    };
  });
}

function isAncestor(ancestor: Node, node: Node): boolean {
  for (let n = node.parentNode; n; n = n.parentNode) if (n === ancestor) return true;
  return false;
}
