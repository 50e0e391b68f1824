// The Cancel binding (WS-Trust 1.3 §6): afterwards the token validates invalid and cannot be renewed (T53).
import { NS, TRUST, type TrustVersion } from "../protocol/namespaces.ts";
import type { RequestSecurityToken, RequestSecurityTokenResponse } from "../protocol/trust/model.ts";
import { children, is, textOf } from "../protocol/xml/dom.ts";
import type { Requestor } from "./authn.ts";
import type { StsContext } from "./context.ts";
import { checkPresentedAssertion, isSamlAssertion } from "./delegation.ts";
import { wst } from "./fault.ts";

/** The id of the token a CancelTarget names: an inline assertion (signature checked) or an STR KeyIdentifier. */
function targetId(ctx: StsContext, version: TrustVersion, el: Element | undefined): string {
  if (isSamlAssertion(el)) {
    const check = checkPresentedAssertion(el, ctx.ownAnchors);
    if (!check.ok) throw wst(version, "InvalidRequest", `the token cannot be cancelled: ${check.reason}`);
    return check.assertion.id;
  }
  if (el && is(el, NS.wsse, "SecurityTokenReference")) {
    const ki = children(el, NS.wsse, "KeyIdentifier")[0];
    if (ki) return textOf(ki);
  }
  throw wst(version, "BadRequest", "CancelTarget must hold a SAML assertion or an STR with a KeyIdentifier");
}

export function cancel(
  ctx: StsContext,
  rst: RequestSecurityToken,
  requestor: Requestor,
  version: TrustVersion,
): RequestSecurityTokenResponse {
  if (!rst.cancelTarget) throw wst(version, "InvalidRequest", "a Cancel request needs exactly one wst:CancelTarget");
  const id = targetId(ctx, version, rst.cancelTarget.element);
  const known = ctx.store.get(id);
  if (!known) throw wst(version, "InvalidRequest", "the token is not known to this STS");
  if (ctx.store.isCancelled(id)) throw wst(version, "InvalidSecurityToken", "the token has already been cancelled");
  if (known.requestor !== requestor.name) {
    throw wst(version, "FailedAuthentication", "only the requestor the token was issued to may cancel it");
  }
  if (!ctx.defects.has("cancel-is-noop")) {
    if (!ctx.store.cancel(id, known.keepUntil)) throw wst(version, "RequestFailed", "the revocation list is full; try again later");
  }
  const rstr: RequestSecurityTokenResponse = { version, requestType: TRUST[version].requestType("Cancel"), requestedTokenCancelled: true };
  if (rst.context !== undefined && !ctx.defects.has("context-not-echoed")) rstr.context = rst.context;
  return rstr;
}
