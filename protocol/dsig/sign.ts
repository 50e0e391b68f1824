// XML-DSig signing: a fast path for tokens the harness writes itself, and DOM paths for everything else.
//
// Fast path: the canonical writer (xml/writer.ts) emits exactly the exc-c14n form, so the bytes of an unsigned
// element ARE the canonical form of the signed element once its enveloped signature is removed. Digest them,
// write SignedInfo with the same writer (as the apex of its own serialization it carries xmlns:ds, which is what a
// verifier's exc-c14n of SignedInfo renders), sign those bytes once, and splice the ds:Signature in. No parse,
// no canonicalizer: the cost is one RSA signature plus string building.
import { createHash, sign as cryptoSign, constants, type KeyObject } from "node:crypto";
import { DSIG, NS } from "../namespaces.ts";
import { PREFIXES, el, raw, serialize, type XElement, type XNode } from "../xml/writer.ts";
import { excC14n } from "./c14n.ts";
import { isElement } from "../xml/dom.ts";
import { parseXml } from "../xml/safe-parse.ts";

export interface SigningKey {
  privateKey: KeyObject;
  certDer: Buffer;
}

export interface SignatureOptions {
  /** DSIG.rsaSha256 (default), DSIG.rsaSha512 or DSIG.rsaSha1. */
  signatureAlgorithm?: string;
  /** DSIG.sha256 (default), DSIG.sha512 or DSIG.sha1. */
  digestAlgorithm?: string;
  /** "x509" (default): KeyInfo/X509Data/X509Certificate with the signing certificate; "none": no KeyInfo. */
  keyInfo?: "x509" | "none";
}

export class SignError extends Error {
  override readonly name = "SignError";
}

const SIGNATURE_HASH: Record<string, string> = {
  [DSIG.rsaSha1]: "sha1",
  [DSIG.rsaSha256]: "sha256",
  [DSIG.rsaSha512]: "sha512",
};

const DIGEST_HASH: Record<string, string> = {
  [DSIG.sha1]: "sha1",
  [DSIG.sha256]: "sha256",
  [DSIG.sha512]: "sha512",
};

interface ResolvedOptions {
  signatureAlgorithm: string;
  signatureHash: string;
  digestAlgorithm: string;
  digestHash: string;
  keyInfo: "x509" | "none";
}

function resolve(options: SignatureOptions | undefined, key: SigningKey): ResolvedOptions {
  const signatureAlgorithm = options?.signatureAlgorithm ?? DSIG.rsaSha256;
  const digestAlgorithm = options?.digestAlgorithm ?? DSIG.sha256;
  const signatureHash = SIGNATURE_HASH[signatureAlgorithm];
  const digestHash = DIGEST_HASH[digestAlgorithm];
  if (!signatureHash) throw new SignError(`unsupported signature algorithm ${signatureAlgorithm}`);
  if (!digestHash) throw new SignError(`unsupported digest algorithm ${digestAlgorithm}`);
  if (key.privateKey.asymmetricKeyType !== "rsa") throw new SignError("the signing key must be an RSA private key");
  return { signatureAlgorithm, signatureHash, digestAlgorithm, digestHash, keyInfo: options?.keyInfo ?? "x509" };
}

function rsaSign(hash: string, data: string, key: KeyObject): string {
  return cryptoSign(hash, Buffer.from(data, "utf8"), { key, padding: constants.RSA_PKCS1_PADDING }).toString("base64");
}

function digest(hash: string, data: string): string {
  return createHash(hash).update(data, "utf8").digest("base64");
}

const ID = /^[A-Za-z_][A-Za-z0-9._-]*$/;

function reference(uri: string, transforms: string[], o: ResolvedOptions, digestValue: string): XElement {
  return el(
    "ds:Reference",
    { URI: uri },
    el("ds:Transforms", transforms.map((t) => el("ds:Transform", { Algorithm: t }))),
    el("ds:DigestMethod", { Algorithm: o.digestAlgorithm }),
    el("ds:DigestValue", [digestValue]),
  );
}

function signedInfo(o: ResolvedOptions, refs: XElement[]): XElement {
  return el("ds:SignedInfo", [
    el("ds:CanonicalizationMethod", { Algorithm: DSIG.excC14n }),
    el("ds:SignatureMethod", { Algorithm: o.signatureAlgorithm }),
    ...refs,
  ]);
}

function x509KeyInfo(certDer: Buffer): XElement {
  return el("ds:KeyInfo", [el("ds:X509Data", [el("ds:X509Certificate", [certDer.toString("base64")])])]);
}

function containsRaw(node: XNode): boolean {
  if (typeof node === "string") return false;
  if ("raw" in node) return true;
  return (node.c ?? []).some(containsRaw);
}

/** Prefixes (→ URI) the writer declares on an element itself: those its name and attribute names use. */
function declaredOn(node: XElement): Map<string, string> {
  const m = new Map<string, string>();
  const add = (p: string) => {
    if (p && p !== "xml") {
      const uri = PREFIXES[p];
      if (uri) m.set(p, uri);
    }
  };
  add(node.p);
  for (const [k, v] of Object.entries(node.a ?? {})) {
    if (v === undefined) continue;
    const i = k.indexOf(":");
    if (i > 0) add(k.slice(0, i));
  }
  return m;
}

export interface CanonicalEnvelopedArgs {
  unsigned: XElement;
  id: string;
  insertAt: number;
  key: SigningKey;
  options?: SignatureOptions;
}

/** Everything but the RSA operation: the bytes to sign, and how to finish the element with the signature value. */
interface PreparedSignature {
  toSign: Buffer;
  hash: string;
  finish(signatureValue: string): string;
}

function prepareCanonicalEnveloped(args: CanonicalEnvelopedArgs): PreparedSignature {
  const { unsigned, id, insertAt, key } = args;
  const o = resolve(args.options, key);
  if (!ID.test(id)) throw new SignError(`ID ${JSON.stringify(id)} is not an NCName`);
  if (!Object.values(unsigned.a ?? {}).includes(id)) throw new SignError(`the element carries no attribute equal to ${id}`);
  const kids = unsigned.c ?? [];
  if (!Number.isInteger(insertAt) || insertAt < 0 || insertAt > kids.length) throw new SignError("insertAt is out of range");

  // One serialization: a marker stands where the Signature goes. NUL cannot occur in any XML the writer
  // produces (it refuses the character), so the split is unambiguous.
  const withMarker = serialize({ ...unsigned, c: [...kids.slice(0, insertAt), raw(MARKER), ...kids.slice(insertAt)] });
  const at = withMarker.indexOf(MARKER);
  if (at < 0 || withMarker.indexOf(MARKER, at + 1) >= 0) throw new SignError("internal: signature marker not found once");
  const head = withMarker.slice(0, at);
  const tail = withMarker.slice(at + MARKER.length);
  const bytes = head + tail;
  const canonical = containsRaw(unsigned) ? excC14n(parseOwn(bytes).documentElement!) : bytes;

  const si = signedInfo(o, [reference(`#${id}`, [DSIG.envelopedSignature, DSIG.excC14n], o, digest(o.digestHash, canonical))]);
  // Signed form: SignedInfo as its own apex (declares xmlns:ds), which is what exc-c14n of it yields in place.
  const siApex = serialize(si);
  // In the document SignedInfo sits inside ds:Signature, which already declares ds: drop the declaration.
  if (!siApex.startsWith(SI_APEX_START)) throw new SignError("internal: unexpected SignedInfo serialization");
  const siInPlace = `<ds:SignedInfo>${siApex.slice(SI_APEX_START.length)}`;
  // The Signature declares ds unless the element itself already does (then a redeclaration would not be canonical).
  const declareDs = declaredOn(unsigned).get("ds") !== NS.ds;
  return {
    toSign: Buffer.from(siApex, "utf8"),
    hash: o.signatureHash,
    // Base64 needs no escaping, so the rest is plain concatenation.
    finish: (signatureValue) =>
      head +
      (declareDs ? `<ds:Signature xmlns:ds="${NS.ds}">` : "<ds:Signature>") +
      siInPlace +
      `<ds:SignatureValue>${signatureValue}</ds:SignatureValue>` +
      (o.keyInfo === "x509" ? x509KeyInfoXml(key.certDer) : "") +
      "</ds:Signature>" +
      tail,
  };
}

/**
 * Fast path (see the file comment). `unsigned` must be an element the canonical writer serializes (prefixes from
 * PREFIXES); `id` must be the value of its ID attribute; the ds:Signature is inserted as child number `insertAt`.
 * When the tree holds RawXml pieces the writer cannot vouch for their canonical form, so the digest is then
 * computed over a parse + exc-c14n of the serialized element instead (correct, just slower).
 */
export function signCanonicalEnveloped(args: CanonicalEnvelopedArgs): string {
  const p = prepareCanonicalEnveloped(args);
  return p.finish(cryptoSign(p.hash, p.toSign, { key: args.key.privateKey, padding: constants.RSA_PKCS1_PADDING }).toString("base64"));
}

/**
 * The same, with the RSA operation on libuv's thread pool: a server signing many tokens keeps its event loop
 * (parsing, XML writing) busy on one core while the other signs. Output is byte-identical to the sync path.
 */
export function signCanonicalEnvelopedAsync(args: CanonicalEnvelopedArgs): Promise<string> {
  let p: PreparedSignature;
  try {
    p = prepareCanonicalEnveloped(args);
  } catch (e) {
    return Promise.reject(e);
  }
  return new Promise((resolve, reject) => {
    cryptoSign(p.hash, p.toSign, { key: args.key.privateKey, padding: constants.RSA_PKCS1_PADDING }, (err, sig) => {
      if (err) reject(err);
      else resolve(p.finish(sig.toString("base64")));
    });
  });
}

const MARKER = "\u0000wsconform-signature\u0000";
const SI_APEX_START = `<ds:SignedInfo xmlns:ds="${NS.ds}">`;

// The KeyInfo of a signing certificate is the same for every token it signs.
const keyInfoCache = new WeakMap<Buffer, string>();
function x509KeyInfoXml(certDer: Buffer): string {
  let s = keyInfoCache.get(certDer);
  if (s === undefined) {
    s = serialize(x509KeyInfo(certDer), PREFIXES, new Map([["ds", NS.ds]]));
    keyInfoCache.set(certDer, s);
  }
  return s;
}

// ---- DOM paths ----------------------------------------------------------------------------------------------

/** Our own output: no size limits, but the same strict reader (XML 1.0 line ends, no DTD) as for anything else. */
const OWN_OUTPUT = { maxBytes: Number.MAX_SAFE_INTEGER, maxDepth: Number.MAX_SAFE_INTEGER, maxAttributes: Number.MAX_SAFE_INTEGER, maxElements: Number.MAX_SAFE_INTEGER };

/** Parse bytes this module wrote itself. */
function parseOwn(xml: string): Document {
  return parseXml(xml, OWN_OUTPUT);
}

/** Build a detached tree from writer nodes and import it into `doc`. */
function importXNode(doc: Document, node: XElement): Element {
  const parsed = parseOwn(serialize(node));
  return doc.importNode(parsed.documentElement!, true) as Element;
}

function findDescendant(root: Element, ns: string, local: string): Element {
  const stack: Node[] = [root];
  while (stack.length) {
    const n = stack.pop()!;
    if (isElement(n) && n.namespaceURI === ns && n.localName === local) return n;
    for (let c = n.lastChild; c; c = c.previousSibling) stack.push(c);
  }
  throw new SignError(`internal: ${local} not found`);
}

function contains(ancestor: Node, node: Node): boolean {
  for (let p: Node | null = node; p; p = p.parentNode) if (p === ancestor) return true;
  return false;
}

function signInPlace(signature: Element, o: ResolvedOptions, key: SigningKey): void {
  const si = findDescendant(signature, NS.ds, "SignedInfo");
  const value = rsaSign(o.signatureHash, excC14n(si), key.privateKey);
  const sv = findDescendant(signature, NS.ds, "SignatureValue");
  sv.appendChild(signature.ownerDocument!.createTextNode(value));
}

/**
 * Enveloped signature over `element` (generic DOM path: metadata, tests). The element's ID is read from the
 * attribute named `idAttr` (a qualified name such as "ID" or "wsu:Id"). The ds:Signature is inserted before
 * `insertBefore` (a child of element), or appended when it is null/undefined.
 */
export function signElementEnveloped(
  doc: Document,
  element: Element,
  idAttr: string,
  key: SigningKey,
  options?: SignatureOptions,
  insertBefore?: Node | null,
): void {
  const o = resolve(options, key);
  const id = element.getAttribute(idAttr);
  if (!id || !ID.test(id)) throw new SignError(`the element has no usable ${idAttr} attribute`);
  if (insertBefore && insertBefore.parentNode !== element) throw new SignError("insertBefore is not a child of the element");
  if (element.ownerDocument !== doc) throw new SignError("the element belongs to another document");
  // Digest before the signature exists: that is the enveloped-signature transform's output.
  const digestValue = digest(o.digestHash, excC14n(element));
  const sig = importXNode(
    doc,
    el("ds:Signature", [
      signedInfo(o, [reference(`#${id}`, [DSIG.envelopedSignature, DSIG.excC14n], o, digestValue)]),
      el("ds:SignatureValue"),
      ...(o.keyInfo === "x509" ? [x509KeyInfo(key.certDer)] : []),
    ]),
  );
  element.insertBefore(sig, insertBefore ?? null);
  signInPlace(sig, o, key);
}

/**
 * Detached signature over elements of the same document, each referenced by its wsu:Id (WS-Security style:
 * Body, Timestamp, tokens), appended to `parent` (e.g. wsse:Security). `keyInfo` becomes the content of
 * ds:KeyInfo (typically a wsse:SecurityTokenReference). Returns the ds:Signature element.
 */
export function signReferences(args: {
  doc: Document;
  parent: Element;
  references: Element[];
  key: SigningKey;
  keyInfo: XNode | Element;
  options?: SignatureOptions;
  signatureId?: string;
}): Element {
  const { doc, parent, references, key } = args;
  const o = resolve(args.options, key);
  if (references.length === 0) throw new SignError("nothing to sign");
  if (args.signatureId !== undefined && !ID.test(args.signatureId)) throw new SignError("signatureId is not an NCName");
  const seen = new Set<string>();
  const refs: XElement[] = [];
  for (const r of references) {
    if (r.ownerDocument !== doc) throw new SignError("a referenced element belongs to another document");
    const id = r.getAttributeNS(NS.wsu, "Id");
    if (!id || !ID.test(id)) throw new SignError(`${r.localName} carries no usable wsu:Id`);
    if (seen.has(id)) throw new SignError(`wsu:Id ${id} is referenced twice`);
    seen.add(id);
    // A reference that contains the signature would change once the signature is added.
    if (contains(r, parent)) throw new SignError(`${r.localName} contains the signature's parent`);
    refs.push(reference(`#${id}`, [DSIG.excC14n], o, digest(o.digestHash, excC14n(r))));
  }
  const sigNode = el(
    "ds:Signature",
    { Id: args.signatureId },
    signedInfo(o, refs),
    el("ds:SignatureValue"),
    el("ds:KeyInfo"),
  );
  const sig = importXNode(doc, sigNode);
  const keyInfoEl = findDescendant(sig, NS.ds, "KeyInfo");
  if (isXmlElement(args.keyInfo)) {
    keyInfoEl.appendChild(doc.importNode(args.keyInfo, true));
  } else {
    const holder = importXNode(doc, el("ds:KeyInfo", [args.keyInfo]));
    while (holder.firstChild) keyInfoEl.appendChild(holder.firstChild);
  }
  parent.appendChild(sig);
  signInPlace(sig, o, key);
  return sig;
}

function isXmlElement(x: XNode | Element): x is Element {
  return typeof x === "object" && x !== null && "nodeType" in x && (x as Node).nodeType === 1;
}
