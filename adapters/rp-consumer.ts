// A WS-Federation relying party seen as a TokenConsumer: each delivery is posted as a sign-in response (wresult)
// from a fresh browser session, and the RP's own probe says whether it accepted it. So every token attack of the
// security suites runs against RPs over HTTP exactly as it runs against a library.
import { TOKEN_TYPES } from "../protocol/namespaces.ts";
import { buildWresult } from "../protocol/wsfed/wresult.ts";
import type { RelyingPartyTarget } from "./relying-party-target.ts";
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

export function relyingPartyConsumer(rp: RelyingPartyTarget, kind: TokenConsumer["description"]["kind"] = rp.description.kind === "reference" ? "reference" : "wsfed-rp"): TokenConsumer {
  return {
    description: { name: rp.description.name, kind },
    deliveries: ["wresult", "assertion"],
    trust: { issuer: rp.issuer, signingKey: rp.signingKey, audience: rp.realm, recipient: rp.replyUrl },
    tokenTypes: rp.tokenTypes,
    clock: rp.clock,
    clockSkewSeconds: rp.clockSkewSeconds,
    async consume(d: Delivery): Promise<ConsumerOutcome> {
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
      } else return { accepted: false, reason: `a WS-Fed relying party takes no ${d.kind} delivery` };
      const s = rp.newSession();
      const post = await s.postWresult(wresult, d.kind === "wresult" ? d.wctx : undefined);
      if (post.error) throw new Error(`the relying party did not answer the sign-in POST: ${post.error}`);
      if (!(await s.signedIn())) return { accepted: false, reason: `HTTP ${post.status}${post.body ? `: ${post.body.slice(0, 200)}` : ""}` };
      const probe = s.exchanges().at(-1);
      const id = identityOf(probe?.body);
      return { accepted: true, subject: id.subject, claims: id.claims, detail: `signed in (HTTP ${post.status})` };
    },
    close: () => rp.close(),
  };
}
