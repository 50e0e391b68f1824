// Delegation on Issue: OnBehalfOf (WS-Trust 1.3 §9.1, also in 2005) and 1.4 ActAs (§9.3, in the 200802
// namespace). The presented token is one the STS itself issued to the main user; the second user requests.
import { verifyEnvelopedSignature } from "../../protocol/dsig/verify.ts";
import { type TrustVersion } from "../../protocol/namespaces.ts";
import type { CaseContext, CaseDefinition } from "../case.ts";
import { expectFault, issueRst, requireToken, wsseCode, wstCode } from "./support.ts";
import { ISSUE_VERSIONS, needVersion as v, withAlteredSubject } from "./issue-support.ts";

const onBehalfOf = { kind: "onBehalfOf" as const };
const otherUser = { kind: "otherUser" as const };

/**
 * A token the STS issues to the main user (bearer, for the registered relying party). A token that does not verify
 * against the target's own signing certificates cannot be presented fairly: the case is skipped (the SAML-SIGNED
 * and SAML-SIG-ALG cases judge that).
 */
async function mainUserToken(t: CaseContext, version: TrustVersion) {
  const plain = version === "1.4" ? "1.3" : version;
  const issued = requireToken(t, await t.client({ version: plain }).send(issueRst(t, plain)));
  if (t.target.trustAnchors.length > 0) {
    const check = verifyEnvelopedSignature(issued.token, t.target.trustAnchors);
    if (!check.ok) t.skip(`the main user's token does not verify against the target's signing certificates (${check.reason}), so it cannot be presented`);
  }
  return issued;
}

export const ISSUE_DELEGATION_CASES: CaseDefinition[] = [
  ...ISSUE_VERSIONS.flatMap((version): CaseDefinition[] => [
    {
      id: `ws-trust/issue/${version}-on-behalf-of-subject`,
      title: `WS-Trust ${version}: a token requested OnBehalfOf another user's token represents that user`,
      requirements: ["T64"],
      needs: [v(version), onBehalfOf, otherUser],
      async run(t: CaseContext) {
        const presented = await mainUserToken(t, version);
        const ex = await t.client({ version, otherUser: true }).send(issueRst(t, version, { onBehalfOf: { element: presented.token } }));
        const { assertion } = requireToken(t, ex);
        const want = presented.assertion.subject.nameId;
        t.check(assertion.subject.nameId === want, `the OnBehalfOf token names ${JSON.stringify(want)}, the issued token's subject is ${JSON.stringify(assertion.subject.nameId)}`);
        t.info(`issued with ${assertion.confirmationMethodUri ?? assertion.confirmation.method} confirmation`);
      },
    },
    {
      id: `ws-trust/issue/${version}-on-behalf-of-tampered-token-refused`,
      title: `WS-Trust ${version}: an OnBehalfOf token whose subject was altered after signing is refused with a fault`,
      requirements: ["T64"],
      needs: [v(version), onBehalfOf, otherUser],
      async run(t: CaseContext) {
        const presented = await mainUserToken(t, version);
        const forged = withAlteredSubject(presented.token, `${presented.assertion.subject.nameId}-forged`);
        const ex = await t.client({ version, otherUser: true }).send(issueRst(t, version, { onBehalfOf: { element: forged } }));
        expectFault(t, ex, [
          wstCode(version, "FailedAuthentication"),
          wstCode(version, "InvalidRequest"),
          wstCode(version, "BadRequest"),
          wsseCode("FailedCheck"),
          wsseCode("InvalidSecurityToken"),
          wsseCode("FailedAuthentication"),
        ]);
      },
    },
  ]),
  {
    id: "ws-trust/issue/1.4-act-as-subject",
    title: "WS-Trust 1.4: ActAs in the 200802 namespace carrying another user's token yields a token whose subject is that user",
    requirements: ["T66", "T02"],
    needs: [v("1.4"), { kind: "actAs" }, otherUser],
    async run(t: CaseContext) {
      const presented = await mainUserToken(t, "1.4");
      const client = t.client({ version: "1.4", otherUser: true });
      const rst = issueRst(t, "1.4", { actAs: { element: presented.token } });
      const ex = await client.send(rst);
      const { assertion } = requireToken(t, ex);
      const want = presented.assertion.subject.nameId;
      t.check(assertion.subject.nameId === want, `the ActAs token names ${JSON.stringify(want)}, the issued token's subject is ${JSON.stringify(assertion.subject.nameId)}`);
      const actor = t.target.otherUser!.username;
      const shown = assertion.attributes.some((a) => a.values.some((x) => x === actor || x.includes(`>${actor}<`)));
      t.info(shown ? `the requestor ${actor} appears in the token's attributes (actor)` : `the requestor ${actor} does not appear in the token's attributes`);
    },
  },
];
