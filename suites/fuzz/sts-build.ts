// From a recipe to the message on the wire, and what that message implies for the oracles. The facts are read back
// from the final (mutated) message, not from the recipe: a mutation that drops the RequestType or changes the
// password is judged by what was actually sent.
import { randomBytes, randomUUID } from "node:crypto";
import { parseXsDateTime } from "../../protocol/clock.ts";
import { NS, TRUST, WSS, bindingOfRequestType, type Binding } from "../../protocol/namespaces.ts";
import { unsignedAssertion } from "../../protocol/saml/build.ts";
import type { RequestSecurityToken, RequestSecurityTokenCollection } from "../../protocol/trust/model.ts";
import { buildRequestMessage } from "../../protocol/trust/requestor.ts";
import { passwordDigest } from "../../protocol/wss.ts";
import { parseXml } from "../../protocol/xml/safe-parse.ts";
import { ELEMENT_NODE, TEXT_NODE, CDATA_SECTION_NODE } from "../../protocol/xml/dom.ts";
import { escapeText, raw } from "../../protocol/xml/writer.ts";
import type { StsTarget } from "../../adapters/sts-target.ts";
import type { SoapExchangeRequest } from "../../adapters/transport.ts";
import { applyDomMutations, applyTextMutations, CANARY_PLACEHOLDER, FUZZ_NS, isDomMutation, serializeDoc } from "./mutators.ts";
import type { RstRecipe, StsFuzzInput } from "./sts-input.ts";

export interface RstFacts {
  context?: string;
  /** RequestType texts found (none: missing, T03). */
  requestTypes: string[];
  binding?: Binding;
  appliesTo?: string;
  keyType?: string;
  hasEntropy: boolean;
  /** Requested Lifetime, when both ends parse. */
  lifetime?: { created?: number; expires?: number };
  /** An OnBehalfOf/ActAs is present: the harness only ever sends forged (unsigned) ones. */
  forgedDelegation: boolean;
}

export interface MessageFacts {
  /** Why the requestor's authentication is wrong (undefined: it is right, as far as the harness can tell). */
  authWrong?: string;
  /** A UsernameToken with a Nonce (replays of it must be refused). */
  hasNonce: boolean;
  bodyKind: "RST" | "RSTC" | "other";
  rsts: RstFacts[];
  /** The endpoint's trust version. */
  version: StsFuzzInput["version"];
  soap: StsFuzzInput["soap"];
  xxe: boolean;
}

export interface BuiltMessage {
  request: SoapExchangeRequest;
  /** Computed on first use. */
  facts: () => MessageFacts;
}

const SKEW_MARGIN_S = 60;

function forged(kind: "unsigned-saml20" | "unsigned-saml11", subject: string, target: StsTarget, now: number): string {
  return unsignedAssertion({
    version: kind === "unsigned-saml11" ? "1.1" : "2.0",
    id: `_fuzz${randomUUID().replace(/-/g, "")}`,
    issuer: target.issuerName ?? "urn:wsconform:fuzz:issuer",
    issueInstant: now,
    subject: { nameId: subject },
    confirmation: { method: "bearer" },
    notBefore: now - 60_000,
    notOnOrAfter: now + 3_600_000,
    audiences: [target.appliesTo.registered],
    attributes: [{ name: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name", values: [subject], nameFormatOrNamespace: "urn:oasis:names:tc:SAML:2.0:attrname-format:uri" }],
  });
}

function toModel(r: RstRecipe, input: StsFuzzInput, target: StsTarget, now: number): RequestSecurityToken {
  const v = input.version;
  const T = TRUST[v];
  const requestType =
    r.requestType === "absent" ? "" : r.requestType === "bogus" ? "urn:wsconform:fuzz:request-type" : r.requestType === "other-version" ? TRUST[v === "2005" ? "1.3" : "2005"].requestType(r.binding) : T.requestType(r.binding);
  const payload = (kind: "unsigned-saml20" | "unsigned-saml11" | "empty", subject = "alice") => (kind === "empty" ? { node: raw("") } : { node: raw(forged(kind, subject, target, now)) });
  const rst: RequestSecurityToken = {
    version: v,
    requestType,
    context: r.context,
    tokenType: r.tokenType,
    appliesTo: r.appliesTo ? { address: r.appliesTo.address, policyNamespace: r.appliesTo.policy === "wsp15" ? NS.wsp15 : NS.wsp, addressingNamespace: r.appliesTo.addressing === "wsa04" ? NS.wsa2004 : NS.wsa } : undefined,
    claims: r.claims ? { dialect: r.claims.dialect, claimTypes: r.claims.claimTypes } : undefined,
    entropy: r.entropy ? { binarySecret: { type: r.entropy.type, value: Buffer.from(r.entropy.valueB64, "base64") } } : undefined,
    lifetime: r.lifetime ? { created: r.lifetime.createdS === undefined ? undefined : now + r.lifetime.createdS * 1000, expires: r.lifetime.expiresS === undefined ? undefined : now + r.lifetime.expiresS * 1000 } : undefined,
    allowPostdating: r.allowPostdating,
    renewing: r.renewing,
    keyType: r.keyType,
    keySize: r.keySize,
    authenticationType: r.authenticationType,
    signatureAlgorithm: r.algorithms?.signature,
    encryptionAlgorithm: r.algorithms?.encryption,
    canonicalizationAlgorithm: r.algorithms?.canonicalization,
    computedKeyAlgorithm: r.algorithms?.computedKey,
    keyWrapAlgorithm: r.algorithms?.keyWrap,
    signWith: r.algorithms?.signWith,
    encryptWith: r.algorithms?.encryptWith,
    forwardable: r.forwardable,
    delegatable: r.delegatable,
    useKey: r.useKeyEmpty ? {} : undefined,
    secondaryParameters: r.secondaryParameters ? { tokenType: r.secondaryParameters.tokenType, keyType: r.secondaryParameters.keyType } : undefined,
    extensions: r.extensions?.map((x) => ({ namespaceURI: FUZZ_NS, localName: x.local, node: raw(`<fz:${x.local} xmlns:fz="${FUZZ_NS}">${escapeText(x.text)}</fz:${x.local}>`) })),
    extensionAttributes: r.extensionAttribute ? { [r.extensionAttribute.local]: r.extensionAttribute.value } : undefined,
  };
  if (r.delegation) {
    const p = payload(r.delegation.token, r.delegation.subject);
    if (r.delegation.kind === "actAs") rst.actAs = p;
    else rst.onBehalfOf = p;
  }
  if (r.binding === "Renew" && r.target) rst.renewTarget = payload(r.target);
  if (r.binding === "Cancel" && r.target) rst.cancelTarget = payload(r.target);
  if (r.binding === "Validate" && r.target) rst.validateTarget = payload(r.target);
  return rst;
}

function actionFor(input: StsFuzzInput, binding: Binding): string {
  const T = TRUST[input.version];
  switch (input.action) {
    case "binding":
      return T.requestAction(binding);
    case "other-binding":
      return T.requestAction(binding === "Issue" ? "Validate" : "Issue");
    case "other-version":
      return TRUST[input.version === "2005" ? "1.3" : "2005"].requestAction(binding);
    case "bogus":
      return "urn:wsconform:fuzz:action";
  }
}

function elementKids(e: Element): Element[] {
  const out: Element[] = [];
  for (let c = e.firstChild; c; c = c.nextSibling) if (c.nodeType === ELEMENT_NODE) out.push(c as Element);
  return out;
}

/** Text of an element (own text and CDATA), untrimmed; undefined when it holds elements. */
function leafText(e: Element): string | undefined {
  let s = "";
  for (let c = e.firstChild; c; c = c.nextSibling) {
    if (c.nodeType === ELEMENT_NODE) return undefined;
    if (c.nodeType === TEXT_NODE || c.nodeType === CDATA_SECTION_NODE) s += (c as CharacterData).data;
  }
  return s;
}

function descendantsNS(root: Element, ns: string, local: string): Element[] {
  const out: Element[] = [];
  const stack = [root];
  while (stack.length) {
    const e = stack.pop()!;
    if (e.namespaceURI === ns && e.localName === local) out.push(e);
    for (const k of elementKids(e)) stack.push(k);
  }
  return out;
}

/** Whether the message proves the configured user's password; the reason when it does not. */
function authenticationProblem(env: Element, target: StsTarget, now: number): string | undefined {
  const uts = descendantsNS(env, NS.wsse, "UsernameToken");
  if (uts.length === 0) return "no UsernameToken";
  if (uts.length > 1) return "several UsernameTokens";
  const ut = uts[0]!;
  const kids = elementKids(ut);
  const one = (ns: string, local: string) => {
    const f = kids.filter((k) => k.namespaceURI === ns && k.localName === local);
    return f.length === 1 ? f[0] : f.length ? null : undefined;
  };
  const u = one(NS.wsse, "Username");
  const p = one(NS.wsse, "Password");
  if (!u) return "no single Username";
  if (!p) return "no single Password";
  const user = leafText(u)?.trim();
  if (user !== target.user.username) return `username ${JSON.stringify(user?.slice(0, 40))} is not the configured user`;
  const pw = leafText(p)?.trim() ?? "";
  const type = p.getAttribute("Type") || WSS.passwordText;
  if (type === WSS.passwordText) {
    if (pw !== target.user.password) return "wrong password";
  } else if (type === WSS.passwordDigest) {
    const n = one(NS.wsse, "Nonce");
    const c = one(NS.wsu, "Created");
    if (n === null || c === null) return "several Nonces or Created";
    const nonceText = n ? (leafText(n) ?? "") : undefined;
    const nonce = nonceText !== undefined ? Buffer.from(nonceText.trim(), "base64") : undefined;
    if (nonceText !== undefined && nonce!.toString("base64") !== nonceText.trim()) return "the Nonce is not base64";
    const createdText = c ? leafText(c) : undefined;
    if (pw !== passwordDigest(nonce, createdText, target.user.password)) return "wrong password digest";
  } else return "unknown password type";
  // WSS-TS-EXPIRED: an expired Timestamp, or one created in the future, beyond the claimed skew.
  const skew = (target.clockSkewSeconds + SKEW_MARGIN_S) * 1000;
  for (const ts of descendantsNS(env, NS.wsu, "Timestamp")) {
    for (const k of elementKids(ts)) {
      const t = parseXsDateTime(leafText(k) ?? "");
      if (t === undefined || k.namespaceURI !== NS.wsu) continue;
      if (k.localName === "Expires" && t < now - skew) return "the Timestamp has expired";
      if (k.localName === "Created" && t > now + skew) return "the Timestamp is created in the future";
    }
  }
  return undefined;
}

function rstFacts(rst: Element, version: StsFuzzInput["version"]): RstFacts {
  const tns = TRUST[version].ns;
  const kids = elementKids(rst);
  const named = (ns: string | string[], local: string) => kids.filter((k) => (Array.isArray(ns) ? ns.includes(k.namespaceURI ?? "") : k.namespaceURI === ns) && k.localName === local);
  const requestTypes = named(tns, "RequestType").map((e) => (leafText(e) ?? "").trim());
  const applies = named([NS.wsp, NS.wsp15], "AppliesTo")[0];
  const address = applies ? [...descendantsNS(applies, NS.wsa, "Address"), ...descendantsNS(applies, NS.wsa2004, "Address")][0] : undefined;
  const lt = named(tns, "Lifetime")[0];
  let lifetime: RstFacts["lifetime"];
  if (lt) {
    const get = (local: string) => {
      const e = elementKids(lt).find((k) => k.namespaceURI === NS.wsu && k.localName === local);
      return e ? parseXsDateTime(leafText(e) ?? "") : undefined;
    };
    lifetime = { created: get("Created"), expires: get("Expires") };
  }
  return {
    context: rst.getAttribute("Context") ?? undefined,
    requestTypes,
    binding: requestTypes.length === 1 ? bindingOfRequestType(version, requestTypes[0]!) : undefined,
    appliesTo: address ? leafText(address)?.trim() : undefined,
    keyType: named(tns, "KeyType").map((e) => (leafText(e) ?? "").trim())[0],
    hasEntropy: named(tns, "Entropy").length > 0,
    lifetime,
    forgedDelegation: named(tns, "OnBehalfOf").length > 0 || named(NS.wst14, "ActAs").length > 0,
  };
}

function factsOf(doc: Document, input: StsFuzzInput, target: StsTarget, now: number): MessageFacts {
  const env = doc.documentElement!;
  const soapNs = input.soap === "1.2" ? NS.s12 : NS.s11;
  const body = elementKids(env).find((k) => k.namespaceURI === soapNs && k.localName === "Body");
  const first = body ? elementKids(body)[0] : undefined;
  const tns = TRUST[input.version].ns;
  let bodyKind: MessageFacts["bodyKind"] = "other";
  let rsts: RstFacts[] = [];
  if (first?.namespaceURI === tns && first.localName === "RequestSecurityToken") {
    bodyKind = "RST";
    rsts = [rstFacts(first, input.version)];
  } else if (first?.namespaceURI === tns && first.localName === "RequestSecurityTokenCollection") {
    bodyKind = "RSTC";
    rsts = elementKids(first).map((k) => rstFacts(k, input.version));
  }
  const uts = descendantsNS(env, NS.wsse, "UsernameToken");
  return {
    authWrong: authenticationProblem(env, target, now),
    hasNonce: uts.some((u) => elementKids(u).some((k) => k.namespaceURI === NS.wsse && k.localName === "Nonce")),
    bodyKind,
    rsts,
    version: input.version,
    soap: input.soap,
    xxe: false,
  };
}

// UsernameToken nonces are cut from one random block, refilled when spent: a randomBytes call per message (a
// native call and an OpenSSL DRBG draw for 16 bytes) was 1% of a fuzz case's CPU.
const NONCE_BYTES = 16;
let noncePool = Buffer.alloc(0);
let nonceAt = 0;
function freshNonce(): Buffer {
  if (nonceAt + NONCE_BYTES > noncePool.length) {
    noncePool = randomBytes(NONCE_BYTES * 256);
    nonceAt = 0;
  }
  nonceAt += NONCE_BYTES;
  return noncePool.subarray(nonceAt - NONCE_BYTES, nonceAt);
}

/** Build the message a recipe describes, at the target's current time. */
export function buildStsMessage(input: StsFuzzInput, target: StsTarget, canaryUrl?: string): BuiltMessage {
  const now = target.clock.now();
  const a = input.auth;
  const rsts = input.body.kind === "RST" ? [input.body.rst] : input.body.rsts;
  const models = rsts.map((r) => toModel(r, input, target, now));
  const body: RequestSecurityToken | RequestSecurityTokenCollection = input.body.kind === "RST" ? models[0]! : { version: input.version, requests: models };
  const binding: Binding = input.body.kind === "RST" ? input.body.rst.binding : "Issue";
  const action = actionFor(input, binding);
  const ts = a.timestamp === "absent" ? null : a.timestamp;
  const password = a.password === "right" ? target.user.password : a.password === "empty" ? "" : `${target.user.password}x`;
  const needsCreated = a.passwordType === "digest" || a.nonce;
  let xml = buildRequestMessage({
    soapVersion: input.soap,
    trustVersion: input.version,
    body,
    now: now + (ts ? ts.createdShiftS * 1000 : 0),
    timestampSeconds: ts ? ts.lifetimeS : null,
    messageId: `urn:uuid:${randomUUID()}`,
    action,
    usernameToken: {
      username: a.user === "configured" ? target.user.username : "wsconform-fuzz-unknown",
      password,
      passwordType: a.passwordType,
      nonce: needsCreated ? freshNonce() : undefined,
      created: needsCreated ? now + a.utCreatedShiftS * 1000 : undefined,
    },
  });
  // Our own message is parsed only when a DOM mutation needs it, or when an oracle asks for the facts (most
  // answers are faults, whose judging needs none): parsing is a large part of the harness's time per case.
  let doc: Document | undefined;
  if (input.mutations.some(isDomMutation)) {
    doc = parseXml(xml);
    applyDomMutations(doc, input.mutations);
    xml = serializeDoc(doc);
  }
  const beforeText = xml;
  const mutated = applyTextMutations(xml, input.mutations);
  const xxe = mutated.includes(CANARY_PLACEHOLDER);
  let facts: MessageFacts | undefined;
  const lazyFacts = () => {
    facts ??= { ...factsOf(doc ?? parseXml(beforeText), input, target, now), xxe };
    return facts;
  };
  xml = canaryUrl ? mutated.split(CANARY_PLACEHOLDER).join(canaryUrl) : mutated;
  const transportAction = input.transportAction === "same" ? action : input.transportAction === "absent" ? undefined : TRUST[input.version].requestAction(binding === "Cancel" ? "Renew" : "Cancel");
  const declaredSoap = input.contentType === "matching" ? input.soap : input.soap === "1.2" ? "1.1" : "1.2";
  const path = target.endpoint(input.version, "username")!;
  return {
    request: {
      path,
      contentType: declaredSoap === "1.2" ? `application/soap+xml; charset=utf-8${transportAction ? `; action="${transportAction}"` : ""}` : "text/xml; charset=utf-8",
      soapAction: declaredSoap === "1.1" ? (transportAction ?? "") : undefined,
      body: xml,
    },
    facts: lazyFacts,
  };
}
