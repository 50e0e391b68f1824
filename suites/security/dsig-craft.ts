// A permissive XML-DSig assembler for attack constructions: any algorithm URI, any transform list, HMAC keys of
// the attacker's choosing, extra SignedInfo content. The signer in protocol/dsig refuses most of this on purpose.
// Pure: the same inputs give the same bytes (RSA PKCS#1 v1.5 and HMAC are deterministic).
import { createHash, createHmac, sign as cryptoSign, constants, type KeyObject } from "node:crypto";
import { serializeDom } from "../../protocol/xml/dom-serialize.ts";
import { DSIG, NS } from "../../protocol/namespaces.ts";
import { canonicalize } from "../../protocol/dsig/c14n.ts";
import { parseXml } from "../../protocol/xml/safe-parse.ts";
import { escapeAttr, escapeText } from "../../protocol/xml/writer.ts";

export const MORE = {
  md5: "http://www.w3.org/2001/04/xmldsig-more#md5",
  rsaMd5: "http://www.w3.org/2001/04/xmldsig-more#rsa-md5",
  xpath: "http://www.w3.org/TR/1999/REC-xpath-19991116",
  xslt: "http://www.w3.org/TR/1999/REC-xslt-19991116",
  c14n11: "http://www.w3.org/2006/12/xml-c14n11",
} as const;

const DIGEST_HASH: Record<string, string> = {
  [DSIG.sha1]: "sha1",
  [DSIG.sha256]: "sha256",
  [DSIG.sha512]: "sha512",
  [MORE.md5]: "md5",
};

const RSA_HASH: Record<string, string> = {
  [DSIG.rsaSha1]: "sha1",
  [DSIG.rsaSha256]: "sha256",
  [DSIG.rsaSha512]: "sha512",
  [MORE.rsaMd5]: "md5",
};

const HMAC_HASH: Record<string, string> = {
  [DSIG.hmacSha1]: "sha1",
  [DSIG.hmacSha256]: "sha256",
};

export interface CraftTransform {
  algorithm: string;
  /** Raw XML children of ds:Transform (XPath expression, stylesheet, InclusiveNamespaces). */
  inner?: string;
}

export interface CraftReference {
  uri: string;
  transforms: CraftTransform[];
  digestAlgorithm?: string;
  /** The element digested. With an enveloped-signature transform the new Signature is left out of it. */
  target?: Element;
  /** The octets digested, when the transforms are not ones the canonicalizer applies (XPath filtering). */
  octets?: (signature: Element) => string;
  /** Put this DigestValue instead of the computed one. */
  digestValue?: string;
}

export type CraftKey =
  | { kind: "rsa"; privateKey: KeyObject }
  /** outputBits: HMACOutputLength (the value is truncated to it). */
  | { kind: "hmac"; secret: Buffer; outputBits?: number }
  /** No SignatureValue computed (left empty unless signatureValue is given). */
  | { kind: "none"; signatureValue?: string };

export interface CraftSignature {
  c14n?: string;
  signatureAlgorithm: string;
  /** Raw XML inside ds:SignatureMethod (HMACOutputLength). */
  signatureMethodInner?: string;
  references: CraftReference[];
  key: CraftKey;
  /** Raw XML inside ds:KeyInfo; no KeyInfo when undefined. */
  keyInfo?: string;
  /** Raw XML of a ds:Object element's content; none when undefined. */
  object?: string;
}

function transformXml(t: CraftTransform): string {
  return t.inner === undefined
    ? `<ds:Transform Algorithm="${escapeAttr(t.algorithm)}"/>`
    : `<ds:Transform Algorithm="${escapeAttr(t.algorithm)}">${t.inner}</ds:Transform>`;
}

function skeleton(spec: CraftSignature): string {
  const refs = spec.references
    .map(
      (r) =>
        `<ds:Reference URI="${escapeAttr(r.uri)}">` +
        (r.transforms.length ? `<ds:Transforms>${r.transforms.map(transformXml).join("")}</ds:Transforms>` : "") +
        `<ds:DigestMethod Algorithm="${escapeAttr(r.digestAlgorithm ?? DSIG.sha256)}"/><ds:DigestValue></ds:DigestValue></ds:Reference>`,
    )
    .join("");
  const sm = spec.signatureMethodInner
    ? `<ds:SignatureMethod Algorithm="${escapeAttr(spec.signatureAlgorithm)}">${spec.signatureMethodInner}</ds:SignatureMethod>`
    : `<ds:SignatureMethod Algorithm="${escapeAttr(spec.signatureAlgorithm)}"/>`;
  return (
    `<ds:Signature xmlns:ds="${NS.ds}"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="${escapeAttr(spec.c14n ?? DSIG.excC14n)}"/>` +
    sm +
    refs +
    `</ds:SignedInfo><ds:SignatureValue></ds:SignatureValue>` +
    (spec.keyInfo !== undefined ? `<ds:KeyInfo>${spec.keyInfo}</ds:KeyInfo>` : "") +
    (spec.object !== undefined ? `<ds:Object>${spec.object}</ds:Object>` : "") +
    `</ds:Signature>`
  );
}

function dsChildren(el: Element, local: string): Element[] {
  const out: Element[] = [];
  for (let c = el.firstChild; c; c = c.nextSibling) {
    if (c.nodeType === 1 && (c as Element).namespaceURI === NS.ds && (c as Element).localName === local) out.push(c as Element);
  }
  return out;
}

function setText(el: Element, text: string): void {
  while (el.firstChild) el.removeChild(el.firstChild);
  el.appendChild(el.ownerDocument!.createTextNode(text));
}

/** Digest of one reference as the transforms say (enveloped-signature, then the last canonicalization). */
function digestOf(r: CraftReference, signature: Element): string {
  const hash = DIGEST_HASH[r.digestAlgorithm ?? DSIG.sha256];
  if (!hash) throw new Error(`no hash for digest algorithm ${r.digestAlgorithm}`);
  let octets: string;
  if (r.octets) octets = r.octets(signature);
  else {
    if (!r.target) throw new Error(`reference ${r.uri} has neither a target nor octets`);
    const enveloped = r.transforms.some((t) => t.algorithm === DSIG.envelopedSignature);
    const c14n = [...r.transforms].reverse().find((t) => t.algorithm !== DSIG.envelopedSignature)?.algorithm ?? DSIG.c14n;
    // Same-document references are always digested without comments (XML-DSig 4.3.3.3).
    const alg = c14n === DSIG.excC14nWithComments ? DSIG.excC14n : c14n === `${DSIG.c14n}#WithComments` ? DSIG.c14n : c14n;
    octets = canonicalize(r.target, alg, { exclude: enveloped ? signature : undefined });
  }
  return createHash(hash).update(octets, "utf8").digest("base64");
}

/**
 * Build the signature, insert it into `parent` before `before` (append when null), then fill in digests and the
 * signature value. Returns the ds:Signature element.
 */
export function craftSignature(parent: Element, before: Node | null, spec: CraftSignature): Element {
  const doc = parent.ownerDocument!;
  const sig = doc.importNode(parseXml(skeleton(spec)).documentElement!, true) as Element;
  parent.insertBefore(sig, before);
  const si = dsChildren(sig, "SignedInfo")[0]!;
  const refEls = dsChildren(si, "Reference");
  spec.references.forEach((r, i) => {
    const dv = dsChildren(refEls[i]!, "DigestValue")[0]!;
    setText(dv, r.digestValue ?? digestOf(r, sig));
  });
  const sv = dsChildren(sig, "SignatureValue")[0]!;
  const data = Buffer.from(canonicalize(si, spec.c14n ?? DSIG.excC14n), "utf8");
  const k = spec.key;
  if (k.kind === "rsa") {
    const hash = RSA_HASH[spec.signatureAlgorithm] ?? "sha256";
    setText(sv, cryptoSign(hash, data, { key: k.privateKey, padding: constants.RSA_PKCS1_PADDING }).toString("base64"));
  } else if (k.kind === "hmac") {
    const hash = HMAC_HASH[spec.signatureAlgorithm] ?? "sha256";
    let mac = createHmac(hash, k.secret).update(data).digest();
    if (k.outputBits !== undefined) mac = mac.subarray(0, Math.ceil(k.outputBits / 8));
    setText(sv, mac.toString("base64"));
  } else if (k.signatureValue !== undefined) {
    setText(sv, k.signatureValue);
  }
  return sig;
}

/** Digest (base64) of an element as an enveloped reference sees it: `signature` left out, then exc-c14n. */
export function envelopedDigest(el: Element, signature: Element | undefined, digestAlgorithm: string = DSIG.sha256): string {
  const hash = DIGEST_HASH[digestAlgorithm]!;
  return createHash(hash).update(canonicalize(el, DSIG.excC14n, { exclude: signature }), "utf8").digest("base64");
}

export function serializeNode(n: Node): string {
  return serializeDom(n);
}

export { escapeAttr, escapeText };
