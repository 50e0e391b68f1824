// The relying-party side of the passive profile (WS-Federation 1.2 §13.2.3, §13.2.4.2): the harness plays the IdP
// the RP trusts, posts sign-in responses in every shape an RP must accept, and sends wsignoutcleanup1.0.
import { randomUUID } from "node:crypto";
import { startCanary } from "../../adapters/canary.ts";
import type { RelyingPartyTarget, RpSession } from "../../adapters/relying-party-target.ts";
import { signAssertion } from "../../protocol/saml/build.ts";
import { TOKEN_TYPES } from "../../protocol/namespaces.ts";
import { buildWresult, type WresultSpec } from "../../protocol/wsfed/wresult.ts";

type WresultShape = Pick<WresultSpec, "format" | "soap">;
import { TargetError, type CaseContext, type CaseDefinition } from "../case.ts";

const RP = [{ kind: "relyingParty" }] as const;

function rpOf(t: CaseContext): RelyingPartyTarget {
  const rp = t.target.relyingParty;
  if (!rp) t.skip("the target has no relying party");
  return rp;
}

/** A sign-in response the RP must accept: signed by the IdP it trusts, for its realm, valid now. */
export function validWresult(rp: RelyingPartyTarget, shape: WresultShape = { format: "2005" }, samlVersion: "1.1" | "2.0" = rp.tokenTypes.includes("saml11") ? "1.1" : "2.0"): string {
  const now = rp.clock.now();
  const created = now - 60_000;
  const expires = now + 3600_000;
  const assertionXml = signAssertion(
    {
      version: samlVersion,
      id: `_${randomUUID()}`,
      issuer: rp.issuer,
      issueInstant: created,
      subject: { nameId: "alice@wsconform.test", format: "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress" },
      confirmation: { method: "bearer" },
      notBefore: created,
      notOnOrAfter: expires,
      audiences: [rp.realm],
      authn: { method: samlVersion === "1.1" ? "urn:oasis:names:tc:SAML:1.0:am:password" : "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport", instant: created },
      attributes: [{ name: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name", values: ["alice"] }],
    },
    rp.signingKey,
  );
  return buildWresult({ ...shape, assertionXml, appliesTo: rp.realm, lifetime: { created, expires }, tokenType: samlVersion === "1.1" ? TOKEN_TYPES.saml11 : TOKEN_TYPES.saml20 });
}

function record(t: CaseContext, session: { exchanges(): { method: string; url: string; status?: number; location?: string; body?: string; error?: string }[] }): void {
  for (const e of session.exchanges()) {
    t.exchanges.push({ path: e.url, request: `${e.method} ${e.url}`, status: e.status, response: e.location ? `Location: ${e.location}` : e.body?.slice(0, 4_000), error: e.error, ms: 0 });
  }
}

/** Run `fn` with a fresh browser session at the RP; its exchanges become the case's evidence. */
async function withSession<T>(t: CaseContext, fn: (rp: RelyingPartyTarget, s: RpSession) => Promise<T>): Promise<T> {
  const rp = rpOf(t);
  const s = rp.newSession();
  try {
    return await fn(rp, s);
  } finally {
    record(t, s);
  }
}

const SHAPES: { name: string; shape: WresultShape; what: string }[] = [
  { name: "2005-rstr", shape: { format: "2005" }, what: "a February 2005 RSTR (AD FS, Entra)" },
  { name: "1.3-rstr", shape: { format: "1.3" }, what: "a WS-Trust 1.3 RSTR" },
  { name: "1.3-rstrc", shape: { format: "1.3-rstrc" }, what: "a WS-Trust 1.3 RSTRC" },
  { name: "soap11-2005-rstr", shape: { format: "2005", soap: "1.1" }, what: "a SOAP 1.1 envelope carrying a 2005 RSTR" },
  { name: "soap12-1.3-rstrc", shape: { format: "1.3-rstrc", soap: "1.2" }, what: "a SOAP 1.2 envelope carrying a 1.3 RSTRC" },
];

export const RP_CASES: CaseDefinition[] = [
  ...SHAPES.map(
    ({ name, shape, what }): CaseDefinition => ({
      id: `ws-fed/rp/accepts-${name}`,
      title: `The RP accepts a valid token delivered in ${what}`,
      requirements: ["F20"],
      needs: [...RP],
      async run(t: CaseContext) {
        await withSession(t, async (rp, s) => {
          const post = await s.postWresult(validWresult(rp, shape), `rm=0&ru=${encodeURIComponent("/")}`);
          t.check(post.status !== undefined && post.status < 500, `posting the sign-in response failed: HTTP ${post.status ?? post.error}`);
          t.check(await s.signedIn(), `the RP did not establish a session from ${what}`);
        });
      },
    }),
  ),
  {
    id: "ws-fed/rp/cleanup-clears-session",
    title: "wsignoutcleanup1.0 ends the RP session of the browser",
    requirements: ["F29"],
    needs: [...RP],
    async run(t: CaseContext) {
      await withSession(t, async (rp, s) => {
        await s.postWresult(validWresult(rp));
        if (!(await s.signedIn())) throw new TargetError("the RP does not accept a valid token, so cleanup cannot be judged");
        await s.cleanup();
        t.check(!(await s.signedIn()), "after wsignoutcleanup1.0 the browser is still signed in at the RP");
      });
    },
  },
  {
    id: "ws-fed/rp/cleanup-needs-no-authentication",
    title: "wsignoutcleanup1.0 is answered without authentication or an anti-forgery token",
    requirements: ["F32"],
    needs: [...RP],
    async run(t: CaseContext) {
      await withSession(t, async (_rp, s) => {
        // A browser without any RP session: the cleanup still has to be answered, not refused.
        const ex = await s.cleanup();
        t.check(ex.status !== undefined, `the cleanup request got no answer: ${ex.error}`);
        t.check(ex.status !== 401 && ex.status !== 403, `the RP refused wsignoutcleanup1.0 with HTTP ${ex.status}`);
      });
    },
  },
  {
    id: "ws-fed/rp/cleanup-answer-embeddable",
    title: "The cleanup answer can be embedded in the IdP's sign-out page (an image or a small page)",
    requirements: ["F33"],
    needs: [...RP],
    async run(t: CaseContext) {
      await withSession(t, async (rp, s) => {
        await s.postWresult(validWresult(rp));
        const ex = await s.cleanup();
        t.check(ex.status === 200 || (ex.status !== undefined && ex.status >= 300 && ex.status < 400), `the cleanup answer is HTTP ${ex.status ?? ex.error}, which an <img> or <iframe> cannot show`);
      });
    },
  },
  {
    id: "ws-fed/rp/cleanup-foreign-wreply-not-followed",
    title: "A wreply on wsignoutcleanup1.0 that the RP does not trust is not followed",
    requirements: ["F31"],
    needs: [...RP],
    async run(t: CaseContext) {
      const canary = await startCanary();
      try {
        await withSession(t, async (rp, s) => {
          await s.postWresult(validWresult(rp));
          const ex = await s.cleanup(`${canary.url}after-cleanup`);
          const redirected = ex.location !== undefined && ex.location.startsWith(canary.url);
          t.check(!redirected && canary.hits().length === 0, `the RP redirected to the untrusted wreply ${ex.location ?? canary.url}`);
        });
      } finally {
        await canary.close();
      }
    },
  },
];
