// Validate (WS-Trust 1.3 §7), Renew (§5) and Cancel (§6) bindings, for 1.3 and February 2005: required targets,
// response shape and Action per version, Status semantics (an invalid token is a Status, not a fault), renewal
// policy (Renewing Allow/OK, AllowPostdating, authorized use) and what a cancelled token may still do.
import { TRUST, type TrustVersion } from "../../protocol/namespaces.ts";
import { parseAssertion } from "../../protocol/saml/parse.ts";
import type { CaseContext, CaseDefinition } from "../case.ts";
import {
  LIFECYCLE_VERSIONS,
  bindingRst,
  expectRefusal,
  expireToken,
  finalAction,
  foreignToken,
  needOperation,
  needVersion,
  obtainToken,
  requireStatus,
  tamperedToken,
  validateToken,
  wsse,
  wst,
} from "./lifecycle-support.ts";
import { requireSignedByTarget, requireToken } from "./support.ts";

function validateCases(v: TrustVersion): CaseDefinition[] {
  const T = TRUST[v];
  const needs = [needVersion(v), needOperation("Issue"), needOperation("Validate")];
  return [
    {
      id: `ws-trust/validate/${v}-missing-target-faults`,
      title: `A ${v} Validate RST without wst:ValidateTarget is refused with a fault`,
      requirements: ["T55"],
      needs: [needVersion(v), needOperation("Validate")],
      async run(t: CaseContext) {
        const ex = await t.client({ version: v }).send(bindingRst(v, "Validate", undefined));
        expectRefusal(t, ex, wst(v, "InvalidRequest", "BadRequest"), { what: "a Validate request without ValidateTarget" });
      },
    },
    {
      id: `ws-trust/validate/${v}-fresh-token-valid`,
      title: `A fresh token validates (${v}): bare RSTR under ${v === "2005" ? "RSTR/Validate" : "RSTR/ValidateFinal"}, TokenType RSTR/Status, Code status/valid`,
      requirements: ["T57", "T56"],
      needs,
      async run(t: CaseContext) {
        const { token } = await obtainToken(t, v);
        const ex = await validateToken(t, v, token);
        const { rstr, code, reason } = requireStatus(t, ex, v);
        t.check(ex.message?.kind === "RSTR", `the Validate answer body is ${ex.message?.kind}, not a bare RequestSecurityTokenResponse`);
        t.check(ex.action === finalAction(v, "Validate"), `the response Action is ${ex.action ?? "(none)"}, not ${finalAction(v, "Validate")}`);
        t.check(rstr.tokenType === T.statusTokenType, `RSTR TokenType is ${rstr.tokenType ?? "(absent)"}, not ${T.statusTokenType} as asked`, "T56");
        t.check(code === T.statusValid, `a token the target just issued validates as ${code} (${reason ?? "no reason"})`);
      },
    },
    {
      id: `ws-trust/validate/${v}-tampered-token-invalid`,
      title: `A token whose NameID was altered after signing validates status/invalid, not a fault (${v})`,
      requirements: ["T57"],
      needs,
      async run(t: CaseContext) {
        const { token } = await obtainToken(t, v);
        const { code } = requireStatus(t, await validateToken(t, v, tamperedToken(token)), v);
        t.check(code === T.statusInvalid, `a token with a broken signature validates as ${code}`);
      },
    },
    {
      id: `ws-trust/validate/${v}-foreign-issuer-invalid`,
      title: `A token with the STS's claims signed by a key the STS does not trust validates status/invalid (${v})`,
      requirements: ["T57"],
      needs,
      async run(t: CaseContext) {
        const { assertion } = await obtainToken(t, v);
        const { code } = requireStatus(t, await validateToken(t, v, foreignToken(t, assertion)), v);
        t.check(code === T.statusInvalid, `a token signed by a foreign key validates as ${code}`);
      },
    },
    {
      id: `ws-trust/validate/${v}-expired-token-invalid`,
      title: `A token past NotOnOrAfter plus the clock skew validates status/invalid, not a fault (${v})`,
      requirements: ["T57"],
      needs: [...needs, { kind: "controlledClock" }],
      async run(t: CaseContext) {
        const { token, assertion } = await obtainToken(t, v);
        expireToken(t, assertion);
        const { code } = requireStatus(t, await validateToken(t, v, token), v);
        t.check(code === T.statusInvalid, `an expired token validates as ${code}`);
      },
    },
  ];
}

function renewCases(v: TrustVersion): CaseDefinition[] {
  const needs = [needVersion(v), needOperation("Issue"), needOperation("Renew")];
  return [
    {
      id: `ws-trust/renew/${v}-missing-target-faults`,
      title: `A ${v} Renew RST without wst:RenewTarget is refused with a fault`,
      requirements: ["T43"],
      needs: [needVersion(v), needOperation("Renew")],
      async run(t: CaseContext) {
        const ex = await t.client({ version: v }).send(bindingRst(v, "Renew", undefined));
        expectRefusal(t, ex, wst(v, "InvalidRequest", "BadRequest"), { what: "a Renew request without RenewTarget" });
      },
    },
    {
      id: `ws-trust/renew/${v}-new-token-and-lifetime`,
      title: `Renew answers a bare RSTR under ${v === "2005" ? "RSTR/Renew" : "RSTR/RenewFinal"} with a new token for the same subject and a Lifetime (${v})`,
      requirements: ["T45"],
      needs,
      async run(t: CaseContext) {
        const old = await obtainToken(t, v);
        const ex = await t.client({ version: v }).send(bindingRst(v, "Renew", old.token));
        const { rstr, token, assertion } = requireToken(t, ex);
        t.check(ex.message?.kind === "RSTR", `the Renew answer body is ${ex.message?.kind}, not a bare RequestSecurityTokenResponse`);
        t.check(ex.action === finalAction(v, "Renew"), `the response Action is ${ex.action ?? "(none)"}, not ${finalAction(v, "Renew")}`);
        t.check(assertion.id !== old.assertion.id, `the renewed token has the same ID as the original (${assertion.id}): not a new token`);
        t.check(assertion.subject.nameId === old.assertion.subject.nameId, `the renewed token is for ${assertion.subject.nameId}, the original for ${old.assertion.subject.nameId}`);
        t.check(rstr.lifetime?.expires !== undefined, "the Renew RSTR carries no wst:Lifetime with wsu:Expires");
        t.check(rstr.lifetime.expires > t.target.clock.now(), `the renewed Lifetime ends ${rstr.lifetime.expiresText}, already past`);
        if (t.target.trustAnchors.length) requireSignedByTarget(t, token);
      },
    },
    {
      id: `ws-trust/renew/${v}-allow-false-refused`,
      title: `A token issued with Renewing Allow="false" cannot be renewed: wst:UnableToRenew (${v})`,
      requirements: ["T47"],
      needs,
      async run(t: CaseContext) {
        const { token } = await obtainToken(t, v, { renewing: { allow: false } });
        const ex = await t.client({ version: v }).send(bindingRst(v, "Renew", token));
        expectRefusal(t, ex, wst(v, "UnableToRenew"), { codeRequirement: "T49", what: 'the renewal of a token issued with Renewing Allow="false"' });
      },
    },
    {
      id: `ws-trust/renew/${v}-expired-unable-to-renew`,
      title: `An expired token issued without Renewing OK="true" is refused with wst:UnableToRenew (${v})`,
      requirements: ["T49", "T47"],
      needs: [...needs, { kind: "controlledClock" }],
      async run(t: CaseContext) {
        const { token, assertion } = await obtainToken(t, v);
        expireToken(t, assertion, 60_000);
        const ex = await t.client({ version: v }).send(bindingRst(v, "Renew", token));
        // OK defaults to false (T47): renewing an expired token issued without it must fail, with UnableToRenew (T49).
        expectRefusal(t, ex, wst(v, "UnableToRenew"), { requirement: "T47", codeRequirement: "T49", what: 'the renewal of an expired token issued without Renewing OK="true"' });
      },
    },
    {
      id: `ws-trust/renew/${v}-ok-after-expiry`,
      title: `Renewing OK="true": renewal after expiry either yields a currently valid token or is refused with wst:UnableToRenew (${v})`,
      requirements: ["T48"],
      needs: [...needs, { kind: "controlledClock" }],
      async run(t: CaseContext) {
        const { token, assertion } = await obtainToken(t, v, { renewing: { allow: true, ok: true } });
        expireToken(t, assertion, 60_000);
        const ex = await t.client({ version: v }).send(bindingRst(v, "Renew", token));
        t.answered(ex);
        if (ex.fault || !ex.message) {
          expectRefusal(t, ex, wst(v, "UnableToRenew"), { codeRequirement: "T49" });
          t.info('the target does not renew expired tokens even with Renewing OK="true" (allowed: the issuer may bound the post-expiry window)');
          return;
        }
        const { rstr, assertion: renewed } = requireToken(t, ex);
        const now = t.target.clock.now();
        const skew = t.target.clockSkewSeconds * 1000;
        t.check(renewed.notOnOrAfter > now, `the token renewed after expiry is itself expired (NotOnOrAfter ${new Date(renewed.notOnOrAfter).toISOString()})`);
        t.check(renewed.notBefore <= now + skew, `the token renewed after expiry is not yet valid (NotBefore ${new Date(renewed.notBefore).toISOString()})`);
        if (rstr.lifetime?.expires !== undefined) t.check(rstr.lifetime.expires > now, `the renewed Lifetime ends ${rstr.lifetime.expiresText}, already past`);
        t.info('an expired token issued with Renewing OK="true" was renewed');
      },
    },
    {
      id: `ws-trust/renew/${v}-postdating-needs-allow-postdating`,
      title: `A renewal asking for a future Lifetime is postdated only with wst:AllowPostdating (${v})`,
      requirements: ["T46"],
      needs,
      async run(t: CaseContext) {
        const { token } = await obtainToken(t, v);
        const now = t.target.clock.now();
        const skew = t.target.clockSkewSeconds * 1000;
        const later = { created: now + 2 * 3600_000, expires: now + 3 * 3600_000 };
        const without = await t.client({ version: v }).send(bindingRst(v, "Renew", token, { lifetime: later }));
        t.answered(without);
        if (without.fault || !without.message) {
          expectRefusal(t, without, wst(v, "InvalidTimeRange", "InvalidRequest", "BadRequest", "UnableToRenew"), { preferred: wst(v, "InvalidTimeRange")[0] });
        } else {
          const { rstr, assertion } = requireToken(t, without);
          const start = rstr.lifetime?.created ?? assertion.notBefore;
          t.check(start <= now + skew, `without AllowPostdating the renewed token starts ${new Date(start).toISOString()}, in the future: postdated anyway`);
        }
        const withIt = await t.client({ version: v }).send(bindingRst(v, "Renew", token, { lifetime: later, allowPostdating: true }));
        t.answered(withIt);
        if (withIt.fault || !withIt.message) {
          expectRefusal(t, withIt, wst(v, "InvalidTimeRange", "UnableToRenew", "BadRequest"));
          t.info(`the target refused a postdated renewal even with AllowPostdating (${withIt.fault?.code.local})`);
          return;
        }
        const { rstr, assertion } = requireToken(t, withIt);
        const start = rstr.lifetime?.created ?? assertion.notBefore;
        if (start > now + skew) t.info(`with AllowPostdating the renewed token starts ${new Date(start).toISOString()}`);
        else t.info("with AllowPostdating the target renewed without postdating (the issuer need not honour the requested Lifetime)");
      },
    },
    {
      id: `ws-trust/renew/${v}-other-requestor-refused`,
      title: `Another requestor may not renew a user's token: proof of authorized use is required (${v})`,
      requirements: ["T44"],
      needs: [...needs, { kind: "otherUser" }],
      async run(t: CaseContext) {
        const { token } = await obtainToken(t, v);
        const ex = await t.client({ version: v, otherUser: true }).send(bindingRst(v, "Renew", token));
        expectRefusal(t, ex, [...wst(v, "FailedAuthentication", "InvalidRequest", "UnableToRenew"), ...wsse("FailedAuthentication")], {
          what: "the renewal of another user's token",
        });
      },
    },
  ];
}

function cancelCases(v: TrustVersion): CaseDefinition[] {
  const T = TRUST[v];
  const needs = [needVersion(v), needOperation("Issue"), needOperation("Cancel")];
  return [
    {
      id: `ws-trust/cancel/${v}-missing-target-faults`,
      title: `A ${v} Cancel RST without wst:CancelTarget is refused with a fault`,
      requirements: ["T50"],
      needs: [needVersion(v), needOperation("Cancel")],
      async run(t: CaseContext) {
        const ex = await t.client({ version: v }).send(bindingRst(v, "Cancel", undefined));
        expectRefusal(t, ex, wst(v, "InvalidRequest", "BadRequest"), { what: "a Cancel request without CancelTarget" });
      },
    },
    {
      id: `ws-trust/cancel/${v}-requested-token-cancelled`,
      title: `Cancel answers a bare RSTR with wst:RequestedTokenCancelled under ${v === "2005" ? "RSTR/Cancel" : "RSTR/CancelFinal"} (${v})`,
      requirements: ["T51"],
      needs,
      async run(t: CaseContext) {
        const { token } = await obtainToken(t, v);
        const ex = await t.client({ version: v }).send(bindingRst(v, "Cancel", token));
        t.answered(ex);
        t.check(!ex.fault && !ex.parseError && ex.message, `the Cancel of a token the requestor was just issued failed: ${ex.fault ? `fault ${ex.fault.code.local} (${ex.fault.reason.slice(0, 200)})` : `HTTP ${ex.response?.status} ${ex.parseError ?? ""}`}`);
        t.check(ex.message.kind === "RSTR", `the Cancel answer body is ${ex.message.kind}, not a bare RequestSecurityTokenResponse`);
        t.check(ex.message.message.requestedTokenCancelled === true, "the Cancel RSTR carries no wst:RequestedTokenCancelled");
        t.check(ex.action === finalAction(v, "Cancel"), `the response Action is ${ex.action ?? "(none)"}, not ${finalAction(v, "Cancel")}`);
      },
    },
    {
      id: `ws-trust/cancel/${v}-twice-faults`,
      title: `Cancelling a token a second time fails with a SOAP fault (${v})`,
      requirements: ["T52"],
      needs,
      async run(t: CaseContext) {
        const { token } = await obtainToken(t, v);
        const first = await t.client({ version: v }).send(bindingRst(v, "Cancel", token));
        t.answered(first);
        if (first.fault || !first.message) t.skip(`the first Cancel already failed (${first.fault?.code.local ?? first.parseError}); see ws-trust/cancel/${v}-requested-token-cancelled`);
        const again = await t.client({ version: v }).send(bindingRst(v, "Cancel", token));
        expectRefusal(t, again, [...wst(v, "InvalidSecurityToken", "InvalidRequest", "RequestFailed", "BadRequest"), ...wsse("InvalidSecurityToken")], {
          what: "the cancellation of an already cancelled token",
        });
      },
    },
    {
      id: `ws-trust/cancel/${v}-cancelled-token-validates-invalid`,
      title: `A cancelled token then validates status/invalid (${v})`,
      requirements: ["T53"],
      needs: [...needs, needOperation("Validate")],
      async run(t: CaseContext) {
        const { token } = await obtainToken(t, v);
        const c = await t.client({ version: v }).send(bindingRst(v, "Cancel", token));
        t.answered(c);
        if (c.fault || !c.message) t.skip(`the Cancel failed (${c.fault?.code.local ?? c.parseError}); see ws-trust/cancel/${v}-requested-token-cancelled`);
        const { code, reason } = requireStatus(t, await validateToken(t, v, token), v);
        t.check(code === T.statusInvalid, `a cancelled token still validates as ${code} (${reason ?? "no reason"})`);
      },
    },
    {
      id: `ws-trust/cancel/${v}-cancelled-token-not-renewable`,
      title: `A cancelled token cannot be renewed (${v})`,
      requirements: ["T53"],
      needs: [...needs, needOperation("Renew")],
      async run(t: CaseContext) {
        const { token } = await obtainToken(t, v);
        const c = await t.client({ version: v }).send(bindingRst(v, "Cancel", token));
        t.answered(c);
        if (c.fault || !c.message) t.skip(`the Cancel failed (${c.fault?.code.local ?? c.parseError}); see ws-trust/cancel/${v}-requested-token-cancelled`);
        const ex = await t.client({ version: v }).send(bindingRst(v, "Renew", token));
        if (ex.message && !ex.fault) {
          const renewed = ex.message.kind === "RSTR" ? ex.message.message.requestedSecurityToken?.element : undefined;
          t.check(false, `a cancelled token was renewed${renewed ? ` (new token ${parseAssertionId(renewed)})` : ""}`);
        }
        expectRefusal(t, ex, [...wst(v, "InvalidSecurityToken", "UnableToRenew", "InvalidRequest", "FailedAuthentication"), ...wsse("InvalidSecurityToken")]);
      },
    },
  ];
}

function parseAssertionId(el: Element): string {
  try {
    return parseAssertion(el).id;
  } catch {
    return "unreadable";
  }
}

export const LIFECYCLE_CASES: CaseDefinition[] = LIFECYCLE_VERSIONS.flatMap((v) => [...validateCases(v), ...renewCases(v), ...cancelCases(v)]);
