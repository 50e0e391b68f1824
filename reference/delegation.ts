// Tokens presented to the reference (OnBehalfOf, ActAs, and the targets of Validate/Renew/Cancel): located,
// signature-checked against the right anchors, and read.
import { NS, type TrustVersion } from "../protocol/namespaces.ts";
import { verifyEnvelopedSignature, type TrustAnchor } from "../protocol/dsig/verify.ts";
import { parseAssertion } from "../protocol/saml/parse.ts";
import type { ParsedAssertion } from "../protocol/saml/model.ts";
import { is, ModelError } from "../protocol/xml/dom.ts";
import type { StsContext } from "./context.ts";
import { wsse, wst } from "./fault.ts";

export function isSamlAssertion(el: Element | undefined): el is Element {
  return !!el && (is(el, NS.saml2, "Assertion") || is(el, NS.saml11, "Assertion"));
}

/** Claim URI of a parsed attribute (SAML 1.1 AttributeNamespace + "/" + AttributeName, SAML 2.0 Name). */
export function claimUri(a: { name: string; nameFormatOrNamespace?: string }, version: "1.1" | "2.0"): string {
  if (version === "1.1" && a.nameFormatOrNamespace) return `${a.nameFormatOrNamespace.replace(/\/$/, "")}/${a.name}`;
  return a.name;
}

export type TokenCheck =
  | { ok: true; assertion: ParsedAssertion }
  | { ok: false; reason: string; assertion?: ParsedAssertion };

/** Signature (against anchors) and structure of a presented assertion. Does not judge time or revocation. */
export function checkPresentedAssertion(
  el: Element,
  anchors: TrustAnchor[],
  skipSignature = false,
): TokenCheck {
  let assertion: ParsedAssertion;
  try {
    assertion = parseAssertion(el);
  } catch (e) {
    if (e instanceof ModelError) return { ok: false, reason: `malformed assertion: ${e.message}` };
    throw e;
  }
  if (!skipSignature) {
    const v = verifyEnvelopedSignature(el, anchors);
    if (!v.ok) return { ok: false, reason: `signature: ${v.reason}`, assertion };
  }
  return { ok: true, assertion };
}

export interface DelegatedIdentity {
  nameId: string;
  format?: string;
  claims: Record<string, string[]>;
}

export function verifyDelegatedToken(
  ctx: StsContext,
  version: TrustVersion,
  el: Element | undefined,
  kind: "onBehalfOf" | "actAs",
): DelegatedIdentity {
  const what = kind === "onBehalfOf" ? "OnBehalfOf" : "ActAs";
  if (!isSamlAssertion(el)) throw wsse("UnsupportedSecurityToken", `${what} must hold a SAML 1.1 or 2.0 assertion`);
  const check = checkPresentedAssertion(el, ctx.delegationAnchors, ctx.defects.has("obo-signature-not-checked"));
  if (!check.ok) throw wst(version, "FailedAuthentication", `the ${what} token is not acceptable: ${check.reason}`);
  const a = check.assertion;
  const now = ctx.clock.now();
  const skew = ctx.config.clockSkewSeconds * 1000;
  if (now + skew < a.notBefore) throw wst(version, "InvalidRequest", `the ${what} token is not yet valid`);
  if (now - skew >= a.notOnOrAfter) {
    const known = ctx.store.get(a.id);
    // An expired token this STS would renew: tell the requestor to renew it first (T49).
    if (known && known.renewAllow) throw wst(version, "RenewNeeded", `the ${what} token has expired; renew it`);
    throw wst(version, "ExpiredData", `the ${what} token has expired`);
  }
  if (ctx.store.isCancelled(a.id)) throw wst(version, "InvalidSecurityToken", `the ${what} token has been cancelled`);
  const claims: Record<string, string[]> = {};
  for (const attr of a.attributes) {
    const uri = claimUri(attr, a.version);
    (claims[uri] ??= []).push(...attr.values);
  }
  return { nameId: a.subject.nameId, format: a.subject.format, claims };
}
