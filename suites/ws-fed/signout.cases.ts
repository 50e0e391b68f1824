// wsignout1.0 and sign-out propagation (WS-Federation 1.2 §13.2.4, MS-MWBF sign-out model): the user signs in to
// three harness RPs through the IdP, then signs out — at the IdP or at one RP — and every RP must receive
// wsignoutcleanup1.0 while the IdP's own session ends. The part implementations most often get wrong.
import type { BrowserDriverName, PassiveBrowser } from "../../adapters/browser/browser.ts";
import { startCanary } from "../../adapters/canary.ts";
import type { HarnessRp } from "../../adapters/harness-rp/rp.ts";
import { parseHtml, tokenize } from "../../protocol/wsfed/html.ts";
import type { CaseContext, CaseDefinition } from "../case.ts";
import { callsSince, cleanupCalls, idpOf, navigate, passiveUrl, postsTo, rps, signIn, signInParams, signedInAt, withBrowser, DRIVERS } from "./support.ts";

const SIGN_OUT = [{ kind: "passiveIdp" }, { kind: "passiveSignOut" }] as const;

/** Whether a page sends the browser on to a URL under `prefix`: a link, a form, an embedded resource, a meta
 * refresh or a script location assignment. */
function offersUrl(html: string, prefix: string): boolean {
  const urls: string[] = [];
  tokenize(html, (tag) => {
    if (tag.end) return;
    for (const a of ["href", "action", "src", "formaction"]) {
      const v = tag.attrs.get(a);
      if (v) urls.push(v);
    }
  }, () => {});
  const page = parseHtml(html);
  if (page.metaRefresh) urls.push(page.metaRefresh.url);
  if (page.scriptLocation) urls.push(page.scriptLocation);
  return urls.some((u) => u.trim().startsWith(prefix));
}

/** Sign in to every RP with one browser; the first asks for credentials, the rest ride the IdP session. */
async function signInToAll(t: CaseContext, b: PassiveBrowser, list: HarnessRp[]): Promise<void> {
  for (const rp of list) await signIn(t, b, rp);
  for (const rp of list) t.check(await signedInAt(t, b, rp), `after signing in, the browser has no session at ${rp.realm}`, "F21");
}

/** Every RP got wsignoutcleanup1.0 after its mark, and the browser's session there is gone. */
async function expectCleanedUp(t: CaseContext, b: PassiveBrowser, list: HarnessRp[], marks: number[], except?: HarnessRp): Promise<void> {
  const missing = list.filter((rp, i) => rp !== except && cleanupCalls(callsSince(rp, marks[i]!)).length === 0);
  t.check(missing.length === 0, `wsignoutcleanup1.0 never reached ${missing.map((r) => r.realm).join(", ")} (of ${list.length} relying parties in the session)`, "F27");
  for (const rp of list) {
    t.check(!(await signedInAt(t, b, rp)), `after sign-out the browser still has a session at ${rp.realm}`, "F27");
  }
}

/** The IdP session is over: a new sign-in must ask for credentials. */
async function expectIdpSessionGone(t: CaseContext, b: PassiveBrowser, rp: HarnessRp): Promise<void> {
  const idp = idpOf(t);
  const nav = await navigate(t, b, passiveUrl(idp.signInUrl, signInParams(rp)), { credentials: idp.user });
  t.check(nav.loginPrompted, "after wsignout1.0 the IdP still issued a token from the old session without asking for credentials", "F26");
  t.check(postsTo(nav, rp.replyUrl).length <= 1, "more than one sign-in response after re-authentication", "F26");
}

function signOutCases(driver: BrowserDriverName): CaseDefinition[] {
  const id = (name: string) => `ws-fed/${driver}/signout/${name}`;
  return [
    {
      id: id("idp-initiated-propagates"),
      title: `wsignout1.0 at the IdP sends wsignoutcleanup1.0 to every RP of the session (${driver})`,
      requirements: ["F27", "F26"],
      needs: [...SIGN_OUT],
      async run(t: CaseContext) {
        const list = rps(t, 3);
        await withBrowser(t, driver, async (b) => {
          await signInToAll(t, b, list);
          const marks = list.map((rp) => rp.calls().length);
          await navigate(t, b, passiveUrl(idpOf(t).signInUrl, { wa: "wsignout1.0" }));
          await expectCleanedUp(t, b, list, marks);
          await expectIdpSessionGone(t, b, list[0]!);
        });
      },
    },
    {
      id: id("idp-session-ended"),
      title: `After wsignout1.0 the next wsignin1.0 asks for credentials again (${driver})`,
      requirements: ["F26"],
      needs: [...SIGN_OUT],
      async run(t: CaseContext) {
        const [rp] = rps(t);
        await withBrowser(t, driver, async (b) => {
          await signIn(t, b, rp!);
          // Precondition: with a live session a second sign-in is silent; otherwise the check below proves nothing.
          const sso = await navigate(t, b, passiveUrl(idpOf(t).signInUrl, signInParams(rp!)), { credentials: idpOf(t).user });
          if (sso.loginPrompted) t.info("the IdP keeps no single sign-on session: it asked for credentials on the second sign-in");
          await navigate(t, b, passiveUrl(idpOf(t).signInUrl, { wa: "wsignout1.0" }));
          await expectIdpSessionGone(t, b, rp!);
        });
      },
    },
    {
      id: id("rp-initiated-propagates"),
      title: `Sign-out started at one RP reaches the IdP and every other RP of the session (${driver})`,
      requirements: ["F27", "F26"],
      needs: [...SIGN_OUT],
      async run(t: CaseContext) {
        const list = rps(t, 3);
        await withBrowser(t, driver, async (b) => {
          await signInToAll(t, b, list);
          const marks = list.map((rp) => rp.calls().length);
          // The harness RP ends its own session and redirects to the IdP with wa=wsignout1.0 (and wreply back).
          const start = list[1]!;
          const nav = await navigate(t, b, passiveUrl(start.replyUrl, { wa: "wsignout1.0" }));
          const reachedIdp = nav.steps.some((s) => s.url.startsWith(idpOf(t).signInUrl.split("?")[0]!) && /[?&]wa=wsignout1\.0/.test(s.url));
          t.check(reachedIdp, "the browser never reached the IdP with wsignout1.0 (the harness RP's redirect was not followed)", "F26");
          await expectCleanedUp(t, b, list, marks, start);
          await expectIdpSessionGone(t, b, list[0]!);
        });
      },
    },
    {
      id: id("foreign-wreply-not-followed"),
      title: `A wreply on wsignout1.0 that no RP registered is not followed (${driver})`,
      requirements: ["F28"],
      needs: [...SIGN_OUT],
      async run(t: CaseContext) {
        const [rp] = rps(t);
        const canary = await startCanary();
        try {
          await withBrowser(t, driver, async (b) => {
            await signIn(t, b, rp!);
            const nav = await navigate(t, b, passiveUrl(idpOf(t).signInUrl, { wa: "wsignout1.0", wreply: `${canary.url}after-signout` }));
            // A link or a delayed redirect to the foreign URL honours it too, even when this driver does not follow it
            // (an error page that merely quotes the refused URL in text does not).
            const offered = offersUrl(nav.finalBody, canary.url) || nav.steps.some((s) => s.location?.startsWith(canary.url));
            t.check(!offered, `the sign-out answer sends the browser on to the unregistered wreply ${canary.url}after-signout`);
          });
          t.check(canary.hits().length === 0, `the IdP sent the browser to the unregistered wreply: ${canary.hits().map((h) => `${h.method} ${h.url}`).join(", ")}`);
        } finally {
          await canary.close();
        }
      },
    },
    {
      id: id("cleanup-at-idp-ends-session"),
      title: `wsignoutcleanup1.0 received by the IdP clears its session too (${driver})`,
      requirements: ["F29"],
      needs: [...SIGN_OUT],
      async run(t: CaseContext) {
        const [rp] = rps(t);
        await withBrowser(t, driver, async (b) => {
          await signIn(t, b, rp!);
          await navigate(t, b, passiveUrl(idpOf(t).signInUrl, { wa: "wsignoutcleanup1.0" }));
          const nav = await navigate(t, b, passiveUrl(idpOf(t).signInUrl, signInParams(rp!)), { credentials: idpOf(t).user });
          t.check(nav.loginPrompted, "after wsignoutcleanup1.0 the IdP still issued a token from the old session");
        });
      },
    },
  ];
}

export const SIGNOUT_CASES: CaseDefinition[] = DRIVERS.flatMap(signOutCases);
