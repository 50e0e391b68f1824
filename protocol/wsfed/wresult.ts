// Reading the wresult of a WS-Federation sign-in response (digest §5.4, WS-Fed 1.2 §13.2.3, §13.6.3). A tolerant
// relying party accepts every shape seen in the field (F20): a WS-Trust 2005 RSTR (AD FS, Entra), a 1.3 RSTR, a
// 1.3 RSTRC holding one RSTR, any of those inside a SOAP 1.1/1.2 Envelope, or a SOAP Fault (F24). It is strict
// about what the token is: exactly one RequestedSecurityToken (F21) holding one SAML assertion (F22), and an
// AppliesTo, when present, that the token's audience agrees with (F23). Signature and claims checks are the
// consumer's (protocol/saml/consume.ts); this only finds the assertion element, in its own parsed document.
import { NS, TRUST, type TrustVersion } from "../namespaces.ts";
import { parseFault, soapVersionOfNamespace, type FaultCode, type ParsedEnvelope, type SoapVersion } from "../soap.ts";
import { parseRequestSecurityTokenResponse } from "../trust/parse.ts";
import { serializeRequestSecurityTokenResponse, serializeRequestSecurityTokenResponseCollection, trustPrefixes } from "../trust/serialize.ts";
import { buildEnvelope, buildFaultEnvelope, soapFault, type SoapFault } from "../soap.ts";
import { raw, serialize } from "../xml/writer.ts";
import type { Lifetime, RequestSecurityTokenResponse } from "../trust/model.ts";
import { ModelError, children, descendants, textOf } from "../xml/dom.ts";
import { XmlError, parseXml, type XmlLimits } from "../xml/safe-parse.ts";
import { serializeDom } from "../xml/dom-serialize.ts";

/**
 * Limits for a wresult: a signed assertion in an RSTR inside an Envelope nests about a dozen deep and holds a few
 * hundred elements; claims-heavy tokens stay well inside these.
 */
export const WRESULT_LIMITS: XmlLimits = { maxBytes: 1024 * 1024, maxDepth: 40, maxAttributes: 64, maxElements: 10_000 };

export type WresultShape = "RSTR" | "RSTRC";

export interface WresultToken {
  kind: "token";
  /** The SAML assertion inside RequestedSecurityToken (its ownerDocument is the whole wresult). */
  assertion: Element;
  samlVersion: "1.1" | "2.0";
  /** wsp:AppliesTo/wsa:EndpointReference/wsa:Address, when sent. */
  appliesTo?: string;
  lifetime?: Lifetime;
  tokenType?: string;
  trustVersion: TrustVersion;
  /** The RSTR's @Context, when sent. */
  context?: string;
  shape: WresultShape;
  /** The SOAP version of the carrying envelope; undefined for a bare RSTR/RSTRC. */
  soapVersion?: SoapVersion;
  rstr: RequestSecurityTokenResponse;
}

export interface WresultFault {
  kind: "fault";
  code: FaultCode;
  codeText: string;
  reason: string;
  soapVersion: SoapVersion;
}

export type ParsedWresult = WresultToken | WresultFault;

export type WresultErrorCode =
  /** Not XML, a DTD, or over the limits. */
  | "not-xml"
  /** The root is none of the accepted shapes (F20). */
  | "unknown-shape"
  /** The RSTR has no RequestedSecurityToken (F21). */
  | "no-requested-security-token"
  /** More or fewer than one token (an RSTRC with several RSTRs, several assertions). */
  | "token-count"
  /** The token is not a SAML 1.1/2.0 assertion (F22: other formats only by policy). */
  | "unsupported-token"
  /** AppliesTo disagrees with the token's audience (F23). */
  | "applies-to-mismatch"
  /** The content does not fit the WS-Trust / SOAP model. */
  | "malformed";

export class WresultError extends Error {
  override readonly name = "WresultError";
  constructor(
    readonly code: WresultErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Requirement ids a wresult refusal is about (for verdicts and rejection pages). */
export const WRESULT_ERROR_RULES: Record<WresultErrorCode, string[]> = {
  "not-xml": ["SAML-NO-DTD"],
  "unknown-shape": ["F20"],
  "no-requested-security-token": ["F21"],
  "token-count": ["F21"],
  "unsupported-token": ["F22"],
  "applies-to-mismatch": ["F23"],
  malformed: ["F20"],
};

const SAML_NS: readonly string[] = [NS.saml11, NS.saml2];

function isSoapEnvelope(e: Element): boolean {
  return e.localName === "Envelope" && soapVersionOfNamespace(e.namespaceURI) !== undefined;
}

function isSoapFault(e: Element): boolean {
  return e.localName === "Fault" && soapVersionOfNamespace(e.namespaceURI) !== undefined;
}

function isTrust(e: Element, local: string): boolean {
  return (e.namespaceURI === NS.wst2005 || e.namespaceURI === NS.wst13) && e.localName === local;
}

/** The single Body child of an Envelope, with the same structure rules as protocol/soap.ts (Header?, Body). */
function bodyChildOf(envelope: Element): Element {
  const ns = envelope.namespaceURI!;
  const parts = children(envelope);
  let i = 0;
  if (parts[i]?.namespaceURI === ns && parts[i]?.localName === "Header") i++;
  const body = parts[i++];
  if (!body || body.namespaceURI !== ns || body.localName !== "Body" || i < parts.length) {
    throw new WresultError("malformed", "the Envelope must hold an optional Header and then a Body");
  }
  const kids = children(body);
  if (kids.length !== 1) throw new WresultError("malformed", `the Body holds ${kids.length} elements; exactly one is expected`);
  return kids[0]!;
}

function faultOf(fault: Element, doc: Document): WresultFault {
  const soapVersion = soapVersionOfNamespace(fault.namespaceURI)!;
  // parseFault reads only the version and the Body child, so a bare Fault root can be handed over as one.
  const env = { version: soapVersion, doc, envelope: fault, headers: [], body: fault, bodyChild: fault } as ParsedEnvelope;
  const f = parseFault(env);
  if (!f) throw new WresultError("malformed", "not a SOAP fault");
  return { kind: "fault", code: f.code, codeText: f.codeText, reason: f.reason, soapVersion };
}

/** Every Audience of the assertion's audience restrictions (read without trusting it: only to compare, F23). */
function audiencesOf(assertion: Element): string[][] {
  const ns = assertion.namespaceURI!;
  const restriction = ns === NS.saml2 ? "AudienceRestriction" : "AudienceRestrictionCondition";
  const out: string[][] = [];
  for (const cond of children(assertion, ns, "Conditions")) {
    for (const r of children(cond, ns, restriction)) out.push(children(r, ns, "Audience").map((a) => textOf(a)));
  }
  return out;
}

function tokenOf(rstrEl: Element, shape: WresultShape, soapVersion: SoapVersion | undefined, skipAppliesToCheck = false): WresultToken {
  let rstr: RequestSecurityTokenResponse;
  try {
    rstr = parseRequestSecurityTokenResponse(rstrEl);
  } catch (e) {
    if (e instanceof ModelError) {
      // The RSTR parser reports a RequestedSecurityToken that does not hold exactly one element by that name.
      if (/RequestedSecurityToken/.test(e.message)) throw new WresultError("token-count", e.message);
      throw new WresultError("malformed", e.message);
    }
    throw e;
  }
  const token = rstr.requestedSecurityToken?.element;
  if (!rstr.requestedSecurityToken) {
    throw new WresultError("no-requested-security-token", "the RequestSecurityTokenResponse carries no RequestedSecurityToken");
  }
  if (!token) throw new WresultError("token-count", "RequestedSecurityToken is empty");
  if (token.localName === "EncryptedAssertion") {
    throw new WresultError("unsupported-token", "an encrypted assertion is not supported by this relying party");
  }
  if (!(token.localName === "Assertion" && SAML_NS.includes(token.namespaceURI ?? ""))) {
    throw new WresultError("unsupported-token", `the token is {${token.namespaceURI ?? ""}}${token.localName}, not a SAML 1.1 or 2.0 assertion`);
  }
  const appliesTo = rstr.appliesTo?.address;
  if (rstr.appliesTo && appliesTo === undefined) {
    throw new WresultError("malformed", "AppliesTo carries no wsa:EndpointReference/wsa:Address");
  }
  if (appliesTo !== undefined && !skipAppliesToCheck) {
    const restrictions = audiencesOf(token);
    // The token must be for the AppliesTo's realm: every restriction names it (a token with no restriction is
    // the consumer's to refuse; here it cannot disagree).
    if (restrictions.some((auds) => !auds.includes(appliesTo))) {
      throw new WresultError("applies-to-mismatch", `AppliesTo ${appliesTo} is not the token's audience (${restrictions.map((r) => r.join(" ")).join("; ")})`);
    }
  }
  return {
    kind: "token",
    assertion: token,
    samlVersion: token.namespaceURI === NS.saml2 ? "2.0" : "1.1",
    appliesTo,
    lifetime: rstr.lifetime,
    tokenType: rstr.tokenType,
    trustVersion: rstr.version,
    context: rstr.context,
    shape,
    soapVersion,
    rstr,
  };
}

/**
 * Parse a wresult value. Returns the token (with the assertion element) or the fault; throws WresultError for
 * anything else.
 */
export interface ParseWresultOptions {
  limits?: Partial<XmlLimits>;
  /**
   * Take the assertion in RequestedSecurityToken even when other assertions sit elsewhere in the wresult. Only for
   * the harness RP's accept-xsw defect: a clean relying party must not have to choose between tokens.
   */
  allowOtherAssertions?: boolean;
  /** Do not compare AppliesTo with the token's audience. Only for the harness RP's skip-audience defect. */
  skipAppliesToCheck?: boolean;
}

export function parseWresult(wresult: string, options: ParseWresultOptions = {}): ParsedWresult {
  const limits = options.limits ?? {};
  let doc: Document;
  try {
    doc = parseXml(wresult, { ...WRESULT_LIMITS, ...limits });
  } catch (e) {
    if (e instanceof XmlError) throw new WresultError("not-xml", e.message);
    throw e;
  }
  let root: Element = doc.documentElement!;
  let soapVersion: SoapVersion | undefined;
  if (isSoapEnvelope(root)) {
    soapVersion = soapVersionOfNamespace(root.namespaceURI);
    root = bodyChildOf(root);
  }
  if (isSoapFault(root)) {
    try {
      return faultOf(root, doc);
    } catch (e) {
      if (e instanceof ModelError) throw new WresultError("malformed", e.message);
      throw e;
    }
  }
  // Exactly one token in the whole document: a second assertion anywhere (an RSTR extension, a header) is the
  // raw material of signature wrapping, and a relying party must not have to choose.
  const assertions = [...descendants(doc, NS.saml2, "Assertion"), ...descendants(doc, NS.saml11, "Assertion")];
  if (assertions.length > 1 && !options.allowOtherAssertions) throw new WresultError("token-count", `the wresult holds ${assertions.length} SAML assertions; exactly one is accepted`);
  if (isTrust(root, "RequestSecurityTokenResponse")) return tokenOf(root, "RSTR", soapVersion, options.skipAppliesToCheck);
  if (isTrust(root, "RequestSecurityTokenResponseCollection")) {
    const rstrs = children(root);
    if (rstrs.some((r) => !isTrust(r, "RequestSecurityTokenResponse") || r.namespaceURI !== root.namespaceURI)) {
      throw new WresultError("malformed", "a RequestSecurityTokenResponseCollection may hold only RequestSecurityTokenResponse");
    }
    if (rstrs.length !== 1) throw new WresultError("token-count", `the RSTRC holds ${rstrs.length} responses; a sign-in response carries exactly one`);
    return tokenOf(rstrs[0]!, "RSTRC", soapVersion, options.skipAppliesToCheck);
  }
  if (root.localName === "Assertion" && SAML_NS.includes(root.namespaceURI ?? "")) {
    throw new WresultError("no-requested-security-token", "a bare assertion is not a wresult: it must be inside an RSTR's RequestedSecurityToken");
  }
  throw new WresultError("unknown-shape", `wresult root {${root.namespaceURI ?? ""}}${root.localName} is not an RSTR, an RSTRC, a SOAP envelope or a fault`);
}

// ---- writing (the harness plays the IdP) ----------------------------------------------------------------------

export interface WresultSpec {
  /** The signed assertion, written byte for byte into RequestedSecurityToken. */
  assertionXml: string;
  /** "2005" (AD FS wire format), "1.3" RSTR, or "1.3-rstrc" (an RSTRC holding the RSTR). */
  format: "2005" | "1.3" | "1.3-rstrc";
  /** Wrap in a SOAP envelope of this version. */
  soap?: SoapVersion;
  appliesTo?: string;
  lifetime?: { created: number; expires: number };
  tokenType?: string;
  context?: string;
}

/** A sign-in response body (wresult) in one of the shapes a relying party must accept (F20). */
export function buildWresult(spec: WresultSpec): string {
  const version: TrustVersion = spec.format === "2005" ? "2005" : "1.3";
  const rstr: RequestSecurityTokenResponse = {
    version,
    context: spec.context,
    lifetime: spec.lifetime,
    appliesTo: spec.appliesTo !== undefined ? { address: spec.appliesTo } : undefined,
    requestedSecurityToken: { node: raw(spec.assertionXml) },
    tokenType: spec.tokenType,
    requestType: TRUST[version].requestType("Issue"),
    // The bearer spellings AD FS sends: 2005 NoProofKey, 1.3 .../Bearer.
    keyType: TRUST[version].keyType("Bearer"),
  };
  const body =
    spec.format === "1.3-rstrc"
      ? serializeRequestSecurityTokenResponseCollection({ version, responses: [rstr] })
      : serializeRequestSecurityTokenResponse(rstr);
  const prefixes = trustPrefixes(version);
  return spec.soap ? buildEnvelope({ version: spec.soap, body, prefixes }) : serialize(body, prefixes);
}

/** A wresult carrying a SOAP fault (F24), in an envelope or as a bare Fault element. */
export function buildFaultWresult(soapVersion: SoapVersion, fault: SoapFault | string, bare = false): string {
  const xml = buildFaultEnvelope(soapVersion, typeof fault === "string" ? soapFault(soapVersion, "Sender", fault) : fault);
  if (!bare) return xml;
  const doc = parseXml(xml);
  const f = descendants(doc, soapVersion === "1.2" ? NS.s12 : NS.s11, "Fault")[0]!;
  return serializeDom(f);
}
