// A WS-Federation relying party seen as a TokenConsumer: each delivery is posted as a sign-in response (wresult)
// from a fresh browser session, and the RP's own probe says whether it accepted it. So every token attack of the
// security suites runs against RPs over HTTP exactly as it runs against a library.
import { TOKEN_TYPES } from "../protocol/namespaces.ts";
import { encodeSamlResponse } from "../protocol/saml/response.ts";
import { buildWresult } from "../protocol/wsfed/wresult.ts";
import type { HttpExchange, RelyingPartyTarget, RpSession } from "./relying-party-target.ts";
import type { ConsumerOutcome, Delivery, TokenConsumer } from "./token-consumer.ts";

/** The identity a probe page reports, when it answers JSON {subject, claims} (the harness RP does). */
function identityOf(body: string | undefined): { subject?: string; claims: Record<string, string[]> } {
  if (!body) return { claims: {} };
  try {
    const j = JSON.parse(body) as { subject?: unknown; claims?: unknown };
    const claims: Record<string, string[]> = {};
    if (j.claims && typeof j.claims === "object") {
      for (const [k, v] of Object.entries(j.claims as Record<string, unknown>)) claims[k] = (Array.isArray(v) ? v : [v]).map(String);
    }
    return { subject: typeof j.subject === "string" ? j.subject : undefined, claims };
  } catch {
    return { claims: {} };
  }
}

function samlVersionOf(xml: string): "1.1" | "2.0" {
  return xml.includes("urn:oasis:names:tc:SAML:1.0:assertion") && !xml.includes("urn:oasis:names:tc:SAML:2.0:assertion") ? "1.1" : "2.0";
}

/**
 * `samlResponse`: the RP also takes a SAML 2.0 Response over the POST binding at its reply URL (SAMLResponse +
 * RelayState). Default: only the reference RP (the harness RP does); a WS-Fed RP under test is asked for wresult.
 */
/** A fresh browser session that posts once. */
export async function rpSession(rp: RelyingPartyTarget, post: (s: RpSession) => Promise<HttpExchange>): Promise<{ s: RpSession; post: HttpExchange }> {
  const s = rp.newSession();
  return { s, post: await post(s) };
}

/** Did the post sign the session in? The probe says; the identity comes from the probe page when it is JSON. */
export async function judgeSession(x: { s: RpSession; post: HttpExchange }): Promise<ConsumerOutcome> {
  const { s, post } = x;
  if (post.error) throw new Error(`the relying party did not answer the sign-in POST: ${post.error}`);
  if (!(await s.signedIn())) return { accepted: false, reason: `HTTP ${post.status}${post.body ? `: ${post.body.slice(0, 200)}` : ""}` };
  const probe = s.exchanges().at(-1);
  const id = identityOf(probe?.body);
  return { accepted: true, subject: id.subject, claims: id.claims, detail: `signed in (HTTP ${post.status})` };
}

export function relyingPartyConsumer(
  rp: RelyingPartyTarget,
  kind: TokenConsumer["description"]["kind"] = rp.description.kind === "reference" ? "reference" : "wsfed-rp",
  o: { samlResponse?: boolean } = {},
): TokenConsumer {
  const samlResponse = o.samlResponse ?? rp.description.kind === "reference";
  return {
    description: { name: rp.description.name, kind },
    // wresult first: the attacks take the first kind that fits, and a WS-Fed RP's native delivery is wresult.
    deliveries: samlResponse ? ["wresult", "assertion", "samlResponse"] : ["wresult", "assertion"],
    trust: { issuer: rp.issuer, signingKey: rp.signingKey, audience: rp.realm, recipient: rp.replyUrl },
    tokenTypes: rp.tokenTypes,
    clock: rp.clock,
    clockSkewSeconds: rp.clockSkewSeconds,
    async consume(d: Delivery): Promise<ConsumerOutcome> {
      if (d.kind === "samlResponse") {
        if (!samlResponse) return { accepted: false, reason: "this relying party takes no samlResponse delivery" };
        const fields: Record<string, string> = { SAMLResponse: encodeSamlResponse(d.xml) };
        if (d.relayState !== undefined) fields.RelayState = d.relayState;
        return judgeSession(await rpSession(rp, (s) => s.postForm(fields)));
      }
      let wresult: string;
      if (d.kind === "wresult") wresult = d.xml;
      else if (d.kind === "assertion") {
        // A bare assertion travels the way AD FS sends it: in a February 2005 RSTR.
        const now = rp.clock.now();
        wresult = buildWresult({
          format: "2005",
          assertionXml: d.xml,
          lifetime: { created: now - 60_000, expires: now + 3600_000 },
          tokenType: samlVersionOf(d.xml) === "1.1" ? TOKEN_TYPES.saml11 : TOKEN_TYPES.saml20,
        });
      } else return { accepted: false, reason: `a WS-Fed relying party takes no ${(d as Delivery).kind} delivery` };
      const w = wresult;
      return judgeSession(await rpSession(rp, (s) => s.postWresult(w, d.kind === "wresult" ? d.wctx : undefined)));
    },
    close: () => rp.close(),
  };
}
