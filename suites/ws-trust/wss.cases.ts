// WS-Security rules seen from outside an STS (WSS 1.1, WS-I BSP 1.1, UsernameToken and SAML token profiles):
// the Timestamp the STS puts in its own responses, the token references in its RSTRs, how it reports security
// failures, and which UsernameTokens it must refuse.
import { randomBytes } from "node:crypto";
import { NS, SAML_KEY_IDENTIFIER_VALUE_TYPE, TOKEN_TYPES, type TrustVersion } from "../../protocol/namespaces.ts";
import { findOwnSecurityHeaders, parseSecurityHeader, passwordDigest, type ParsedSecurityHeader } from "../../protocol/wss.ts";
import { children } from "../../protocol/xml/dom.ts";
import type { Exchange } from "../../adapters/sts-client.ts";
import type { CaseContext, CaseDefinition } from "../case.ts";
import { expectRefusal, wsse, wst } from "./lifecycle-support.ts";
import { issueRst, requireToken } from "./support.ts";

const V: TrustVersion = "1.3";

/** A refusal whose fault code is judged against the case's own WS-Security rule (not only T78). */
function refuse(t: CaseContext, ex: Exchange, codes: Parameters<typeof expectRefusal>[2], o: Parameters<typeof expectRefusal>[3] = {}): void {
  expectRefusal(t, ex, codes, { codeRequirement: t.definition.requirements[0], ...o });
}
const needs = [{ kind: "version" as const, version: V }, { kind: "operation" as const, operation: "Issue" as const }];

/** The Security header of a successful Issue response, or SKIP when the target sends none. */
async function responseSecurity(t: CaseContext): Promise<{ ex: Exchange; sec?: ParsedSecurityHeader; error?: string }> {
  const ex = await t.client({ version: V }).send(issueRst(t, V));
  requireToken(t, ex);
  const headers = findOwnSecurityHeaders(ex.envelope!.headers);
  if (headers.length === 0) t.skip("the response carries no wsse:Security header (nothing to judge)");
  try {
    return { ex, sec: parseSecurityHeader(headers[0]!) };
  } catch (e) {
    return { ex, error: (e as Error).message };
  }
}

/** One case per BSP Timestamp rule, judged on the Timestamp of the STS's own response. */
const TIMESTAMP_RULES: [string, string, string[]][] = [
  ["WSS-TS-CREATED-ONE", "exactly one wsu:Created", ["R3203"]],
  ["WSS-TS-EXPIRES-MAX-ONE", "at most one wsu:Expires", ["R3224"]],
  ["WSS-TS-ORDER", "Created before Expires", ["R3221"]],
  ["WSS-TS-NO-OTHER-CHILDREN", "nothing but Created and Expires", ["R3222"]],
  ["WSS-TS-UTC", "times in UTC", ["R3217", "R3223"]],
  ["WSS-TS-SECONDS", "seconds below 60", ["R3213", "R3215"]],
  ["WSS-TS-PRECISION", "no more than millisecond precision", ["R3220", "R3229"]],
  ["WSS-TS-NO-VALUETYPE", "no ValueType on Created/Expires", ["R3225", "R3226"]],
  ["WSS-TS-ONE-PER-HEADER", "one Timestamp per Security header", ["R3227"]],
];

const timestampCases: CaseDefinition[] = TIMESTAMP_RULES.map(([id, what, rules]) => ({
  id: `ws-security/response-timestamp/${id.toLowerCase().replace(/^wss-ts-/, "")}`,
  title: `The Timestamp in the STS's response has ${what} (WS-I BSP ${rules.join("/")})`,
  requirements: [id],
  needs,
  async run(t: CaseContext) {
    const { sec, error } = await responseSecurity(t);
    const broken = rules.find((r) => error?.includes(r));
    t.check(!broken, `the response Timestamp cannot be read: ${error}`);
    if (error) t.skip(`the response Security header cannot be read for another reason: ${error}`);
    if (!sec!.timestamp) t.skip("the response Security header has no Timestamp");
    const hit = sec!.timestamp!.violations.filter((v) => rules.includes(v));
    t.check(hit.length === 0, `the response Timestamp breaks ${hit.join(", ")}: Created ${sec!.timestamp!.createdText}, Expires ${sec!.timestamp!.expiresText ?? "(none)"}`);
  },
}));

export const WSS_CASES: CaseDefinition[] = [
  ...timestampCases,
  {
    id: "ws-security/request/two-timestamps-refused",
    title: "A request whose Security header holds two Timestamps is refused (WS-I BSP R3227)",
    requirements: ["WSS-TS-ONE-PER-HEADER"],
    needs,
    async run(t: CaseContext) {
      const ex = await t.client({ version: V }).send(issueRst(t, V), {
        mutate: (x) => x.replace(/(<wsu:Timestamp[\s\S]*?<\/wsu:Timestamp>)/, (ts) => ts + ts.replace(/wsu:Id="[^"]*"/, 'wsu:Id="_ts2"')),
      });
      refuse(t, ex, [...wsse("InvalidSecurity", "MessageExpired", "InvalidSecurityToken"), ...wst(V, "InvalidRequest")], { what: "a Security header with two Timestamps" });
    },
  },
  ...(["1.1", "2.0"] as const).map(
    (samlV): CaseDefinition => ({
      id: `ws-security/saml-reference/saml${samlV.replace(".", "")}-str-rules`,
      title: `The RSTR's references to a SAML ${samlV} token follow the SAML token profile: wsse11:TokenType, KeyIdentifier ValueType, no EncodingType`,
      requirements: ["WSS-SAML-STR-TOKENTYPE", "WSS-SAML-STR-KEYID-VALUETYPE", "WSS-SAML-STR-KEYID-NO-ENCODING"],
      needs: [...needs, { kind: "tokenType", tokenType: samlV === "1.1" ? "saml11" : "saml20" }],
      async run(t: CaseContext) {
        const tokenType = samlV === "1.1" ? TOKEN_TYPES.saml11 : TOKEN_TYPES.saml20;
        const { rstr } = requireToken(t, await t.client({ version: V }).send(issueRst(t, V, { tokenType, appliesTo: { address: t.target.appliesTo.registered } })));
        const refs = [rstr.requestedAttachedReference?.element, rstr.requestedUnattachedReference?.element].filter((e): e is Element => !!e);
        if (refs.length === 0) t.skip("the RSTR returns no token references");
        for (const str of refs) {
          const tt = str.getAttributeNS(NS.wsse11, "TokenType");
          if (samlV === "2.0" || tt) t.check(tt === tokenType || tt === (samlV === "1.1" ? TOKEN_TYPES.saml11Alias : TOKEN_TYPES.saml20Alias), `STR wsse11:TokenType is ${JSON.stringify(tt)}`, "WSS-SAML-STR-TOKENTYPE");
          for (const ki of children(str, NS.wsse, "KeyIdentifier")) {
            t.check(ki.getAttribute("ValueType") === SAML_KEY_IDENTIFIER_VALUE_TYPE[samlV], `KeyIdentifier ValueType is ${ki.getAttribute("ValueType")}`, "WSS-SAML-STR-KEYID-VALUETYPE");
            t.check(!ki.getAttribute("EncodingType"), `KeyIdentifier carries EncodingType ${ki.getAttribute("EncodingType")}`, "WSS-SAML-STR-KEYID-NO-ENCODING");
          }
        }
      },
    }),
  ),
  {
    id: "ws-security/faults/wsse-namespace",
    title: "A WS-Security failure (wrong password) is reported with a fault code in the wsse namespace",
    requirements: ["WSS-FAULT-QNAME", "WSS-FAULT-FAILED-AUTH"],
    needs,
    async run(t: CaseContext) {
      const ex = await t.client({ version: V, password: `${t.target.user.password}-wrong` }).send(issueRst(t, V));
      refuse(t, ex, [...wsse("FailedAuthentication", "InvalidSecurity", "InvalidSecurityToken"), ...wst(V, "FailedAuthentication")], {
        preferred: wsse("FailedAuthentication")[0],
        what: "a wrong password",
      });
    },
  },
  {
    id: "ws-security/faults/message-expired",
    title: "A message refused because its Timestamp expired is reported as wsse:MessageExpired (or a less specific wsse code)",
    requirements: ["WSS-FAULT-MESSAGE-EXPIRED"],
    needs,
    async run(t: CaseContext) {
      const ex = await t.client({ version: V }).send(issueRst(t, V), { timeShiftMs: -(3600 + t.target.clockSkewSeconds) * 1000 });
      refuse(t, ex, wsse("MessageExpired", "InvalidSecurity"), { preferred: wsse("MessageExpired")[0], what: "an expired message" });
    },
  },
  {
    id: "ws-security/faults/unsupported-token",
    title: "A UsernameToken with an unknown password type is reported as wsse:UnsupportedSecurityToken (or a less specific wsse code)",
    requirements: ["WSS-FAULT-UNSUPPORTED-TOKEN"],
    needs,
    async run(t: CaseContext) {
      const ex = await t.client({ version: V }).send(issueRst(t, V), { mutate: (x) => x.replace(/Type="[^"]*#PasswordText"/, 'Type="urn:wsconform:unknown-password-type"') });
      refuse(t, ex, wsse("UnsupportedSecurityToken", "InvalidSecurityToken", "InvalidSecurity", "FailedAuthentication"), {
        preferred: wsse("UnsupportedSecurityToken")[0],
        what: "an unknown password type",
      });
    },
  },
  {
    id: "ws-security/faults/invalid-security",
    title: "A request without a wsse:Security header is refused with a wsse fault (InvalidSecurity)",
    requirements: ["WSS-FAULT-INVALID-SECURITY"],
    needs,
    async run(t: CaseContext) {
      const ex = await t.client({ version: V }).send(issueRst(t, V), { mutate: (x) => x.replace(/<wsse:Security[\s\S]*<\/wsse:Security>/, "") });
      refuse(t, ex, [...wsse("InvalidSecurity", "FailedAuthentication", "SecurityTokenUnavailable"), ...wst(V, "FailedAuthentication")], {
        preferred: wsse("InvalidSecurity")[0],
        what: "a request without a Security header",
      });
    },
  },
  {
    id: "ws-security/faults/failed-check",
    title: "An X.509-signed request whose signed Body was altered is reported as wsse:FailedCheck (or a less specific wsse code)",
    requirements: ["WSS-FAULT-FAILED-CHECK"],
    needs: [...needs, { kind: "credential", credential: "certificate" }],
    async run(t: CaseContext) {
      const ex = await t.client({ version: V, credential: "certificate" }).send(issueRst(t, V), {
        mutate: (x) => x.replace(/(<wsa:Address>)([^<]*)(<\/wsa:Address>)/, "$1$2-altered$3"),
      });
      refuse(t, ex, wsse("FailedCheck", "InvalidSecurity", "FailedAuthentication"), { preferred: wsse("FailedCheck")[0], what: "a signed request altered after signing" });
    },
  },
  {
    id: "ws-security/faults/token-unavailable",
    title: "A signature whose token reference names no token in the message is reported as wsse:SecurityTokenUnavailable (or a less specific wsse code)",
    requirements: ["WSS-FAULT-TOKEN-UNAVAILABLE"],
    needs: [...needs, { kind: "credential", credential: "certificate" }],
    async run(t: CaseContext) {
      const ex = await t.client({ version: V, credential: "certificate" }).send(issueRst(t, V), { mutate: (x) => x.replace('URI="#_bst"', 'URI="#_no-such-token"') });
      refuse(t, ex, wsse("SecurityTokenUnavailable", "InvalidSecurity", "FailedCheck", "FailedAuthentication"), {
        preferred: wsse("SecurityTokenUnavailable")[0],
        what: "a signature referencing a token that is not there",
      });
    },
  },
  {
    id: "ws-security/username-token/digest-formula",
    title: "A PasswordDigest computed over the decoded nonce bytes is accepted; one computed over the nonce's base64 text is refused",
    requirements: ["WSS-UT-DIGEST"],
    needs,
    async run(t: CaseContext) {
      const client = t.client({ version: V, passwordType: "digest" });
      const good = await client.send(issueRst(t, V));
      t.answered(good);
      if (good.fault?.code.local === "UnsupportedSecurityToken") t.skip("the target does not support PasswordDigest");
      t.check(!good.fault && good.message, `a correct PasswordDigest was refused: ${good.fault?.code.local ?? good.parseError}`);
      // The classic bug: hashing the base64 text of the nonce instead of its bytes. Build that digest and send it.
      const nonce = randomBytes(16);
      const bad = await client.send(issueRst(t, V), {
        nonce,
        mutate: (x) =>
          x.replace(/(<wsse:Password[^>]*>)([^<]*)(<\/wsse:Password>)/, (_m, a, _d, b) => {
            const created = /<wsu:Created>([^<]*)<\/wsu:Created><\/wsse:UsernameToken>/.exec(x)?.[1];
            return `${a}${passwordDigest(Buffer.from(nonce.toString("base64"), "utf8"), created, t.target.user.password)}${b}`;
          }),
      });
      refuse(t, bad, [...wsse("FailedAuthentication", "InvalidSecurity", "InvalidSecurityToken"), ...wst(V, "FailedAuthentication")], { what: "a digest over the nonce's base64 text" });
    },
  },
  {
    id: "ws-security/username-token/digest-needs-nonce-and-created",
    title: "A PasswordDigest UsernameToken without Nonce and Created is refused (replay countermeasure 1)",
    requirements: ["WSS-UT-REQUIRE-NONCE-CREATED"],
    needs,
    async run(t: CaseContext) {
      const ex = await t.client({ version: V, passwordType: "digest" }).send(issueRst(t, V), {
        mutate: (x) => x.replace(/<wsse:Nonce[^>]*>[^<]*<\/wsse:Nonce>/, "").replace(/<wsu:Created>[^<]*<\/wsu:Created><\/wsse:UsernameToken>/, "</wsse:UsernameToken>"),
      });
      refuse(t, ex, [...wsse("InvalidSecurityToken", "InvalidSecurity", "FailedAuthentication", "UnsupportedSecurityToken"), ...wst(V, "FailedAuthentication")], {
        what: "a PasswordDigest without Nonce and Created",
      });
    },
  },
  {
    id: "ws-security/username-token/stale-created",
    title: "A UsernameToken whose Created is an hour old is refused (freshness limit, replay countermeasure 2)",
    requirements: ["WSS-UT-FRESHNESS"],
    needs,
    async run(t: CaseContext) {
      const ex = await t.client({ version: V, passwordType: "digest" }).send(issueRst(t, V), { usernameTokenShiftMs: -(3600 + t.target.clockSkewSeconds) * 1000 });
      refuse(t, ex, [...wsse("MessageExpired", "InvalidSecurityToken", "InvalidSecurity", "FailedAuthentication"), ...wst(V, "ExpiredData", "FailedAuthentication")], {
        what: "a UsernameToken created an hour ago",
      });
    },
  },
];
