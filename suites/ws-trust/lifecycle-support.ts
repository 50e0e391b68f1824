// Shared moves of the Validate/Renew/Cancel, fault and requestor-authentication cases: obtain a token to work on,
// build the binding's RST, spoil a token (tampered, foreign issuer), read a Status, and judge a refusal. Like
// support.ts, every helper turns a target's misbehaviour into a check with a message a vendor can act on; a
// precondition the target cannot meet (no token to validate) ends the case in ERROR, not FAIL, because the
// requirement under test could not be judged.
import { randomUUID } from "node:crypto";
import { NS, TRUST, type Binding, type TrustVersion } from "../../protocol/namespaces.ts";
import { signAssertion } from "../../protocol/saml/build.ts";
import { parseAssertion } from "../../protocol/saml/parse.ts";
import type { ParsedAssertion } from "../../protocol/saml/model.ts";
import { soapNamespace, type SoapVersion } from "../../protocol/soap.ts";
import type { RequestSecurityToken, RequestSecurityTokenResponse } from "../../protocol/trust/model.ts";
import { generateSelfSignedCertificate, type CertifiedKey } from "../../protocol/x509/certificate.ts";
import { parseXml } from "../../protocol/xml/safe-parse.ts";
import type { Exchange } from "../../adapters/sts-client.ts";
import { TargetError, type CaseContext, type ClientOptions } from "../case.ts";
import { issueRst, rstrOf } from "./support.ts";

/** The versions the lifecycle and fault cases are written for (1.4 shares the 1.3 bindings and endpoints). */
export const LIFECYCLE_VERSIONS: TrustVersion[] = ["1.3", "2005"];

export const needVersion = (version: TrustVersion) => ({ kind: "version" as const, version });
export const needOperation = (operation: "Issue" | "Validate" | "Renew" | "Cancel") => ({ kind: "operation" as const, operation });

export interface IssuedToken {
  token: Element;
  assertion: ParsedAssertion;
  rstr: RequestSecurityTokenResponse;
}

function describeAnswer(ex: Exchange): string {
  if (ex.transportError) return `no answer (${ex.transportError.kind}: ${ex.transportError.message})`;
  if (ex.fault) return `a fault {${ex.fault.code.ns}}${ex.fault.code.local} (${ex.fault.reason.slice(0, 200)})`;
  if (ex.parseError) return `HTTP ${ex.response?.status} with an unreadable body (${ex.parseError.slice(0, 200)})`;
  return `a ${ex.message?.kind ?? "body"} without a token`;
}

/**
 * A fresh token from the target (an Issue for the registered relying party) to validate, renew or cancel. When the
 * target will not issue one, the case cannot judge its requirement: ERROR with the reason.
 */
export async function obtainToken(
  t: CaseContext,
  version: TrustVersion,
  extra: Partial<RequestSecurityToken> = {},
  client: Omit<ClientOptions, "version"> = {},
): Promise<IssuedToken> {
  const ex = await t.client({ ...client, version }).send(issueRst(t, version, extra));
  const rstr = rstrOf(ex);
  const token = rstr?.requestedSecurityToken?.element;
  if (!rstr || !token || ex.fault) {
    throw new TargetError(`precondition: the target did not issue a token to work on; it answered ${describeAnswer(ex)}`);
  }
  let assertion: ParsedAssertion;
  try {
    assertion = parseAssertion(token);
  } catch (e) {
    throw new TargetError(`precondition: the issued token is not a readable SAML assertion: ${(e as Error).message}`);
  }
  return { token, assertion, rstr };
}

/** The RST of a Validate, Renew or Cancel binding, with the token as its target element. */
export function bindingRst(version: TrustVersion, binding: "Validate" | "Renew" | "Cancel", token: Element | undefined, extra: Partial<RequestSecurityToken> = {}): RequestSecurityToken {
  const T = TRUST[version];
  const rst: RequestSecurityToken = { version, requestType: T.requestType(binding), ...extra };
  if (token) {
    if (binding === "Validate") {
      rst.validateTarget = { element: token };
      rst.tokenType ??= T.statusTokenType;
    } else if (binding === "Renew") rst.renewTarget = { element: token };
    else rst.cancelTarget = { element: token };
  } else if (binding === "Validate") {
    rst.tokenType ??= T.statusTokenType;
  }
  return rst;
}

/** Send a Validate for the token and return the exchange. */
export async function validateToken(t: CaseContext, version: TrustVersion, token: Element): Promise<Exchange> {
  return t.client({ version }).send(bindingRst(version, "Validate", token));
}

/**
 * The Status of a Validate answer: it must be a readable, bare RSTR carrying wst:Status/wst:Code (an invalid token
 * is a Status answer, not a fault; digest §2.6).
 */
export function requireStatus(t: CaseContext, ex: Exchange, version: TrustVersion, requirement?: string): { rstr: RequestSecurityTokenResponse; code: string; reason?: string } {
  t.answered(ex);
  t.check(!ex.fault, `Validate must answer with a Status, also for a token it finds invalid; the target answered a fault {${ex.fault?.code.ns}}${ex.fault?.code.local} (${ex.fault?.reason.slice(0, 200)})`, requirement);
  t.check(!ex.parseError && ex.message, `the Validate answer is not a readable WS-Trust message: HTTP ${ex.response?.status} (${ex.parseError?.slice(0, 200) ?? "no body"})`, requirement);
  const rstr = rstrOf(ex);
  t.check(rstr, `the Validate answer body is ${ex.message.kind}, not an RSTR`, requirement);
  t.check(rstr.status, "the Validate RSTR carries no wst:Status", requirement);
  const T = TRUST[version];
  t.check(
    rstr.status.code === T.statusValid || rstr.status.code === T.statusInvalid,
    `wst:Status/wst:Code is ${rstr.status.code}, neither ${T.statusValid} nor ${T.statusInvalid}`,
    requirement,
  );
  return { rstr, code: rstr.status.code, reason: rstr.status.reason };
}

/** A copy of the token in a fresh document with its subject NameID text changed after signing. */
export function tamperedToken(token: Element): Element {
  const xml = token.toString();
  const re = /(<(?:[A-Za-z_][\w.-]*:)?(?:NameID|NameIdentifier)\b[^>]*>)([^<]*)(<)/;
  const m = re.exec(xml);
  if (!m) throw new Error("harness: the token has no NameID/NameIdentifier text to tamper with");
  const changed = xml.replace(re, (_all, open: string, text: string, lt: string) => `${open}${text}-tampered${lt}`);
  return parseXml(changed).documentElement!;
}

let foreignKey: CertifiedKey | undefined;
/** A signing key no target trusts (generated once per process). */
function foreignSigningKey(now: number): CertifiedKey {
  foreignKey ??= generateSelfSignedCertificate({ commonName: "wsconform foreign issuer", notBeforeMs: now - 86400_000, notAfterMs: now + 10 * 365 * 86400_000 });
  return foreignKey;
}

/**
 * The same claims as a token the target issued, in a fresh assertion signed by a key the target does not trust
 * (a foreign issuer using the target's issuer name).
 */
export function foreignToken(t: CaseContext, original: ParsedAssertion): Element {
  const key = foreignSigningKey(t.target.clock.now());
  const xml = signAssertion(
    {
      version: original.version,
      id: `_${randomUUID()}`,
      issuer: original.issuer,
      issueInstant: original.issueInstant,
      subject: original.subject,
      confirmation: { method: "bearer", notOnOrAfter: original.notOnOrAfter },
      notBefore: original.notBefore,
      notOnOrAfter: original.notOnOrAfter,
      audiences: original.audiences,
      authn: original.authn,
      attributes: original.attributes,
    },
    { privateKey: key.privateKey, certDer: key.certDer },
  );
  return parseXml(xml).documentElement!;
}

/** Move the target's clock past the token's NotOnOrAfter plus the claimed skew tolerance (never sleeps). */
export function expireToken(t: CaseContext, assertion: ParsedAssertion, extraMs = 1000): void {
  const clock = t.target.controlledClock;
  if (!clock) t.skip("the target's clock is not controlled by the harness");
  const after = assertion.notOnOrAfter + t.target.clockSkewSeconds * 1000 + extraMs;
  if (clock.now() < after) clock.set(after);
}

export interface Code {
  ns: string;
  local: string;
}

function codeName(c: Code): string {
  const prefix = c.ns === NS.wsse ? "wsse" : c.ns === NS.wst13 ? "wst(1.3)" : c.ns === NS.wst2005 ? "wst(2005)" : c.ns === NS.fed ? "fed" : c.ns === NS.s11 ? "soap11" : c.ns === NS.s12 ? "soap12" : `{${c.ns}}`;
  return `${prefix}:${c.local}`;
}

/**
 * The request must be refused: an answer that is not a success (else `requirement`), a SOAP fault (else T78),
 * whose code is one of `codes` (else `codeRequirement`, T78 unless told). When `preferred` is given and the code is
 * acceptable but not the preferred one, the difference is recorded as an observation.
 */
export function expectRefusal(
  t: CaseContext,
  ex: Exchange,
  codes: Code[],
  o: { requirement?: string; codeRequirement?: string; preferred?: Code; what?: string } = {},
): void {
  t.answered(ex);
  const what = o.what ?? "a request it must refuse";
  t.check(!ex.message || ex.fault, `the target accepted ${what} (it answered ${ex.message?.kind})`, o.requirement);
  t.check(ex.fault, `the refusal is not a SOAP fault: HTTP ${ex.response?.status} ${ex.response?.contentType ?? ""} (${ex.parseError?.slice(0, 200) ?? "no fault"})`, "T78");
  const got = ex.fault.code;
  const ok = codes.some((c) => c.ns === got.ns && c.local === got.local);
  t.check(ok, `fault code ${codeName(got)} (${ex.fault.reason.slice(0, 200)}); expected ${codes.map(codeName).join(" or ")}`, o.codeRequirement ?? "T78");
  if (o.preferred && !(o.preferred.ns === got.ns && o.preferred.local === got.local)) {
    t.info(`refused with ${codeName(got)}; ${codeName(o.preferred)} is the most specific code`);
  }
}

/** The SOAP-level Sender/Client code of a SOAP version (a refusal at the envelope or XML layer may carry only this). */
export function soapSenderCode(soap: SoapVersion): Code {
  return { ns: soapNamespace(soap), local: soap === "1.1" ? "Client" : "Sender" };
}

/** Trust-namespace codes of a version. */
export function wst(version: TrustVersion, ...locals: string[]): Code[] {
  return locals.map((local) => ({ ns: TRUST[version].ns, local }));
}

/** wsse (WSS 1.0 secext) codes. */
export function wsse(...locals: string[]): Code[] {
  return locals.map((local) => ({ ns: NS.wsse, local }));
}

/** The final response Action of a binding in a version (1.3: RSTR/<b>Final; 2005: RSTR/<b>). */
export function finalAction(version: TrustVersion, binding: Binding): string {
  return TRUST[version].finalResponseAction(binding);
}

/** Replace the first match in a built message; a pattern that does not match is a harness bug (ERROR). */
export function edit(xml: string, pattern: RegExp, replacement: string): string {
  if (!pattern.test(xml)) throw new Error(`harness: the request has nothing matching ${pattern} to edit`);
  return xml.replace(pattern, replacement);
}
