// The remaining WS-Trust §11 fault codes, each provoked by its typical trigger (digest §3.1): an unsupported token
// type (BadRequest), a proof signature that leaves the Body out (AuthenticationBadElements), stale request data
// (ExpiredData), and an expired but renewable token presented on behalf of someone (RenewNeeded). An STS may
// answer another code for the same refusal; the most specific one is recorded when it differs.
import { TOKEN_TYPES, type TrustVersion } from "../../protocol/namespaces.ts";
import type { CaseContext, CaseDefinition } from "../case.ts";
import { expectRefusal, expireToken, needOperation, needVersion, obtainToken, wsse, wst } from "./lifecycle-support.ts";
import { issueRst } from "./support.ts";

const V: TrustVersion = "1.3";

export const FAULT_CODE_CASES: CaseDefinition[] = [
  {
    id: "ws-trust/fault-codes/bad-request-unsupported-token-type",
    title: "Asking for a token type the STS does not issue (X.509v3 from a SAML STS) is refused with a fault (wst:BadRequest)",
    requirements: ["T78"],
    needs: [needVersion(V), needOperation("Issue")],
    async run(t: CaseContext) {
      const ex = await t.client({ version: V }).send(issueRst(t, V, { tokenType: TOKEN_TYPES.x509v3 }));
      t.answered(ex);
      if (ex.message && !ex.fault) t.skip("the target issues X.509v3 tokens too, so the request is not unsupported there");
      expectRefusal(t, ex, wst(V, "BadRequest", "InvalidRequest", "RequestFailed"), { preferred: wst(V, "BadRequest")[0], what: "an unsupported token type" });
    },
  },
  {
    id: "ws-trust/fault-codes/authentication-bad-elements",
    title: "An X.509-signed request whose signature leaves the Body out is refused (wst:AuthenticationBadElements)",
    requirements: ["T78"],
    needs: [needVersion(V), needOperation("Issue"), { kind: "credential", credential: "certificate" }],
    async run(t: CaseContext) {
      const signer = { ...t.target.clientCertificate!, covers: { body: false } };
      const ex = await t.client({ version: V, credential: "certificate" }).send(issueRst(t, V), {});
      t.answered(ex);
      if (ex.fault) t.skip(`the target refuses even a correctly signed request (${ex.fault.code.local}), so a partial signature cannot be told apart`);
      const partial = await t.client({ version: V, credential: "certificate", signer }).send(issueRst(t, V));
      expectRefusal(t, partial, [...wst(V, "AuthenticationBadElements", "FailedAuthentication", "InvalidRequest"), ...wsse("InvalidSecurity", "FailedCheck", "FailedAuthentication")], {
        preferred: wst(V, "AuthenticationBadElements")[0],
        what: "a signature that does not cover the Body",
      });
    },
  },
  {
    id: "ws-trust/fault-codes/expired-data",
    title: "A UsernameToken created an hour ago is refused as out-of-date request data (wst:ExpiredData or a WSS code)",
    requirements: ["T78"],
    needs: [needVersion(V), needOperation("Issue")],
    async run(t: CaseContext) {
      const ex = await t.client({ version: V, passwordType: "digest" }).send(issueRst(t, V), { usernameTokenShiftMs: -(3600 + t.target.clockSkewSeconds) * 1000 });
      expectRefusal(t, ex, [...wst(V, "ExpiredData", "FailedAuthentication", "InvalidRequest"), ...wsse("MessageExpired", "InvalidSecurityToken", "InvalidSecurity", "FailedAuthentication")], {
        preferred: wst(V, "ExpiredData")[0],
        what: "a stale UsernameToken",
      });
    },
  },
  {
    id: "ws-trust/fault-codes/renew-needed",
    title: "An expired but renewable token presented in OnBehalfOf is answered with wst:RenewNeeded",
    requirements: ["T49"],
    needs: [needVersion(V), needOperation("Issue"), { kind: "onBehalfOf" }, { kind: "otherUser" }, { kind: "controlledClock" }],
    async run(t: CaseContext) {
      const { token, assertion } = await obtainToken(t, V, { renewing: { allow: true } });
      expireToken(t, assertion, 60_000);
      const ex = await t.client({ version: V, otherUser: true }).send(issueRst(t, V, { onBehalfOf: { element: token } }));
      expectRefusal(t, ex, [...wst(V, "RenewNeeded", "ExpiredData", "InvalidRequest", "FailedAuthentication", "InvalidSecurityToken"), ...wsse("InvalidSecurityToken")], {
        preferred: wst(V, "RenewNeeded")[0],
        codeRequirement: "T78",
        what: "an expired OnBehalfOf token",
      });
    },
  },
];
