// Requestor authentication (WS-Trust 1.3 §11–§12, WSS 1.1, UsernameToken Profile 1.1): wrong credentials, stale
// Timestamps and replayed messages must be refused with a WS-Trust or WS-Security fault.
import { randomBytes } from "node:crypto";
import type { TrustVersion } from "../../protocol/namespaces.ts";
import type { CaseContext, CaseDefinition } from "../case.ts";
import { LIFECYCLE_VERSIONS, expectRefusal, needOperation, needVersion, wsse, wst } from "./lifecycle-support.ts";
import { issueRst } from "./support.ts";

function securityCases(v: TrustVersion): CaseDefinition[] {
  const needs = [needVersion(v), needOperation("Issue"), { kind: "credential" as const, credential: "username" as const }];
  const authFaults = [...wst(v, "FailedAuthentication"), ...wsse("FailedAuthentication", "InvalidSecurity")];
  return [
    {
      id: `ws-trust/security/${v}-wrong-password`,
      title: `A UsernameToken with a wrong password (PasswordText) is refused with a FailedAuthentication fault (${v})`,
      requirements: ["T80"],
      needs,
      async run(t: CaseContext) {
        const ex = await t.client({ version: v, password: `${t.target.user.password}-wrong` }).send(issueRst(t, v));
        expectRefusal(t, ex, authFaults, { what: "a UsernameToken with a wrong password" });
      },
    },
    {
      id: `ws-trust/security/${v}-wrong-password-digest`,
      title: `A PasswordDigest UsernameToken computed from a wrong password is refused with a FailedAuthentication fault (${v})`,
      requirements: ["T80"],
      needs,
      async run(t: CaseContext) {
        const ex = await t.client({ version: v, passwordType: "digest", password: `${t.target.user.password}-wrong` }).send(issueRst(t, v));
        expectRefusal(t, ex, [...authFaults, ...wsse("UnsupportedSecurityToken")], { what: "a PasswordDigest made from a wrong password" });
        if (ex.fault?.code.local === "UnsupportedSecurityToken") t.info("the target does not support PasswordDigest");
      },
    },
    {
      id: `ws-trust/security/${v}-expired-timestamp`,
      title: `A message whose wsu:Timestamp expired an hour ago is refused, ideally with wsse:MessageExpired (${v})`,
      requirements: ["WSS-TS-EXPIRED"],
      needs,
      async run(t: CaseContext) {
        const shift = -(3600 + t.target.clockSkewSeconds) * 1000;
        const ex = await t.client({ version: v }).send(issueRst(t, v), { timeShiftMs: shift });
        expectRefusal(t, ex, [...wsse("MessageExpired", "InvalidSecurity", "FailedAuthentication"), ...wst(v, "ExpiredData")], {
          preferred: wsse("MessageExpired")[0],
          what: "a message whose Timestamp expired an hour ago",
        });
      },
    },
    {
      id: `ws-trust/security/${v}-ut-nonce-replay`,
      title: `A PasswordDigest UsernameToken replayed with the same Nonce and Created is refused (${v})`,
      requirements: ["UT-NONCE-REPLAY", "T81"],
      needs,
      async run(t: CaseContext) {
        const client = t.client({ version: v, passwordType: "digest" });
        const nonce = randomBytes(16);
        const first = await client.send(issueRst(t, v), { nonce });
        t.answered(first);
        if (first.fault || !first.message) {
          t.skip(`the target refused the first PasswordDigest request (${first.fault ? `${first.fault.code.local}: ${first.fault.reason.slice(0, 200)}` : first.parseError}), so a replay cannot be told apart`);
        }
        const again = await client.send(issueRst(t, v), { nonce });
        expectRefusal(t, again, [...wsse("FailedAuthentication", "InvalidSecurity", "InvalidSecurityToken"), ...wst(v, "FailedAuthentication", "ExpiredData")], {
          what: "a UsernameToken whose Nonce was already used",
        });
      },
    },
  ];
}

function signedReplayCases(v: TrustVersion): CaseDefinition[] {
  return [
    {
      id: `ws-trust/security/${v}-signed-message-replay`,
      title: `The same X.509-signed request sent twice is refused the second time (${v})`,
      requirements: ["T81"],
      needs: [needVersion(v), needOperation("Issue"), { kind: "credential", credential: "certificate" }],
      async run(t: CaseContext) {
        const client = t.client({ version: v, credential: "certificate" });
        const { xml, action } = client.build(issueRst(t, v));
        const first = await client.sendRaw(xml, action);
        t.answered(first);
        if (first.fault || !first.message) {
          t.skip(`the target refused the first signed request (${first.fault ? `${first.fault.code.local}: ${first.fault.reason.slice(0, 200)}` : first.parseError}), so a replay cannot be told apart`);
        }
        const again = await client.sendRaw(xml, action);
        expectRefusal(t, again, [...wsse("FailedAuthentication", "InvalidSecurity", "MessageExpired"), ...wst(v, "FailedAuthentication", "ExpiredData", "InvalidRequest")], {
          what: "a replayed signed message",
        });
      },
    },
  ];
}

export const SECURITY_CASES: CaseDefinition[] = LIFECYCLE_VERSIONS.flatMap((v) => [...securityCases(v), ...signedReplayCases(v)]);
