// Shared moves of the WS-Trust cases: build a request for the target, require an answer of the right shape, read
// the token. Each helper turns a target's misbehaviour into a check with a message a vendor can act on.
import { NS, TOKEN_TYPES, TRUST, type KeyTypeName, type TrustVersion } from "../../protocol/namespaces.ts";
import { verifyEnvelopedSignature } from "../../protocol/dsig/verify.ts";
import { parseAssertion } from "../../protocol/saml/parse.ts";
import type { ParsedAssertion } from "../../protocol/saml/model.ts";
import type { RequestSecurityToken, RequestSecurityTokenResponse } from "../../protocol/trust/model.ts";
import type { Exchange } from "../../adapters/sts-client.ts";
import { TargetError, type CaseContext } from "../case.ts";

/** An Issue RST for the target's registered relying party (SAML 2.0 bearer unless overridden). */
export function issueRst(t: CaseContext, version: TrustVersion, extra: Partial<RequestSecurityToken> = {}): RequestSecurityToken {
  const T = TRUST[version];
  return {
    version,
    requestType: T.requestType("Issue"),
    tokenType: t.target.capabilities.tokenTypes.includes("saml20") ? TOKEN_TYPES.saml20 : TOKEN_TYPES.saml11,
    keyType: T.keyType("Bearer"),
    appliesTo: { address: t.target.appliesTo.registered },
    ...extra,
  };
}

export function keyTypeUri(version: TrustVersion, k: KeyTypeName): string {
  return TRUST[version].keyType(k);
}

function describe(ex: Exchange): string {
  if (ex.fault) return `a fault ${ex.fault.code.local} (${ex.fault.reason.slice(0, 200)})`;
  if (ex.parseError) return `HTTP ${ex.response?.status} with an unreadable body (${ex.parseError.slice(0, 200)})`;
  return `HTTP ${ex.response?.status}`;
}

/** The request must succeed: a readable SOAP answer without a fault. */
export function expectSuccess(t: CaseContext, ex: Exchange, requirement?: string): Exchange {
  t.answered(ex);
  // An answer that is not SOAP at all says nothing about the requirement under test: the case cannot be judged.
  if (ex.parseError && !ex.envelope) throw new TargetError(`the target's answer is not a SOAP message: ${describe(ex)}`);
  t.check(!ex.fault && !ex.parseError && ex.message, `the request should have succeeded; the target answered ${describe(ex)}`, requirement);
  return ex;
}

/** The first RSTR of a successful answer (bare, or inside an RSTRC). */
export function rstrOf(ex: Exchange): RequestSecurityTokenResponse | undefined {
  const m = ex.message;
  if (m?.kind === "RSTR") return m.message;
  if (m?.kind === "RSTRC") return m.message.responses[0];
  return undefined;
}

export function requireRstr(t: CaseContext, ex: Exchange, requirement?: string): RequestSecurityTokenResponse {
  expectSuccess(t, ex, requirement);
  const r = rstrOf(ex);
  t.check(r, `the answer body is ${ex.message?.kind ?? "empty"}, not an RSTR/RSTRC`, requirement);
  return r;
}

/** The issued SAML assertion of a response. */
export function requireToken(t: CaseContext, ex: Exchange, requirement?: string): { rstr: RequestSecurityTokenResponse; token: Element; assertion: ParsedAssertion } {
  const rstr = requireRstr(t, ex, requirement);
  const token = rstr.requestedSecurityToken?.element;
  t.check(token, "the RSTR carries no RequestedSecurityToken", requirement);
  t.check(token.namespaceURI === NS.saml2 || token.namespaceURI === NS.saml11, `the returned token is {${token.namespaceURI}}${token.localName}, not a SAML assertion`, requirement);
  let assertion: ParsedAssertion;
  try {
    assertion = parseAssertion(token);
  } catch (e) {
    t.check(false, `the returned assertion is malformed: ${(e as Error).message}`, requirement);
  }
  return { rstr, token, assertion: assertion! };
}

/** The token's signature must verify against the target's declared signing certificates. */
export function requireSignedByTarget(t: CaseContext, token: Element, requirement?: string): void {
  if (t.target.trustAnchors.length === 0) t.skip("no trust anchors are configured (trustAnchors), so token signatures cannot be judged");
  const v = verifyEnvelopedSignature(token, t.target.trustAnchors);
  t.check(v.ok, `the token signature does not verify against the target's signing certificates: ${v.ok ? "" : v.reason}`, requirement);
}

/** The request must be refused with a SOAP fault, ideally with one of the given codes. */
export function expectFault(
  t: CaseContext,
  ex: Exchange,
  codes: { ns: string; local: string }[],
  requirement?: string,
): void {
  t.answered(ex);
  t.check(!ex.message || ex.fault, `the target accepted a request it must refuse (it answered ${ex.message?.kind})`, requirement);
  t.check(ex.fault, `the refusal is not a SOAP fault: ${describe(ex)}`, "T78");
  const ok = codes.some((c) => c.ns === ex.fault!.code.ns && c.local === ex.fault!.code.local);
  t.check(ok, `fault code {${ex.fault!.code.ns}}${ex.fault!.code.local}; expected ${codes.map((c) => c.local).join(" or ")}`, "T78");
}

/** Fault codes in the trust namespace of a version. */
export function wstCode(version: TrustVersion, local: string): { ns: string; local: string } {
  return { ns: TRUST[version].ns, local };
}

export function wsseCode(local: string): { ns: string; local: string } {
  return { ns: NS.wsse, local };
}
