// Writing WS-Trust messages from the typed model. The version picks the namespace: 2005 elements use the `t`
// prefix (bound to the Feb 2005 namespace in PREFIXES), 1.3/1.4 elements `wst` (200512) and 1.4's ActAs `wst14`
// (200802), so the output is right under PREFIXES and under trustPrefixes(version) alike.
// The serializer does not enforce cardinalities (an RSTC with one RST, an RST with an empty RequestType): a
// conformance harness must be able to send such messages. Payload nodes (XmlPayload.node, often a RawXml holding
// an already signed token) are written byte for byte.
import { serializeDom } from "../xml/dom-serialize.ts";
import { toXsDateTime } from "../clock.ts";
import { CLAIMS_DIALECT, NS, type TrustVersion } from "../namespaces.ts";
import { PREFIXES, XmlWriteError, el, raw, type XElement, type XNode } from "../xml/writer.ts";
import type {
  AppliesTo,
  BinarySecret,
  Claims,
  Entropy,
  Extension,
  Lifetime,
  RequestSecurityToken,
  RequestSecurityTokenCollection,
  RequestSecurityTokenResponse,
  RequestSecurityTokenResponseCollection,
  RequestedProofToken,
  Renewing,
  UseKey,
  XmlPayload,
} from "./model.ts";

/** Prefix → namespace map to pass to serialize()/buildEnvelope() for a message of this version. */
export function trustPrefixes(version: TrustVersion): Record<string, string> {
  return {
    ...PREFIXES,
    // `wst` follows the version so hand-built `wst:` elements land in the right namespace too.
    wst: version === "2005" ? NS.wst2005 : NS.wst13,
    t: NS.wst2005,
    wsa04: NS.wsa2004,
  };
}

function tp(version: TrustVersion): string {
  return version === "2005" ? "t" : "wst";
}

/** Prefixes this module may emit for attributes in other namespaces: everything PREFIXES binds, plus wsa04. */
const KNOWN_PREFIXES: [string, string][] = Object.entries({ ...PREFIXES, wsa04: NS.wsa2004 });

function prefixOfNamespace(ns: string): string | undefined {
  if (ns === NS.xml) return "xml";
  for (const [p, uri] of KNOWN_PREFIXES) if (uri === ns) return p;
  return undefined;
}

/** A DOM element as raw XML (xmldom declares the namespaces the subtree uses). */
function rawElement(e: Element): XNode {
  return raw(serializeDom(e));
}

function payloadNode(p: XmlPayload | undefined): XNode | undefined {
  if (!p) return undefined;
  if (p.node !== undefined) return p.node;
  if (p.element) return rawElement(p.element);
  return undefined;
}

/** A wrapper element with exactly the payload inside (empty when the payload is empty: a test may want that). */
function wrapper(qname: string, p: XmlPayload | undefined): XElement | undefined {
  if (!p) return undefined;
  const n = payloadNode(p);
  return el(qname, {}, ...(n !== undefined ? [n] : []));
}

function extensionNode(x: Extension): XNode {
  if (x.node !== undefined) return x.node;
  if (x.element) return rawElement(x.element);
  throw new XmlWriteError(`extension {${x.namespaceURI ?? ""}}${x.localName} has neither node nor element to write`);
}

/**
 * Extension attributes: "{ns}local" (the namespace needs a prefix in PREFIXES or trustPrefixes) or a name the
 * writer takes as is ("local", "prefix:local" with the prefix bound in the caller's map).
 */
function extensionAttrs(ext: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(ext ?? {})) {
    const m = /^\{([^}]*)\}(.+)$/.exec(k);
    if (!m) {
      out[k] = v;
      continue;
    }
    const [, ns, local] = m;
    if (!ns) {
      out[local!] = v;
      continue;
    }
    const p = prefixOfNamespace(ns);
    if (!p) throw new XmlWriteError(`no prefix is known for the attribute namespace ${ns}; use "prefix:${local}" and bind it`);
    out[`${p}:${local}`] = v;
  }
  return out;
}

function textEl(qname: string, v: string | undefined): XElement | undefined {
  return v === undefined ? undefined : el(qname, [v]);
}

function boolText(b: boolean): string {
  return b ? "true" : "false";
}

function lifetimeEl(P: string, l: Lifetime | undefined): XElement | undefined {
  if (!l) return undefined;
  const c: XNode[] = [];
  // The number wins over the text: a model edited after parsing must not write the stale text.
  const created = l.created !== undefined ? toXsDateTime(l.created) : l.createdText;
  const expires = l.expires !== undefined ? toXsDateTime(l.expires) : l.expiresText;
  if (created !== undefined) c.push(el("wsu:Created", [created]));
  if (expires !== undefined) c.push(el("wsu:Expires", [expires]));
  return el(`${P}:Lifetime`, c);
}

function appliesToEl(a: AppliesTo | undefined): XElement | undefined {
  if (!a) return undefined;
  const pp = a.policyNamespace === NS.wsp15 ? "wsp15" : "wsp";
  if (a.address === undefined) {
    // Parsed content other than an EndpointReference is written back as received.
    const kids: XNode[] = [];
    if (a.element) for (let c = a.element.firstChild; c; c = c.nextSibling) if (c.nodeType === 1) kids.push(rawElement(c as Element));
    return el(`${pp}:AppliesTo`, kids);
  }
  const ap = a.addressingNamespace === NS.wsa2004 ? "wsa04" : "wsa";
  return el(`${pp}:AppliesTo`, [el(`${ap}:EndpointReference`, [el(`${ap}:Address`, [a.address])])]);
}

function binarySecretEl(P: string, s: BinarySecret): XElement {
  return el(`${P}:BinarySecret`, { Type: s.type }, s.value.toString("base64"));
}

function entropyEl(P: string, e: Entropy | undefined): XElement | undefined {
  if (!e) return undefined;
  const c: XNode[] = [];
  if (e.binarySecret) c.push(binarySecretEl(P, e.binarySecret));
  const other = payloadNode(e.other);
  if (other !== undefined) c.push(other);
  return el(`${P}:Entropy`, c);
}

function claimsEl(P: string, cl: Claims | undefined): XElement | undefined {
  if (!cl) return undefined;
  const c: XNode[] = [];
  if (cl.claimTypes.length) {
    const auth = cl.dialect === CLAIMS_DIALECT.authclaims;
    for (const ct of cl.claimTypes) {
      const attrs = { Uri: ct.uri, Optional: ct.optional === undefined ? undefined : boolText(ct.optional) };
      if (auth) c.push(el("auth:ClaimType", attrs, ...(ct.value !== undefined ? [el("auth:Value", [ct.value])] : [])));
      else c.push(el("ic:ClaimType", attrs));
    }
  } else if (cl.element) {
    for (let k = cl.element.firstChild; k; k = k.nextSibling) if (k.nodeType === 1) c.push(rawElement(k as Element));
  }
  return el(`${P}:Claims`, { Dialect: cl.dialect }, ...c);
}

function renewingEl(P: string, r: Renewing | undefined): XElement | undefined {
  if (!r) return undefined;
  return el(`${P}:Renewing`, {
    Allow: r.allow === undefined ? undefined : boolText(r.allow),
    OK: r.ok === undefined ? undefined : boolText(r.ok),
  });
}

function useKeyEl(P: string, u: UseKey | undefined): XElement | undefined {
  if (!u) return undefined;
  const n = payloadNode(u.key);
  return el(`${P}:UseKey`, { Sig: u.sig }, ...(n !== undefined ? [n] : []));
}

function proofTokenEl(P: string, p: RequestedProofToken | undefined): XElement | undefined {
  if (!p) return undefined;
  let inner: XNode | undefined;
  switch (p.kind) {
    case "BinarySecret":
      inner = binarySecretEl(P, p.secret);
      break;
    case "ComputedKey":
      inner = el(`${P}:ComputedKey`, [p.algorithm]);
      break;
    default:
      inner = payloadNode(p.payload);
  }
  return el(`${P}:RequestedProofToken`, inner !== undefined ? [inner] : []);
}

function compact(nodes: (XNode | undefined)[]): XNode[] {
  return nodes.filter((n): n is XNode => n !== undefined);
}

/** The RST's children (also used for SecondaryParameters, whose content is a partial RST). */
function rstChildren(P: string, r: Partial<RequestSecurityToken>): XNode[] {
  return compact([
    textEl(`${P}:TokenType`, r.tokenType),
    // An empty RequestType is left out: how a test sends an RST without one (digest T03).
    r.requestType ? el(`${P}:RequestType`, [r.requestType]) : undefined,
    appliesToEl(r.appliesTo),
    claimsEl(P, r.claims),
    entropyEl(P, r.entropy),
    lifetimeEl(P, r.lifetime),
    r.allowPostdating ? el(`${P}:AllowPostdating`) : undefined,
    renewingEl(P, r.renewing),
    wrapper(`${P}:OnBehalfOf`, r.onBehalfOf),
    wrapper("wst14:ActAs", r.actAs),
    r.issuer ? el(`${P}:Issuer`, [el("wsa:Address", [r.issuer.address])]) : undefined,
    textEl(`${P}:AuthenticationType`, r.authenticationType),
    textEl(`${P}:KeyType`, r.keyType),
    r.keySize !== undefined ? el(`${P}:KeySize`, [String(r.keySize)]) : undefined,
    textEl(`${P}:SignatureAlgorithm`, r.signatureAlgorithm),
    wrapper(`${P}:Encryption`, r.encryption),
    textEl(`${P}:EncryptionAlgorithm`, r.encryptionAlgorithm),
    textEl(`${P}:CanonicalizationAlgorithm`, r.canonicalizationAlgorithm),
    textEl(`${P}:ComputedKeyAlgorithm`, r.computedKeyAlgorithm),
    textEl(`${P}:KeyWrapAlgorithm`, r.keyWrapAlgorithm),
    wrapper(`${P}:ProofEncryption`, r.proofEncryption),
    useKeyEl(P, r.useKey),
    textEl(`${P}:SignWith`, r.signWith),
    textEl(`${P}:EncryptWith`, r.encryptWith),
    wrapper(`${P}:DelegateTo`, r.delegateTo),
    r.forwardable !== undefined ? el(`${P}:Forwardable`, [boolText(r.forwardable)]) : undefined,
    r.delegatable !== undefined ? el(`${P}:Delegatable`, [boolText(r.delegatable)]) : undefined,
    wrapper(`${P}:RenewTarget`, r.renewTarget),
    wrapper(`${P}:CancelTarget`, r.cancelTarget),
    wrapper(`${P}:ValidateTarget`, r.validateTarget),
    r.secondaryParameters ? el(`${P}:SecondaryParameters`, rstChildren(P, r.secondaryParameters)) : undefined,
    ...(r.extensions ?? []).map(extensionNode),
  ]);
}

export function serializeRequestSecurityToken(rst: RequestSecurityToken): XElement {
  const P = tp(rst.version);
  return el(`${P}:RequestSecurityToken`, { ...extensionAttrs(rst.extensionAttributes), Context: rst.context }, ...rstChildren(P, rst));
}

export function serializeRequestSecurityTokenCollection(rstc: RequestSecurityTokenCollection): XElement {
  return el(
    `${tp(rstc.version)}:RequestSecurityTokenCollection`,
    extensionAttrs(rstc.extensionAttributes),
    ...rstc.requests.map(serializeRequestSecurityToken),
  );
}

export function serializeRequestSecurityTokenResponse(r: RequestSecurityTokenResponse): XElement {
  const P = tp(r.version);
  const c = compact([
    lifetimeEl(P, r.lifetime),
    appliesToEl(r.appliesTo),
    wrapper(`${P}:RequestedSecurityToken`, r.requestedSecurityToken),
    wrapper(`${P}:RequestedAttachedReference`, r.requestedAttachedReference),
    wrapper(`${P}:RequestedUnattachedReference`, r.requestedUnattachedReference),
    proofTokenEl(P, r.requestedProofToken),
    entropyEl(P, r.entropy),
    r.status
      ? el(`${P}:Status`, compact([el(`${P}:Code`, [r.status.code]), textEl(`${P}:Reason`, r.status.reason)]))
      : undefined,
    r.requestedTokenCancelled ? el(`${P}:RequestedTokenCancelled`) : undefined,
    renewingEl(P, r.renewing),
    r.allowPostdating ? el(`${P}:AllowPostdating`) : undefined,
    textEl(`${P}:AuthenticationType`, r.authenticationType),
    textEl(`${P}:TokenType`, r.tokenType),
    textEl(`${P}:RequestType`, r.requestType),
    textEl(`${P}:KeyType`, r.keyType),
    r.keySize !== undefined ? el(`${P}:KeySize`, [String(r.keySize)]) : undefined,
    ...(r.extensions ?? []).map(extensionNode),
  ]);
  return el(`${P}:RequestSecurityTokenResponse`, { ...extensionAttrs(r.extensionAttributes), Context: r.context }, ...c);
}

export function serializeRequestSecurityTokenResponseCollection(rstrc: RequestSecurityTokenResponseCollection): XElement {
  return el(
    `${tp(rstrc.version)}:RequestSecurityTokenResponseCollection`,
    extensionAttrs(rstrc.extensionAttributes),
    ...rstrc.responses.map(serializeRequestSecurityTokenResponse),
  );
}
