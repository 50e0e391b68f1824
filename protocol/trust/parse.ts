// Reading WS-Trust messages (RST, RSTC, RSTR, RSTRC) into the typed model, for 2005, 1.3 and 1.4.
// Children may come in any order (digest §2: the schema's content model is a bag). A known element given twice,
// or one whose content cannot be read, is a ModelError naming it; unknown elements and attributes are kept as
// extensions for the recipient to judge (digest T08/T09). Nothing here recurses on input depth except
// SecondaryParameters, which is allowed one level only.
import { decodeBase64Strict } from "../base64.ts";
import { parseXsDateTime } from "../clock.ts";
import { APPLIES_TO_NAMESPACES, NS, type TrustVersion } from "../namespaces.ts";
import { CDATA_SECTION_NODE, ModelError, TEXT_NODE, attr, children, is, isElement, textOf } from "../xml/dom.ts";
import type {
  AppliesTo,
  BinarySecret,
  ClaimType,
  Claims,
  EndpointReference,
  Entropy,
  Extension,
  Lifetime,
  RequestSecurityToken,
  RequestSecurityTokenCollection,
  RequestSecurityTokenResponse,
  RequestSecurityTokenResponseCollection,
  RequestedProofToken,
  Renewing,
  Status,
  TrustMessage,
  UseKey,
  XmlPayload,
} from "./model.ts";

const ADDRESSING = [NS.wsa, NS.wsa2004] as const;

/** The trust namespace of a message element: 2005 or 200512 (1.3, possibly 1.4); ModelError otherwise. */
function versionOf(e: Element): TrustVersion {
  if (e.namespaceURI === NS.wst2005) return "2005";
  if (e.namespaceURI === NS.wst13) return "1.3";
  throw new ModelError(`${e.localName} is in namespace ${e.namespaceURI ?? "(none)"}, not a WS-Trust namespace`, e.localName);
}

function expectName(e: Element, local: string): TrustVersion {
  const v = versionOf(e);
  if (e.localName !== local) throw new ModelError(`expected ${local}, found ${e.localName}`, e.localName);
  return v;
}

// ---------------------------------------------------------------------------------------------------------------
// Leaf readers

function uri(e: Element): string {
  return textOf(e);
}

function bool(e: Element, field: string): boolean {
  return boolValue(textOf(e), field);
}

function boolValue(t: string, field: string): boolean {
  const v = t.trim();
  if (v === "true" || v === "1") return true;
  if (v === "false" || v === "0") return false;
  throw new ModelError(`${field} ${JSON.stringify(v.slice(0, 40))} is not an xs:boolean`, field);
}

function unsignedInt(e: Element, field: string): number {
  const t = textOf(e);
  if (!/^\+?[0-9]+$/.test(t)) throw new ModelError(`${field} ${JSON.stringify(t.slice(0, 40))} is not an xs:unsignedInt`, field);
  const n = Number(t);
  if (n > 0xffffffff) throw new ModelError(`${field} ${t.slice(0, 40)} exceeds xs:unsignedInt`, field);
  return n;
}

/** Element children only; non-whitespace character data is an error (these elements carry elements). */
function elementChildren(e: Element, field: string): Element[] {
  const out: Element[] = [];
  for (let c = e.firstChild; c; c = c.nextSibling) {
    if (isElement(c)) out.push(c);
    else if ((c.nodeType === TEXT_NODE || c.nodeType === CDATA_SECTION_NODE) && (c as CharacterData).data.trim() !== "") {
      throw new ModelError(`${field} holds character data where an element is expected`, field);
    }
  }
  return out;
}

/** A wrapper holding exactly one element (OnBehalfOf, RenewTarget, ...), or 0..1 when `optional`. */
function payload(e: Element, field: string, optional = false): XmlPayload {
  const kids = elementChildren(e, field);
  if (kids.length > 1 || (kids.length === 0 && !optional)) {
    throw new ModelError(`${field} must hold exactly one element, found ${kids.length}`, field);
  }
  return kids[0] ? { element: kids[0] } : {};
}

function lifetime(e: Element, field: string): Lifetime {
  const out: Lifetime = {};
  for (const c of elementChildren(e, field)) {
    const which = is(c, NS.wsu, "Created") ? "created" : is(c, NS.wsu, "Expires") ? "expires" : undefined;
    if (!which) throw new ModelError(`${field} holds an unexpected ${c.localName}`, field);
    const name = `${field}/${c.localName}`;
    if (out[which] !== undefined) throw new ModelError(`${name} occurs more than once`, name);
    const text = textOf(c);
    const ms = parseXsDateTime(text);
    if (ms === undefined) throw new ModelError(`${name} ${JSON.stringify(text.slice(0, 60))} is not a valid xs:dateTime`, name);
    out[which] = ms;
    if (which === "created") out.createdText = text;
    else out.expiresText = text;
  }
  return out;
}

function binarySecret(e: Element, field: string): BinarySecret {
  const value = decodeBase64Strict(textOf(e));
  if (!value) throw new ModelError(`${field} is not valid base64`, field);
  const type = attr(e, "Type");
  return type === undefined ? { value } : { type, value };
}

function entropy(e: Element, T: string, field: string): Entropy {
  const out: Entropy = {};
  for (const c of elementChildren(e, field)) {
    if (is(c, T, "BinarySecret")) {
      if (out.binarySecret) throw new ModelError(`${field} holds more than one BinarySecret`, field);
      out.binarySecret = binarySecret(c, `${field}/BinarySecret`);
    } else {
      if (out.other) throw new ModelError(`${field} holds more than one key element`, field);
      out.other = { element: c };
    }
  }
  if (out.binarySecret && out.other) throw new ModelError(`${field} holds both a BinarySecret and ${out.other.element!.localName}`, field);
  return out;
}

function claims(e: Element, field: string): Claims {
  const out: Claims = { claimTypes: [], element: e };
  const dialect = attr(e, "Dialect");
  if (dialect !== undefined) out.dialect = dialect;
  for (const c of children(e)) {
    if (!is(c, [NS.ic, NS.auth], "ClaimType")) continue; // other dialects' content stays in `element`
    const u = attr(c, "Uri");
    if (!u) throw new ModelError(`${field}/ClaimType lacks Uri`, `${field}/ClaimType`);
    const ct: ClaimType = { uri: u };
    const opt = attr(c, "Optional");
    if (opt !== undefined) ct.optional = boolValue(opt, `${field}/ClaimType/@Optional`);
    if (c.namespaceURI === NS.auth) {
      const values = children(c, NS.auth, "Value");
      if (values.length > 1) throw new ModelError(`${field}/ClaimType holds more than one Value`, `${field}/ClaimType`);
      if (values[0]) ct.value = textOf(values[0]);
    }
    out.claimTypes.push(ct);
  }
  return out;
}

function address(epr: Element, field: string): { address: string; ns: string } {
  const ns = epr.namespaceURI ?? "";
  const addrs = children(epr, ns, "Address");
  if (addrs.length !== 1) throw new ModelError(`${field} must hold exactly one Address, found ${addrs.length}`, field);
  return { address: textOf(addrs[0]!), ns };
}

function appliesTo(e: Element, field: string): AppliesTo {
  const out: AppliesTo = { policyNamespace: e.namespaceURI ?? undefined, element: e };
  const eprs = children(e).filter((c) => is(c, ADDRESSING, "EndpointReference"));
  if (eprs.length > 1) throw new ModelError(`${field} holds ${eprs.length} EndpointReferences`, field);
  if (eprs[0]) {
    const a = address(eprs[0], `${field}/EndpointReference`);
    out.address = a.address;
    out.addressingNamespace = a.ns;
  }
  return out;
}

/** wst:Issuer is an EndpointReferenceType: its Address is a direct child (2005/08, or 2004/08 from old stacks). */
function issuer(e: Element, field: string): EndpointReference {
  const addrs = children(e).filter((c) => is(c, ADDRESSING, "Address"));
  if (addrs.length !== 1) throw new ModelError(`${field} must hold exactly one wsa:Address, found ${addrs.length}`, field);
  return { address: textOf(addrs[0]!) };
}

function renewing(e: Element, field: string): Renewing {
  const out: Renewing = {};
  const allow = attr(e, "Allow");
  const ok = attr(e, "OK");
  if (allow !== undefined) out.allow = boolValue(allow, `${field}/@Allow`);
  if (ok !== undefined) out.ok = boolValue(ok, `${field}/@OK`);
  return out;
}

function useKey(e: Element, field: string): UseKey {
  const out: UseKey = {};
  const p = payload(e, field, true);
  if (p.element) out.key = p;
  const sig = attr(e, "Sig");
  if (sig !== undefined) out.sig = sig;
  return out;
}

function status(e: Element, T: string, field: string): Status {
  const codes = children(e, T, "Code");
  if (codes.length !== 1) throw new ModelError(`${field} must hold exactly one Code, found ${codes.length}`, field);
  const reasons = children(e, T, "Reason");
  if (reasons.length > 1) throw new ModelError(`${field} holds more than one Reason`, field);
  const out: Status = { code: textOf(codes[0]!) };
  if (reasons[0]) out.reason = textOf(reasons[0]);
  return out;
}

function proofToken(e: Element, T: string, field: string): RequestedProofToken {
  const c = payload(e, field).element!;
  if (is(c, T, "BinarySecret")) return { kind: "BinarySecret", secret: binarySecret(c, `${field}/BinarySecret`) };
  if (is(c, T, "ComputedKey")) return { kind: "ComputedKey", algorithm: textOf(c) };
  if (is(c, NS.xenc, "EncryptedKey")) return { kind: "EncryptedKey", payload: { element: c } };
  if (is(c, NS.wsse, "SecurityTokenReference")) return { kind: "SecurityTokenReference", payload: { element: c } };
  throw new ModelError(`${field} holds {${c.namespaceURI ?? ""}}${c.localName}, not a proof token`, field);
}

// ---------------------------------------------------------------------------------------------------------------
// Attributes and the child loop

/** Attributes other than namespace declarations and the `known` unqualified ones, keyed "{ns}local". */
function extensionAttributes(e: Element, known: readonly string[]): Record<string, string> | undefined {
  let out: Record<string, string> | undefined;
  for (let i = 0; i < e.attributes.length; i++) {
    const a = e.attributes.item(i)!;
    if (a.namespaceURI === NS.xmlns) continue;
    if (!a.namespaceURI && known.includes(a.localName ?? a.name)) continue;
    (out ??= {})[`{${a.namespaceURI ?? ""}}${a.localName ?? a.name}`] = a.value;
  }
  return out;
}

function extension(c: Element): Extension {
  return { namespaceURI: c.namespaceURI, localName: c.localName, element: c };
}

/** Records names already seen so a repeated known element is refused whatever the order. */
class Seen {
  private names = new Set<string>();
  constructor(private readonly parent: string) {}
  once(name: string): void {
    if (this.names.has(name)) throw new ModelError(`${name} occurs more than once in ${this.parent}`, name);
    this.names.add(name);
  }
}

type RstFields = Omit<RequestSecurityToken, "version" | "requestType"> & { requestType?: string };

// Maps, not object literals: an element named "constructor" or "__proto__" must not hit Object.prototype.
const RST_TEXT = new Map<string, keyof RstFields>([
  ["TokenType", "tokenType"],
  ["RequestType", "requestType"],
  ["AuthenticationType", "authenticationType"],
  ["KeyType", "keyType"],
  ["SignatureAlgorithm", "signatureAlgorithm"],
  ["EncryptionAlgorithm", "encryptionAlgorithm"],
  ["CanonicalizationAlgorithm", "canonicalizationAlgorithm"],
  ["ComputedKeyAlgorithm", "computedKeyAlgorithm"],
  ["KeyWrapAlgorithm", "keyWrapAlgorithm"],
  ["SignWith", "signWith"],
  ["EncryptWith", "encryptWith"],
]);

type WrapperField = "onBehalfOf" | "encryption" | "proofEncryption" | "delegateTo" | "renewTarget" | "cancelTarget" | "validateTarget";
const RST_WRAPPERS = new Map<string, WrapperField>([
  ["OnBehalfOf", "onBehalfOf"],
  ["Encryption", "encryption"],
  ["ProofEncryption", "proofEncryption"],
  ["DelegateTo", "delegateTo"],
  ["RenewTarget", "renewTarget"],
  ["CancelTarget", "cancelTarget"],
  ["ValidateTarget", "validateTarget"],
]);

/**
 * Read one RST child into `out`; false when the element is not a known RST element. Shared by the RST itself and
 * SecondaryParameters (`nested`), which may not hold another SecondaryParameters.
 */
function rstChild(out: RstFields, c: Element, T: string, version: TrustVersion, seen: Seen, where: string, nested: boolean): boolean {
  const f = `${where}/${c.localName}`;
  if (is(c, APPLIES_TO_NAMESPACES, "AppliesTo")) {
    seen.once("AppliesTo");
    out.appliesTo = appliesTo(c, f);
    return true;
  }
  if (version !== "2005" && is(c, NS.wst14, "ActAs")) {
    seen.once("ActAs");
    out.actAs = payload(c, f);
    return true;
  }
  if (c.namespaceURI !== T) return false;
  const name = c.localName;
  const tf = RST_TEXT.get(name);
  if (tf) {
    seen.once(name);
    (out as Record<string, unknown>)[tf] = uri(c);
    return true;
  }
  const wf = RST_WRAPPERS.get(name);
  if (wf) {
    seen.once(name);
    out[wf] = payload(c, f);
    return true;
  }
  switch (name) {
    case "Claims":
      seen.once(name);
      out.claims = claims(c, f);
      return true;
    case "Entropy":
      seen.once(name);
      out.entropy = entropy(c, T, f);
      return true;
    case "Lifetime":
      seen.once(name);
      out.lifetime = lifetime(c, f);
      return true;
    case "AllowPostdating":
      seen.once(name);
      out.allowPostdating = true;
      return true;
    case "Renewing":
      seen.once(name);
      out.renewing = renewing(c, f);
      return true;
    case "Issuer":
      seen.once(name);
      out.issuer = issuer(c, f);
      return true;
    case "KeySize":
      seen.once(name);
      out.keySize = unsignedInt(c, f);
      return true;
    case "UseKey":
      seen.once(name);
      out.useKey = useKey(c, f);
      return true;
    case "Forwardable":
      seen.once(name);
      out.forwardable = bool(c, f);
      return true;
    case "Delegatable":
      seen.once(name);
      out.delegatable = bool(c, f);
      return true;
    case "SecondaryParameters": {
      if (nested) throw new ModelError(`${f} may not be nested`, f);
      seen.once(name);
      const sp: RstFields = {};
      const inner = new Seen(f);
      for (const k of elementChildren(c, f)) {
        if (!rstChild(sp, k, T, version, inner, f, true)) (sp.extensions ??= []).push(extension(k));
      }
      out.secondaryParameters = sp as Partial<RequestSecurityToken>;
      return true;
    }
    default:
      return false;
  }
}

/** 1.3 messages become 1.4 when they carry an element of the 200802 namespace (ActAs, InteractiveChallenge...). */
function hasWst14Child(e: Element): boolean {
  return children(e).some((c) => c.namespaceURI === NS.wst14);
}

// ---------------------------------------------------------------------------------------------------------------
// Messages

export function parseRequestSecurityToken(e: Element): RequestSecurityToken {
  let version = expectName(e, "RequestSecurityToken");
  const T = e.namespaceURI!;
  if (version === "1.3" && hasWst14Child(e)) version = "1.4";
  const out: RstFields = {};
  const ctx = attr(e, "Context");
  if (ctx !== undefined) out.context = ctx;
  const seen = new Seen("RequestSecurityToken");
  for (const c of elementChildren(e, "RequestSecurityToken")) {
    if (!rstChild(out, c, T, version, seen, "RequestSecurityToken", false)) (out.extensions ??= []).push(extension(c));
  }
  if (out.requestType === undefined || out.requestType === "") {
    throw new ModelError("RequestSecurityToken lacks the required RequestType", "RequestType");
  }
  const ext = extensionAttributes(e, ["Context"]);
  if (ext) out.extensionAttributes = ext;
  return { version, ...out, requestType: out.requestType };
}

export function parseRequestSecurityTokenCollection(e: Element): RequestSecurityTokenCollection {
  let version = expectName(e, "RequestSecurityTokenCollection");
  const requests: RequestSecurityToken[] = [];
  for (const c of elementChildren(e, "RequestSecurityTokenCollection")) {
    if (c.namespaceURI !== e.namespaceURI || c.localName !== "RequestSecurityToken") {
      throw new ModelError(`RequestSecurityTokenCollection may hold only RequestSecurityToken, found ${c.localName}`, "RequestSecurityTokenCollection");
    }
    requests.push(parseRequestSecurityToken(c));
  }
  // Schema: minOccurs=2 (digest T27); a single request goes without the collection.
  if (requests.length < 2) {
    throw new ModelError(`RequestSecurityTokenCollection must hold at least 2 RequestSecurityToken, found ${requests.length}`, "RequestSecurityTokenCollection");
  }
  if (requests.some((r) => r.version === "1.4")) version = "1.4";
  const out: RequestSecurityTokenCollection = { version, requests };
  const ext = extensionAttributes(e, []);
  if (ext) out.extensionAttributes = ext;
  return out;
}

type RstrFields = Omit<RequestSecurityTokenResponse, "version">;

function rstrChild(out: RstrFields, c: Element, T: string, seen: Seen): boolean {
  const f = `RequestSecurityTokenResponse/${c.localName}`;
  if (is(c, APPLIES_TO_NAMESPACES, "AppliesTo")) {
    seen.once("AppliesTo");
    out.appliesTo = appliesTo(c, f);
    return true;
  }
  if (c.namespaceURI !== T) return false;
  const name = c.localName;
  switch (name) {
    case "TokenType":
    case "RequestType":
    case "KeyType":
    case "AuthenticationType": {
      seen.once(name);
      const key = (name[0]!.toLowerCase() + name.slice(1)) as "tokenType" | "requestType" | "keyType" | "authenticationType";
      out[key] = uri(c);
      return true;
    }
    case "KeySize":
      seen.once(name);
      out.keySize = unsignedInt(c, f);
      return true;
    case "Lifetime":
      seen.once(name);
      out.lifetime = lifetime(c, f);
      return true;
    case "RequestedSecurityToken":
      seen.once(name);
      out.requestedSecurityToken = payload(c, f);
      return true;
    case "RequestedAttachedReference":
      seen.once(name);
      out.requestedAttachedReference = payload(c, f);
      return true;
    case "RequestedUnattachedReference":
      seen.once(name);
      out.requestedUnattachedReference = payload(c, f);
      return true;
    case "RequestedProofToken":
      seen.once(name);
      out.requestedProofToken = proofToken(c, T, f);
      return true;
    case "Entropy":
      seen.once(name);
      out.entropy = entropy(c, T, f);
      return true;
    case "Status":
      seen.once(name);
      out.status = status(c, T, f);
      return true;
    case "RequestedTokenCancelled":
      seen.once(name);
      out.requestedTokenCancelled = true;
      return true;
    case "Renewing":
      seen.once(name);
      out.renewing = renewing(c, f);
      return true;
    case "AllowPostdating":
      seen.once(name);
      out.allowPostdating = true;
      return true;
    default:
      return false;
  }
}

export function parseRequestSecurityTokenResponse(e: Element): RequestSecurityTokenResponse {
  let version = expectName(e, "RequestSecurityTokenResponse");
  const T = e.namespaceURI!;
  if (version === "1.3" && hasWst14Child(e)) version = "1.4";
  const out: RstrFields = {};
  const ctx = attr(e, "Context");
  if (ctx !== undefined) out.context = ctx;
  const seen = new Seen("RequestSecurityTokenResponse");
  for (const c of elementChildren(e, "RequestSecurityTokenResponse")) {
    if (!rstrChild(out, c, T, seen)) (out.extensions ??= []).push(extension(c));
  }
  const ext = extensionAttributes(e, ["Context"]);
  if (ext) out.extensionAttributes = ext;
  return { version, ...out };
}

/** Also reads wst:IssuedTokens (a SOAP header of the same type, digest T42) when `local` says so. */
export function parseRequestSecurityTokenResponseCollection(
  e: Element,
  local: "RequestSecurityTokenResponseCollection" | "IssuedTokens" = "RequestSecurityTokenResponseCollection",
): RequestSecurityTokenResponseCollection {
  let version = expectName(e, local);
  const responses: RequestSecurityTokenResponse[] = [];
  for (const c of elementChildren(e, local)) {
    if (c.namespaceURI !== e.namespaceURI || c.localName !== "RequestSecurityTokenResponse") {
      throw new ModelError(`${local} may hold only RequestSecurityTokenResponse, found ${c.localName}`, local);
    }
    responses.push(parseRequestSecurityTokenResponse(c));
  }
  if (responses.length < 1) throw new ModelError(`${local} must hold at least one RequestSecurityTokenResponse`, local);
  if (responses.some((r) => r.version === "1.4")) version = "1.4";
  const out: RequestSecurityTokenResponseCollection = { version, responses };
  const ext = extensionAttributes(e, []);
  if (ext) out.extensionAttributes = ext;
  return out;
}

/** Any WS-Trust body element (2005 or 200512 namespace). */
export function parseTrustMessage(e: Element): TrustMessage {
  versionOf(e);
  switch (e.localName) {
    case "RequestSecurityToken":
      return { kind: "RST", message: parseRequestSecurityToken(e) };
    case "RequestSecurityTokenCollection":
      return { kind: "RSTC", message: parseRequestSecurityTokenCollection(e) };
    case "RequestSecurityTokenResponse":
      return { kind: "RSTR", message: parseRequestSecurityTokenResponse(e) };
    case "RequestSecurityTokenResponseCollection":
      return { kind: "RSTRC", message: parseRequestSecurityTokenResponseCollection(e) };
    default:
      throw new ModelError(`${e.localName} is not a WS-Trust request or response`, e.localName);
  }
}
