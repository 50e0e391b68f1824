// The Validate binding (WS-Trust 1.3 §7): an invalid token is a Status answer, not a fault (digest §2.6).
import { TRUST, type TrustVersion } from "../protocol/namespaces.ts";
import type { RequestSecurityToken, RequestSecurityTokenResponse } from "../protocol/trust/model.ts";
import type { StsContext } from "./context.ts";
import { checkPresentedAssertion, isSamlAssertion } from "./delegation.ts";
import { wst } from "./fault.ts";

/** Why a token presented for validation is invalid, or undefined when it is valid. */
export function invalidReason(ctx: StsContext, el: Element): string | undefined {
  const check = checkPresentedAssertion(el, ctx.ownAnchors);
  if (!check.ok) return check.reason;
  const a = check.assertion;
  if (a.issuer !== ctx.config.issuer) return `issuer ${a.issuer} is not this STS`;
  const now = ctx.clock.now();
  const skew = ctx.config.clockSkewSeconds * 1000;
  if (now + skew < a.notBefore) return "the token is not yet valid";
  if (now - skew >= a.notOnOrAfter) return "the token has expired";
  if (ctx.store.isCancelled(a.id)) return "the token has been cancelled";
  return undefined;
}

export function validate(ctx: StsContext, rst: RequestSecurityToken, version: TrustVersion): RequestSecurityTokenResponse {
  const T = TRUST[version];
  const target = rst.validateTarget?.element;
  if (!rst.validateTarget) throw wst(version, "InvalidRequest", "a Validate request needs exactly one wst:ValidateTarget");
  if (rst.tokenType !== undefined && rst.tokenType !== T.statusTokenType) {
    throw wst(version, "BadRequest", `Validate here answers with the status token type only, not ${rst.tokenType}`);
  }
  if (!isSamlAssertion(target)) throw wst(version, "BadRequest", "ValidateTarget must hold a SAML 1.1 or 2.0 assertion");
  const reason = ctx.defects.has("validate-always-valid") ? undefined : invalidReason(ctx, target);
  const rstr: RequestSecurityTokenResponse = {
    version,
    tokenType: T.statusTokenType,
    requestType: T.requestType("Validate"),
    status: reason === undefined ? { code: T.statusValid, reason: "The token is valid" } : { code: T.statusInvalid, reason },
  };
  if (rst.context !== undefined && !ctx.defects.has("context-not-echoed")) rstr.context = rst.context;
  return rstr;
}
