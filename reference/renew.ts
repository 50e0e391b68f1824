// The Renew binding (WS-Trust 1.3 §5): a new token for the same subject, audience and key, with a new Lifetime.
import { samlTokenReference } from "../protocol/wss.ts";
import { TRUST, type TrustVersion } from "../protocol/namespaces.ts";
import type { RequestSecurityToken, RequestSecurityTokenResponse } from "../protocol/trust/model.ts";
import { fromDom, raw } from "../protocol/xml/writer.ts";
import { children } from "../protocol/xml/dom.ts";
import type { ParsedAssertion, SubjectConfirmation } from "../protocol/saml/model.ts";
import type { Requestor } from "./authn.ts";
import type { StsContext } from "./context.ts";
import { checkPresentedAssertion, isSamlAssertion } from "./delegation.ts";
import { wst } from "./fault.ts";
import { grantLifetime } from "./issue.ts";
import { mintAssertion, newTokenId, tokenTypeUri } from "./tokens.ts";

function renewedConfirmation(version: TrustVersion, a: ParsedAssertion, notOnOrAfter: number): SubjectConfirmation {
  if (a.confirmation.method === "bearer") return { method: "bearer", notOnOrAfter };
  if (a.confirmation.method === "sender-vouches") return { method: "sender-vouches" };
  const key = a.confirmationKeyInfo ? children(a.confirmationKeyInfo)[0] : undefined;
  if (!key) throw wst(version, "UnableToRenew", "the holder-of-key token names no key");
  return { method: "holder-of-key", keyInfo: fromDom(key) };
}

export async function renew(
  ctx: StsContext,
  rst: RequestSecurityToken,
  requestor: Requestor,
  version: TrustVersion,
): Promise<RequestSecurityTokenResponse> {
  const T = TRUST[version];
  if (!rst.renewTarget) throw wst(version, "InvalidRequest", "a Renew request needs exactly one wst:RenewTarget");
  const target = rst.renewTarget.element;
  if (!isSamlAssertion(target)) throw wst(version, "BadRequest", "RenewTarget must hold a SAML 1.1 or 2.0 assertion");
  const check = checkPresentedAssertion(target, ctx.ownAnchors);
  if (!check.ok) throw wst(version, "UnableToRenew", `the token cannot be renewed: ${check.reason}`);
  const a = check.assertion;
  if (ctx.store.isCancelled(a.id)) throw wst(version, "InvalidSecurityToken", "the token has been cancelled");
  const known = ctx.store.get(a.id);
  if (!known) throw wst(version, "UnableToRenew", "the token is not known to this STS (or is too old to renew)");
  // Authorized use (T44): this reference's policy is that only the party the token was issued to may renew it.
  if (known.requestor !== requestor.name) {
    throw wst(version, "FailedAuthentication", "only the requestor the token was issued to may renew it");
  }
  if (!known.renewAllow && !ctx.defects.has("renew-ignores-allow")) {
    throw wst(version, "UnableToRenew", 'the token was issued with Renewing Allow="false"');
  }
  const now = ctx.clock.now();
  const skew = ctx.config.clockSkewSeconds * 1000;
  if (now - skew >= known.notOnOrAfter) {
    const window = known.renewOk ? ctx.config.renewAfterExpirySeconds * 1000 : 0;
    if (now - skew >= known.notOnOrAfter + window) {
      throw wst(version, "UnableToRenew", known.renewOk ? "the token expired beyond the renewal window" : 'the token has expired and was not issued with Renewing OK="true"');
    }
  }
  const lifetime = grantLifetime(ctx, version, rst.lifetime, known.allowPostdating || !!rst.allowPostdating);
  const id = newTokenId();
  // The presented token verified against this STS's own keys, so its content is what this STS issued: the new
  // token carries the same subject, audience, attributes, authentication and key.
  const assertion = await mintAssertion(
    {
      samlVersion: a.version,
      id,
      issuer: ctx.config.issuer,
      now,
      notBefore: lifetime.notBefore,
      notOnOrAfter: lifetime.notOnOrAfter,
      subject: a.subject,
      audiences: a.audiences,
      attributes: a.attributes,
      confirmation: renewedConfirmation(version, a, lifetime.notOnOrAfter),
      authn: a.authn,
    },
    ctx.signingKey,
    ctx.defects,
  );
  ctx.store.add({
    ...known,
    id,
    notOnOrAfter: lifetime.notOnOrAfter,
    cancelled: false,
    keepUntil: lifetime.notOnOrAfter + (known.renewOk ? ctx.config.renewAfterExpirySeconds * 1000 : 0),
  });
  const rstr: RequestSecurityTokenResponse = {
    version,
    tokenType: tokenTypeUri(a.version),
    requestType: T.requestType("Renew"),
    lifetime: { created: lifetime.notBefore, expires: lifetime.notOnOrAfter },
    requestedSecurityToken: { node: raw(assertion) },
    requestedAttachedReference: { node: samlTokenReference(a.version, id) },
    requestedUnattachedReference: { node: samlTokenReference(a.version, id) },
  };
  if (rst.context !== undefined && !ctx.defects.has("context-not-echoed")) rstr.context = rst.context;
  return rstr;
}
