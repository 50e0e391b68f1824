// WS-Security header (digest §4): building the Security header a client sends, and reading one with the WS-I BSP
// rules a strict recipient applies. Reading separates two kinds of problem:
//  * what cannot be interpreted (a Timestamp without Created, an unparseable date, bad base64, a second Timestamp
//    — BSP R3227, since which one applies would be a guess) throws ModelError, with the BSP rule id first in the
//    message when there is one;
//  * what can be interpreted but breaks a BSP rule (missing Password @Type, duplicate Nonce, non-UTC times, ...)
//    is listed in `violations` as rule ids ("R4201"); a strict recipient faults when the list is not empty.
import { createHash, timingSafeEqual } from "node:crypto";
import { decodeBase64Strict } from "./base64.ts";
import { parseXsDateTime, toXsDateTime } from "./clock.ts";
import { NS, SAML_KEY_IDENTIFIER_VALUE_TYPE, TOKEN_TYPES, WSS, type SamlVersion } from "./namespaces.ts";
import type { SoapVersion } from "./soap.ts";
import { ModelError, attr, children, is, isElement, TEXT_NODE, CDATA_SECTION_NODE } from "./xml/dom.ts";
import { el, type XElement, type XNode } from "./xml/writer.ts";

export interface Timestamp {
  id?: string;
  /** ms since epoch. */
  created: number;
  expires?: number;
}

export interface ParsedTimestamp extends Timestamp {
  createdText: string;
  expiresText?: string;
  /** BSP rule ids broken by this Timestamp, e.g. "R3203". */
  violations: string[];
  element: Element;
}

export interface UsernameTokenSpec {
  id?: string;
  username: string;
  password?: string;
  /** Default "text". */
  passwordType?: "text" | "digest";
  nonce?: Buffer;
  /** ms since epoch; written as wsu:Created. */
  created?: number;
}

export interface ParsedUsernameToken {
  id?: string;
  username: string;
  /** Password text as sent (for PasswordDigest: the base64 digest). */
  password?: string;
  /** The @Type URI as sent; undefined when absent (a BSP R4201 violation; the profile's default is PasswordText). */
  passwordType?: string;
  nonce?: Buffer;
  nonceEncodingType?: string;
  /** wsu:Created text exactly as sent, untrimmed: it is what the digest covers. */
  createdText?: string;
  /** Undefined when Created is absent or not an xs:dateTime (createdText tells which). */
  created?: number;
  violations: string[];
  element?: Element;
}

export interface BinarySecurityToken {
  id?: string;
  valueType: string;
  encodingType?: string;
  value: Buffer;
  element?: Element;
}

// ---------------------------------------------------------------------------------------------------------------
// PasswordDigest

/** Base64(SHA-1(decoded nonce bytes + Created text + password)), UTF-8 throughout; absent parts are omitted. */
export function passwordDigest(nonce: Buffer | undefined, createdText: string | undefined, password: string): string {
  const h = createHash("sha1");
  if (nonce) h.update(nonce);
  if (createdText !== undefined) h.update(createdText, "utf8");
  h.update(password, "utf8");
  return h.digest("base64");
}

/** Hash both sides first so the comparison is constant time whatever the lengths. */
function constantTimeEqual(a: string, b: string): boolean {
  const x = createHash("sha256").update(a, "utf8").digest();
  const y = createHash("sha256").update(b, "utf8").digest();
  return timingSafeEqual(x, y) && a.length === b.length;
}

/** True when the token is a PasswordDigest token whose digest matches this password. */
export function checkPasswordDigest(token: ParsedUsernameToken, password: string): boolean {
  if (token.passwordType !== WSS.passwordDigest || token.password === undefined) return false;
  return constantTimeEqual(token.password, passwordDigest(token.nonce, token.createdText, password));
}

/** True when the token is a PasswordText token (explicit @Type or none) carrying exactly this password. */
export function checkPasswordText(token: ParsedUsernameToken, password: string): boolean {
  if ((token.passwordType ?? WSS.passwordText) !== WSS.passwordText || token.password === undefined) return false;
  return constantTimeEqual(token.password, password);
}

// ---------------------------------------------------------------------------------------------------------------
// Building

/** The mustUnderstand attribute name for the prefixes PREFIXES binds. */
function mustUnderstandAttr(v: SoapVersion): string {
  return v === "1.1" ? "s11:mustUnderstand" : "s:mustUnderstand";
}

export function buildTimestamp(ts: Timestamp): XElement {
  const c: XNode[] = [el("wsu:Created", [toXsDateTime(ts.created)])];
  if (ts.expires !== undefined) c.push(el("wsu:Expires", [toXsDateTime(ts.expires)]));
  return el("wsu:Timestamp", { "wsu:Id": ts.id ?? "_0" }, ...c);
}

export function buildUsernameToken(ut: UsernameTokenSpec): XElement {
  const c: XNode[] = [el("wsse:Username", [ut.username])];
  const createdText = ut.created !== undefined ? toXsDateTime(ut.created) : undefined;
  if (ut.password !== undefined) {
    const digest = ut.passwordType === "digest";
    const value = digest ? passwordDigest(ut.nonce, createdText, ut.password) : ut.password;
    c.push(el("wsse:Password", { Type: digest ? WSS.passwordDigest : WSS.passwordText }, value));
  } else if (ut.passwordType === "digest") {
    throw new Error("a PasswordDigest UsernameToken needs the password to digest");
  }
  if (ut.nonce) c.push(el("wsse:Nonce", { EncodingType: WSS.base64Binary }, ut.nonce.toString("base64")));
  if (createdText !== undefined) c.push(el("wsu:Created", [createdText]));
  return el("wsse:UsernameToken", { "wsu:Id": ut.id }, ...c);
}

export function buildBinarySecurityToken(t: BinarySecurityToken): XElement {
  return el(
    "wsse:BinarySecurityToken",
    { "wsu:Id": t.id, ValueType: t.valueType, EncodingType: t.encodingType ?? WSS.base64Binary },
    t.value.toString("base64"),
  );
}

/**
 * wsse:Security with, in this order, Timestamp, BinarySecurityTokens, UsernameToken, then `extra` (signatures,
 * assertions). mustUnderstand="1" unless `mustUnderstand` is false.
 */
export function buildSecurityHeader(args: {
  version: SoapVersion;
  timestamp?: Timestamp;
  usernameToken?: UsernameTokenSpec;
  binarySecurityTokens?: BinarySecurityToken[];
  extra?: XNode[];
  mustUnderstand?: boolean;
}): XElement {
  const c: XNode[] = [];
  if (args.timestamp) c.push(buildTimestamp(args.timestamp));
  for (const b of args.binarySecurityTokens ?? []) c.push(buildBinarySecurityToken(b));
  if (args.usernameToken) c.push(buildUsernameToken(args.usernameToken));
  c.push(...(args.extra ?? []));
  const a = args.mustUnderstand === false ? {} : { [mustUnderstandAttr(args.version)]: "1" };
  return el("wsse:Security", a, ...c);
}

/** STR pointing at a token in the same message: wsse:Reference URI="#id". */
export function securityTokenReferenceToId(
  id: string,
  valueType?: string,
  opts: { tokenType?: string; strId?: string } = {},
): XElement {
  return el(
    "wsse:SecurityTokenReference",
    { "wsse11:TokenType": opts.tokenType, "wsu:Id": opts.strId },
    el("wsse:Reference", { URI: `#${id}`, ValueType: valueType }),
  );
}

/**
 * STR by KeyIdentifier. For SAML (digest §4.5) pass the SAMLID / SAMLAssertionID ValueType and the token type, and
 * no encodingType (the value is the plain assertion ID). X.509 SKI/thumbprint identifiers need
 * `encodingType: WSS.base64Binary`.
 */
export function securityTokenReferenceKeyIdentifier(
  value: string,
  valueType: string,
  tokenType?: string,
  opts: { encodingType?: string; strId?: string } = {},
): XElement {
  return el(
    "wsse:SecurityTokenReference",
    { "wsse11:TokenType": tokenType, "wsu:Id": opts.strId },
    el("wsse:KeyIdentifier", { ValueType: valueType, EncodingType: opts.encodingType }, value),
  );
}

/** The STR the SAML Token Profile prescribes for an assertion (RequestedAttached/UnattachedReference). */
export function samlTokenReference(version: SamlVersion, assertionId: string): XElement {
  return securityTokenReferenceKeyIdentifier(
    assertionId,
    SAML_KEY_IDENTIFIER_VALUE_TYPE[version],
    version === "2.0" ? TOKEN_TYPES.saml20 : TOKEN_TYPES.saml11,
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Parsing

export interface ParsedSecurityHeader {
  element: Element;
  /** The one Timestamp (a second one is a ModelError, BSP R3227). */
  timestamp?: ParsedTimestamp;
  usernameTokens: ParsedUsernameToken[];
  binarySecurityTokens: BinarySecurityToken[];
  /** SAML 1.1 or 2.0 assertions. */
  assertions: Element[];
  /** ds:Signature children. */
  signatures: Element[];
  /** Every other child (EncryptedKey, SecurityTokenReference, SignatureConfirmation, ...). */
  others: Element[];
  /** The actor (SOAP 1.1) or role (SOAP 1.2) attribute, when present. */
  actor?: string;
}

/** Raw text of an element's own text children, untrimmed; ModelError on element content. */
function rawText(e: Element): string {
  let s = "";
  for (let c = e.firstChild; c; c = c.nextSibling) {
    if (c.nodeType === TEXT_NODE || c.nodeType === CDATA_SECTION_NODE) s += (c as CharacterData).data;
    else if (isElement(c)) throw new ModelError(`${e.localName} must hold text only`, e.localName);
  }
  return s;
}

function wsuId(e: Element): string | undefined {
  return attr(e, "Id", NS.wsu);
}

/** Fractional seconds beyond milliseconds (BSP R3220/R3229 say SHOULD NOT). */
function beyondMs(text: string): boolean {
  const m = /\.(\d+)/.exec(text);
  return !!m && m[1]!.length > 3;
}

function parseTime(e: Element, field: string, rule: string): { text: string; ms: number } {
  const text = rawText(e).trim();
  const ms = parseXsDateTime(text);
  if (ms === undefined) {
    throw new ModelError(`${rule}: ${field} ${JSON.stringify(text.slice(0, 60))} is not a valid xs:dateTime`, field);
  }
  return { text, ms };
}

export function parseTimestamp(ts: Element): ParsedTimestamp {
  const violations = new Set<string>();
  const created = children(ts, NS.wsu, "Created");
  const expires = children(ts, NS.wsu, "Expires");
  if (created.length === 0) throw new ModelError("R3203: Timestamp lacks wsu:Created", "Timestamp/Created");
  if (created.length > 1) violations.add("R3203");
  if (expires.length > 1) violations.add("R3224");
  for (let c = ts.firstChild; c; c = c.nextSibling) {
    if (isElement(c)) {
      if (!is(c, NS.wsu, "Created") && !is(c, NS.wsu, "Expires")) violations.add("R3222");
    } else if ((c.nodeType === TEXT_NODE || c.nodeType === CDATA_SECTION_NODE) && (c as CharacterData).data.trim() !== "") {
      violations.add("R3222");
    }
  }
  const c0 = created[0]!;
  const cr = parseTime(c0, "Timestamp/Created", "R3213");
  if (!cr.text.endsWith("Z")) violations.add("R3217");
  if (beyondMs(cr.text)) violations.add("R3220");
  if (c0.getAttributeNode("ValueType")) violations.add("R3225");
  const out: ParsedTimestamp = {
    id: wsuId(ts),
    created: cr.ms,
    createdText: cr.text,
    violations: [],
    element: ts,
  };
  const e0 = expires[0];
  if (e0) {
    const ex = parseTime(e0, "Timestamp/Expires", "R3215");
    if (!ex.text.endsWith("Z")) violations.add("R3223");
    if (beyondMs(ex.text)) violations.add("R3229");
    if (e0.getAttributeNode("ValueType")) violations.add("R3226");
    if (ex.ms <= cr.ms) violations.add("R3221");
    out.expires = ex.ms;
    out.expiresText = ex.text;
  }
  out.violations = [...violations];
  return out;
}

export function parseUsernameToken(ut: Element): ParsedUsernameToken {
  const violations = new Set<string>();
  const usernames = children(ut, NS.wsse, "Username");
  if (usernames.length !== 1) {
    throw new ModelError(`UsernameToken must hold exactly one Username, found ${usernames.length}`, "UsernameToken/Username");
  }
  const out: ParsedUsernameToken = {
    id: wsuId(ut),
    username: rawText(usernames[0]!).trim(),
    violations: [],
    element: ut,
  };
  const passwords = children(ut, NS.wsse, "Password");
  if (passwords.length > 1) violations.add("R4222");
  const pw = passwords[0];
  if (pw) {
    out.password = rawText(pw);
    out.passwordType = attr(pw, "Type");
    if (out.passwordType === undefined) violations.add("R4201");
  }
  const nonces = children(ut, NS.wsse, "Nonce");
  if (nonces.length > 1) violations.add("R4223");
  const n = nonces[0];
  if (n) {
    out.nonceEncodingType = attr(n, "EncodingType");
    if (out.nonceEncodingType === undefined) violations.add("R4220");
    else if (out.nonceEncodingType !== WSS.base64Binary) violations.add("R4221");
    const bytes = decodeBase64Strict(rawText(n));
    if (!bytes) throw new ModelError("UsernameToken Nonce is not valid base64", "UsernameToken/Nonce");
    out.nonce = bytes;
  }
  const createds = children(ut, NS.wsu, "Created");
  if (createds.length > 1) violations.add("R4225");
  const c = createds[0];
  if (c) {
    out.createdText = rawText(c);
    out.created = parseXsDateTime(out.createdText);
  }
  out.violations = [...violations];
  return out;
}

export function parseBinarySecurityToken(b: Element): BinarySecurityToken {
  const valueType = attr(b, "ValueType");
  if (!valueType) throw new ModelError("BinarySecurityToken lacks ValueType", "BinarySecurityToken");
  const encodingType = attr(b, "EncodingType");
  // WSS defines only Base64Binary for BSTs (BSP R3029 requires it to be stated); absent is read as base64.
  if (encodingType !== undefined && encodingType !== WSS.base64Binary) {
    throw new ModelError(`BinarySecurityToken EncodingType ${encodingType} is not supported`, "BinarySecurityToken");
  }
  const value = decodeBase64Strict(rawText(b));
  if (!value) throw new ModelError("BinarySecurityToken content is not valid base64", "BinarySecurityToken");
  return { id: wsuId(b), valueType, encodingType, value, element: b };
}

/** Every wsse:Security header block, whatever its actor/role. */
export function findSecurityHeaders(headers: Element[]): Element[] {
  return headers.filter((h) => is(h, NS.wsse, "Security"));
}

/** The Security header meant for the ultimate receiver: no actor/role (or the "ultimateReceiver" role). */
export function findOwnSecurityHeaders(headers: Element[]): Element[] {
  return findSecurityHeaders(headers).filter((h) => {
    const role = actorOf(h);
    return role === undefined || role === "http://www.w3.org/2003/05/soap-envelope/role/ultimateReceiver";
  });
}

function actorOf(h: Element): string | undefined {
  return attr(h, "actor", NS.s11) ?? attr(h, "role", NS.s12);
}

export function parseSecurityHeader(sec: Element): ParsedSecurityHeader {
  if (!is(sec, NS.wsse, "Security")) throw new ModelError(`expected wsse:Security, found ${sec.localName}`, "Security");
  const out: ParsedSecurityHeader = {
    element: sec,
    usernameTokens: [],
    binarySecurityTokens: [],
    assertions: [],
    signatures: [],
    others: [],
    actor: actorOf(sec),
  };
  for (let c = sec.firstChild; c; c = c.nextSibling) {
    if ((c.nodeType === TEXT_NODE || c.nodeType === CDATA_SECTION_NODE) && (c as CharacterData).data.trim() !== "") {
      throw new ModelError("Security header holds character data", "Security");
    }
    if (!isElement(c)) continue;
    if (is(c, NS.wsu, "Timestamp")) {
      if (out.timestamp) throw new ModelError("R3227: more than one wsu:Timestamp in a Security header", "Security/Timestamp");
      out.timestamp = parseTimestamp(c);
    } else if (is(c, NS.wsse, "UsernameToken")) {
      out.usernameTokens.push(parseUsernameToken(c));
    } else if (is(c, NS.wsse, "BinarySecurityToken")) {
      out.binarySecurityTokens.push(parseBinarySecurityToken(c));
    } else if (is(c, [NS.saml11, NS.saml2], "Assertion")) {
      out.assertions.push(c);
    } else if (is(c, NS.ds, "Signature")) {
      out.signatures.push(c);
    } else {
      out.others.push(c);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// SecurityTokenReference reading (RequestedAttachedReference checks, Renew/Cancel/Validate targets)

export interface ParsedSecurityTokenReference {
  id?: string;
  /** wsse11:TokenType. */
  tokenType?: string;
  reference?: { uri: string; valueType?: string };
  keyIdentifier?: { value: string; valueType?: string; encodingType?: string };
  /** Any other child (Embedded, ds:X509Data, ...). */
  others: Element[];
  element: Element;
}

export function parseSecurityTokenReference(str: Element): ParsedSecurityTokenReference {
  if (!is(str, NS.wsse, "SecurityTokenReference")) {
    throw new ModelError(`expected wsse:SecurityTokenReference, found ${str.localName}`, "SecurityTokenReference");
  }
  const out: ParsedSecurityTokenReference = {
    id: wsuId(str),
    tokenType: attr(str, "TokenType", NS.wsse11),
    others: [],
    element: str,
  };
  const kids = children(str);
  // BSP R3061: exactly one reference child; more would make the target ambiguous.
  if (kids.length !== 1) {
    throw new ModelError(`SecurityTokenReference must hold exactly one child, found ${kids.length}`, "SecurityTokenReference");
  }
  const k = kids[0]!;
  if (is(k, NS.wsse, "Reference")) {
    const uri = attr(k, "URI");
    if (uri === undefined) throw new ModelError("wsse:Reference lacks URI", "SecurityTokenReference/Reference");
    out.reference = { uri, valueType: attr(k, "ValueType") };
  } else if (is(k, NS.wsse, "KeyIdentifier")) {
    out.keyIdentifier = {
      value: rawText(k).trim(),
      valueType: attr(k, "ValueType"),
      encodingType: attr(k, "EncodingType"),
    };
  } else {
    out.others.push(k);
  }
  return out;
}
