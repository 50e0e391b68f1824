// Issue request parameters (WS-Trust 1.3 §4.1, §4.4; 2005 §6): the requested Lifetime and the returned one, and
// wst:Claims dialects and required claims.
import { CLAIMS_DIALECT, NS, type TrustVersion } from "../../protocol/namespaces.ts";
import type { CaseContext, CaseDefinition } from "../case.ts";
import { expectFault, issueRst, requireToken, wstCode } from "./support.ts";
import { IDENTITY_CLAIMS, ISSUE_VERSIONS, claimUriOf, iso, needVersion as v, requireClaimsDialect, sameInstant } from "./issue-support.ts";

const YEAR_MS = 365 * 24 * 3600_000;

export const ISSUE_REQUEST_CASES: CaseDefinition[] = ISSUE_VERSIONS.flatMap((version: TrustVersion): CaseDefinition[] => [
  {
    id: `ws-trust/issue/${version}-long-lifetime-may-be-shortened`,
    title: `WS-Trust ${version}: a one-year requested Lifetime is granted within what was asked (usually shortened) or refused with InvalidTimeRange (the window is recorded)`,
    requirements: ["T21"],
    needs: [v(version)],
    async run(t: CaseContext) {
      const now = t.target.clock.now();
      const asked = { created: now, expires: now + YEAR_MS };
      const ex = t.answered(await t.client({ version }).send(issueRst(t, version, { lifetime: asked })));
      if (ex.fault) {
        t.info(`a one-year Lifetime was refused with {${ex.fault.code.ns}}${ex.fault.code.local}`);
        return;
      }
      const { assertion } = requireToken(t, ex);
      const hours = (assertion.notOnOrAfter - assertion.notBefore) / 3600_000;
      t.info(`asked for 1 year, the token is valid ${iso(assertion.notBefore)} to ${iso(assertion.notOnOrAfter)} (${hours.toFixed(2)} h)`);
      const skew = t.target.clockSkewSeconds * 1000;
      t.check(
        assertion.notBefore >= asked.created - skew && assertion.notOnOrAfter <= asked.expires,
        `the token window ${iso(assertion.notBefore)}..${iso(assertion.notOnOrAfter)} reaches outside the requested ${iso(asked.created)}..${iso(asked.expires)}`,
      );
    },
  },
  {
    id: `ws-trust/issue/${version}-lifetime-matches-token`,
    title: `WS-Trust ${version}: the RSTR returns wst:Lifetime and it equals the token's Conditions NotBefore/NotOnOrAfter`,
    requirements: ["T22"],
    needs: [v(version)],
    async run(t: CaseContext) {
      const { rstr, assertion } = requireToken(t, await t.client({ version }).send(issueRst(t, version)));
      const l = rstr.lifetime;
      t.check(l, "the RSTR returns no wst:Lifetime although the token has a validity window");
      t.check(
        sameInstant(l.created, assertion.notBefore) && sameInstant(l.expires, assertion.notOnOrAfter),
        `RSTR Lifetime ${iso(l.created)}..${iso(l.expires)} differs from the token's Conditions ${iso(assertion.notBefore)}..${iso(assertion.notOnOrAfter)}`,
      );
    },
  },
  {
    id: `ws-trust/issue/${version}-lifetime-ends-before-start`,
    title: `WS-Trust ${version}: a requested Lifetime whose Expires precedes its Created is refused with wst:InvalidTimeRange`,
    requirements: ["T23"],
    needs: [v(version)],
    async run(t: CaseContext) {
      const now = t.target.clock.now();
      // Both instants inside the skew window and in the future, so only their order is wrong.
      const lifetime = { created: now + 120_000, expires: now + 60_000 };
      const ex = await t.client({ version }).send(issueRst(t, version, { lifetime }));
      expectFault(t, ex, [wstCode(version, "InvalidTimeRange")]);
    },
  },
  {
    id: `ws-trust/issue/${version}-unsupported-claims-dialect`,
    title: `WS-Trust ${version}: wst:Claims in a dialect the STS does not support is refused`,
    requirements: ["T25"],
    needs: [v(version)],
    async run(t: CaseContext) {
      const claims = { dialect: "urn:wsconform:claims-dialect:unsupported", claimTypes: [{ uri: IDENTITY_CLAIMS.name }] };
      const ex = await t.client({ version }).send(issueRst(t, version, { claims }));
      expectFault(t, ex, [{ ns: NS.fed, local: "UnsupportedClaimsDialect" }, wstCode(version, "InvalidRequest"), wstCode(version, "BadRequest")]);
    },
  },
  {
    id: `ws-trust/issue/${version}-identity-claims-honoured`,
    title: `WS-Trust ${version}: wst:Claims in the identity dialect is honoured: the token carries only claims that were requested`,
    requirements: ["T25"],
    needs: [v(version)],
    async run(t: CaseContext) {
      requireClaimsDialect(t, CLAIMS_DIALECT.identity);
      const requested = [IDENTITY_CLAIMS.name, IDENTITY_CLAIMS.email];
      const claims = { dialect: CLAIMS_DIALECT.identity, claimTypes: requested.map((uri) => ({ uri, optional: true })) };
      const { assertion } = requireToken(t, await t.client({ version }).send(issueRst(t, version, { claims })));
      const got = assertion.attributes.map((a) => claimUriOf(a, assertion.version));
      t.info(`claims in the token: ${got.join(", ") || "(none)"}`);
      const extra = got.filter((c) => !(requested as string[]).includes(c));
      t.check(extra.length === 0, `the token carries claims that were not requested: ${extra.join(", ")}`);
    },
  },
  {
    id: `ws-trust/issue/${version}-required-claim-unavailable`,
    title: `WS-Trust ${version}: a claim requested with Optional="false" that the subject does not have makes the request fail`,
    requirements: ["T26"],
    needs: [v(version)],
    async run(t: CaseContext) {
      requireClaimsDialect(t, CLAIMS_DIALECT.identity);
      const claims = { dialect: CLAIMS_DIALECT.identity, claimTypes: [{ uri: "urn:wsconform:claims:never-held", optional: false }] };
      const ex = await t.client({ version }).send(issueRst(t, version, { claims }));
      expectFault(t, ex, [wstCode(version, "InvalidRequest"), wstCode(version, "BadRequest")]);
    },
  },
]);
