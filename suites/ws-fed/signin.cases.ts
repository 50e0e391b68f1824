// wsignin1.0 (WS-Federation 1.2 §13.2.1–13.2.3, §13.6.3; MS-MWBF): parameter rules and the sign-in response, driven
// through a browser as a user would, once per browser driver (undici and a real Chromium). The harness's own RPs
// receive the tokens; a canary listener stands in for every place a token must never go.
import type { BrowserDriverName } from "../../adapters/browser/browser.ts";
import { startCanary } from "../../adapters/canary.ts";
import { NS } from "../../protocol/namespaces.ts";
import { children } from "../../protocol/xml/dom.ts";
import type { CaseContext, CaseDefinition } from "../case.ts";
import { idpOf, navigate, passiveUrl, postsTo, rps, signIn, signInParams, tokenOf, tokenPosts, withBrowser, DRIVERS } from "./support.ts";

const PASSIVE = { kind: "passiveIdp" } as const;

/** A sign-in the IdP must refuse: no token may be posted anywhere, and no harness RP may receive one. */
async function expectNoToken(t: CaseContext, driver: BrowserDriverName, params: Record<string, string | undefined>, why: string, requirement?: string): Promise<void> {
  const idp = idpOf(t);
  const marks = idp.relyingParties.map((rp) => rp.calls().length);
  await withBrowser(t, driver, async (b) => {
    const nav = await navigate(t, b, passiveUrl(idp.signInUrl, params), { credentials: idp.user });
    const posts = tokenPosts(nav);
    t.check(posts.length === 0, `${why}, yet the IdP issued a token and the browser posted it to ${posts.map((p) => p.action).join(", ")}`, requirement);
  });
  idp.relyingParties.forEach((rp, i) => {
    const got = rp.calls().slice(marks[i]).filter((c) => c.wa === "wsignin1.0");
    t.check(got.length === 0, `${why}, yet ${rp.realm} received a sign-in response`, requirement);
  });
}

function signInCases(driver: BrowserDriverName): CaseDefinition[] {
  const id = (name: string) => `ws-fed/${driver}/signin/${name}`;
  return [
    {
      id: id("round-trip"),
      title: `A user signs in through the IdP and the token reaches the relying party by POST (${driver})`,
      requirements: ["F19", "F21", "F18", "F54"],
      needs: [PASSIVE],
      async run(t: CaseContext) {
        const [rp] = rps(t);
        await withBrowser(t, driver, async (b) => {
          const { nav, post } = await signIn(t, b, rp!);
          t.check(nav.loginPrompted, "a fresh browser was never asked for credentials: the IdP issued a token without authenticating the user", "F54");
          t.check(post.fields.wa === "wsignin1.0", `the sign-in response carries wa=${JSON.stringify(post.fields.wa)}, not wsignin1.0`, "F01");
          // MS-MWBF: the response travels in a form POST, never in a redirect URL where it would end up in logs.
          const leaked = nav.steps.find((s) => s.method === "GET" && /[?&]wresult=/.test(s.url));
          t.check(!leaked, `the token travelled in a GET URL (${leaked?.url.slice(0, 120)}…), not in a form POST`, "F18");
          tokenOf(t, post);
        });
      },
    },
    {
      id: id("audience-is-wtrealm"),
      title: `The token's audience is the wtrealm of the request (${driver})`,
      requirements: ["F04"],
      needs: [PASSIVE],
      async run(t: CaseContext) {
        const [rp] = rps(t);
        await withBrowser(t, driver, async (b) => {
          // The harness RP refuses a token for another audience: judge the token itself, before the RP's verdict.
          const { post } = await signIn(t, b, rp!, {}, { requireAccepted: false });
          const { assertion } = tokenOf(t, post);
          t.check(assertion.audiences.length > 0, "the token carries no audience restriction");
          t.check(assertion.audiences.includes(rp!.realm), `the token's audiences are [${assertion.audiences.join(", ")}], the wtrealm was ${rp!.realm}`);
        });
      },
    },
    {
      id: id("applies-to-consistent"),
      title: `An AppliesTo in wresult names the realm and agrees with the token audience (${driver})`,
      requirements: ["F23"],
      needs: [PASSIVE],
      async run(t: CaseContext) {
        const [rp] = rps(t);
        await withBrowser(t, driver, async (b) => {
          const { post } = await signIn(t, b, rp!);
          const { wresult, assertion } = tokenOf(t, post);
          if (wresult.appliesTo === undefined) {
            t.info("wresult carries no AppliesTo (it is optional)");
            return;
          }
          t.check(wresult.appliesTo === rp!.realm, `wresult AppliesTo is ${wresult.appliesTo}, the realm is ${rp!.realm}`);
          t.check(assertion.audiences.includes(wresult.appliesTo), `AppliesTo ${wresult.appliesTo} is not among the token audiences [${assertion.audiences.join(", ")}]`);
        });
      },
    },
    {
      id: id("wctx-echoed"),
      title: `wctx comes back with the token byte for byte (${driver})`,
      requirements: ["F06"],
      needs: [PASSIVE],
      async run(t: CaseContext) {
        const [rp] = rps(t);
        // Characters that a careless implementation re-encodes, trims or decodes twice.
        const wctx = `rm=0&id=${crypto.randomUUID()}&ru=%2Fapp%2F%3Fq%3Da%2Bb&x= spaced  "quoted" <tag> 'é' ✓ %25`;
        await withBrowser(t, driver, async (b) => {
          const { post } = await signIn(t, b, rp!, { wctx });
          t.check(post.fields.wctx === wctx, `wctx came back as ${JSON.stringify(post.fields.wctx)}; sent ${JSON.stringify(wctx)}`);
        });
      },
    },
    {
      id: id("missing-wtrealm"),
      title: `A wsignin1.0 without wtrealm gets no token (${driver})`,
      requirements: ["F02"],
      needs: [PASSIVE],
      async run(t: CaseContext) {
        const [rp] = rps(t);
        await expectNoToken(t, driver, { ...signInParams(rp!), wtrealm: undefined }, "the request named no realm");
      },
    },
    {
      id: id("unknown-realm"),
      title: `A wsignin1.0 for a realm the IdP does not know gets no token (${driver})`,
      requirements: ["F04", "F05"],
      needs: [PASSIVE],
      async run(t: CaseContext) {
        const [rp] = rps(t);
        await expectNoToken(t, driver, signInParams(rp!, { wtrealm: idpOf(t).unregisteredRealm }), `the realm ${idpOf(t).unregisteredRealm} is not registered`);
      },
    },
    {
      id: id("missing-wa"),
      title: `A sign-in request without wa gets no token (${driver})`,
      requirements: ["F01"],
      needs: [PASSIVE],
      async run(t: CaseContext) {
        const [rp] = rps(t);
        await expectNoToken(t, driver, { ...signInParams(rp!), wa: undefined }, "the request carried no wa");
      },
    },
    {
      id: id("unknown-wa"),
      title: `A request with an undefined wa value gets no token (${driver})`,
      requirements: ["F01"],
      needs: [PASSIVE],
      async run(t: CaseContext) {
        const [rp] = rps(t);
        await expectNoToken(t, driver, signInParams(rp!, { wa: "wsignin2.0" }), "wa=wsignin2.0 is not an action of WS-Federation");
      },
    },
    {
      id: id("foreign-wreply"),
      title: `A wreply outside the realm's registered reply URLs never receives the token (${driver})`,
      requirements: ["F05"],
      needs: [PASSIVE],
      async run(t: CaseContext) {
        const [rp] = rps(t);
        const canary = await startCanary();
        try {
          await expectNoToken(t, driver, signInParams(rp!, { wreply: `${canary.url}collect` }), `wreply ${canary.url}collect is not a reply URL of ${rp!.realm}`);
          t.check(canary.hits().length === 0, `the browser was sent to the foreign wreply: ${canary.hits().map((h) => `${h.method} ${h.url}`).join(", ")}`);
        } finally {
          await canary.close();
        }
      },
    },
    {
      id: id("wreply-embedding-registered-url"),
      title: `A wreply that merely contains a registered reply URL is not trusted (${driver})`,
      requirements: ["F05"],
      needs: [PASSIVE],
      async run(t: CaseContext) {
        const [rp] = rps(t);
        const canary = await startCanary();
        try {
          // Catches "contains"/"ends with" checks instead of an exact match.
          const wreply = `${canary.url}?next=${encodeURIComponent(rp!.replyUrl)}#${rp!.replyUrl}`;
          await expectNoToken(t, driver, signInParams(rp!, { wreply }), `wreply ${wreply} only embeds the registered URL`);
          t.check(canary.hits().length === 0, `the browser was sent to ${canary.url}: ${canary.hits().map((h) => `${h.method} ${h.url}`).join(", ")}`);
        } finally {
          await canary.close();
        }
      },
    },
    {
      id: id("wreply-of-another-realm"),
      title: `A token for one realm is never posted to another realm's reply URL (${driver})`,
      requirements: ["F05"],
      needs: [PASSIVE],
      async run(t: CaseContext) {
        const [a, b] = rps(t, 2);
        // wreply must belong to the RP named by wtrealm: otherwise RP B receives a token scoped to A (or the
        // IdP's check is only "some registered URL").
        await expectNoToken(t, driver, signInParams(a!, { wreply: b!.replyUrl }), `wreply ${b!.replyUrl} belongs to ${b!.realm}, not to ${a!.realm}`);
      },
    },
    {
      id: id("unknown-parameter-ignored"),
      title: `Unknown passive parameters are ignored (${driver})`,
      requirements: ["F15"],
      needs: [PASSIVE],
      async run(t: CaseContext) {
        const [rp] = rps(t);
        await withBrowser(t, driver, async (b) => {
          await signIn(t, b, rp!, { "x-wsconform-unknown": "1", wfoo: "bar" });
        });
      },
    },
    {
      id: id("wreq-with-wreqptr"),
      title: `wreq and wreqptr together are refused (${driver})`,
      requirements: ["F12"],
      needs: [PASSIVE],
      async run(t: CaseContext) {
        const [rp] = rps(t);
        const wreq = `<t:RequestSecurityToken xmlns:t="${NS.wst13}"><t:RequestType>${NS.wst13}/Issue</t:RequestType></t:RequestSecurityToken>`;
        await expectNoToken(t, driver, signInParams(rp!, { wreq, wreqptr: "http://127.0.0.1:9/rst.xml" }), "the request carried both wreq and wreqptr");
      },
    },
    {
      id: id("unknown-wencoding"),
      title: `An unknown wencoding is refused (${driver})`,
      requirements: ["F14"],
      needs: [PASSIVE],
      async run(t: CaseContext) {
        const [rp] = rps(t);
        await expectNoToken(t, driver, signInParams(rp!, { wencoding: "x-wsconform-rot13" }), "wencoding names an encoding nobody defines");
      },
    },
    {
      id: id("unsupported-wauth"),
      title: `A wauth the IdP cannot satisfy gets no token (${driver})`,
      requirements: ["F11"],
      needs: [PASSIVE],
      async run(t: CaseContext) {
        const [rp] = rps(t);
        await expectNoToken(t, driver, signInParams(rp!, { wauth: "urn:wsconform:authn:retina-scan" }), "wauth asked for an authentication type the IdP does not offer");
      },
    },
    {
      id: id("wrong-password"),
      title: `A wrong password gets no token (${driver})`,
      requirements: ["F54"],
      needs: [PASSIVE],
      async run(t: CaseContext) {
        const idp = idpOf(t);
        const [rp] = rps(t);
        await withBrowser(t, driver, async (b) => {
          const nav = await navigate(t, b, passiveUrl(idp.signInUrl, signInParams(rp!)), { credentials: { username: idp.user.username, password: `${idp.user.password}-wrong` } });
          t.check(nav.loginPrompted, "the IdP never asked for credentials");
          t.check(tokenPosts(nav).length === 0, `a wrong password still produced a token posted to ${tokenPosts(nav).map((p) => p.action).join(", ")}`);
        });
      },
    },
    {
      id: id("wfresh-zero-reauthenticates"),
      title: `wfresh=0 makes the IdP ask for credentials again despite a session (${driver})`,
      requirements: ["F08"],
      needs: [PASSIVE],
      async run(t: CaseContext) {
        const idp = idpOf(t);
        if (!idp.capabilities.freshness) t.skip("the target does not declare wfresh support (passive.capabilities.freshness)");
        const [rp] = rps(t);
        await withBrowser(t, driver, async (b) => {
          await signIn(t, b, rp!);
          const again = await navigate(t, b, passiveUrl(idp.signInUrl, signInParams(rp!)), { credentials: idp.user });
          if (again.loginPrompted) t.info("the IdP asked for credentials on a second sign-in without wfresh (no single sign-on session)");
          const fresh = await navigate(t, b, passiveUrl(idp.signInUrl, signInParams(rp!, { wfresh: "0" })), { credentials: idp.user });
          t.check(fresh.loginPrompted, "with wfresh=0 the IdP issued a token from its existing session without asking for credentials");
          t.check(postsTo(fresh, rp!.replyUrl).length === 1, "after re-authentication no token reached the RP", "F21");
        });
      },
    },
    {
      id: id("wfresh-bounds-lifetime"),
      title: `A token issued with wfresh=1 lives at most one minute (${driver})`,
      requirements: ["F09"],
      needs: [PASSIVE],
      async run(t: CaseContext) {
        const idp = idpOf(t);
        if (!idp.capabilities.freshness) t.skip("the target does not declare wfresh support (passive.capabilities.freshness)");
        const [rp] = rps(t);
        await withBrowser(t, driver, async (b) => {
          const { post } = await signIn(t, b, rp!, { wfresh: "1" });
          const { assertion } = tokenOf(t, post);
          const life = (assertion.notOnOrAfter - Math.max(assertion.notBefore, assertion.issueInstant)) / 1000;
          t.check(life <= 60, `with wfresh=1 the token is valid for ${life} s, more than 60 s`);
        });
      },
    },
    {
      id: id("ms-profile-token"),
      title: `A SAML 1.1 passive token has the shape of the Microsoft profile (${driver})`,
      requirements: ["F25"],
      needs: [PASSIVE],
      async run(t: CaseContext) {
        const [rp] = rps(t);
        await withBrowser(t, driver, async (b) => {
          const { post } = await signIn(t, b, rp!);
          const { assertion } = tokenOf(t, post);
          if (assertion.version !== "1.1") t.skip(`the IdP issued SAML ${assertion.version}; the Microsoft profile rules are about SAML 1.1`);
          const el = assertion.element;
          t.check(el.getAttribute("AssertionID") && el.getAttribute("Issuer") && el.getAttribute("IssueInstant"), "AssertionID, Issuer and IssueInstant are required");
          const conditions = children(el, NS.saml11, "Conditions")[0];
          t.check(conditions?.getAttribute("NotBefore") && conditions.getAttribute("NotOnOrAfter"), "Conditions must carry both NotBefore and NotOnOrAfter");
          const audiences = children(conditions!, NS.saml11, "AudienceRestrictionCondition").flatMap((c) => children(c, NS.saml11, "Audience"));
          t.check(audiences.length === 1, `exactly one Audience is required, found ${audiences.length}`);
          const authn = children(el, NS.saml11, "AuthenticationStatement");
          t.check(authn.length === 1, `exactly one AuthenticationStatement is required, found ${authn.length}`);
          t.check(authn[0]!.getAttribute("AuthenticationMethod") && authn[0]!.getAttribute("AuthenticationInstant"), "the AuthenticationStatement needs AuthenticationMethod and AuthenticationInstant");
          t.check(children(el, NS.saml11, "AttributeStatement").length <= 1, "at most one AttributeStatement is allowed");
        });
      },
    },
  ];
}

export const SIGNIN_CASES: CaseDefinition[] = DRIVERS.flatMap(signInCases);
