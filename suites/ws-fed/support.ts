// Shared moves of the WS-Federation passive cases: open a browser of a given driver, build wsignin1.0 /
// wsignout1.0 URLs, record what the browser did as the case's wire exchanges, and read the token an IdP posted.
// Each helper turns a target's behaviour into evidence a vendor can replay in a browser.
import { existsSync } from "node:fs";
import { Agent, request } from "undici";

let ownRpAgent: Agent | undefined;
import type { BrowserDriverName, Navigation, NavigateOptions, PassiveBrowser } from "../../adapters/browser/browser.ts";
import type { HarnessRp, RpCall } from "../../adapters/harness-rp/rp.ts";
import type { PassiveIdpTarget } from "../../adapters/passive-idp-target.ts";
import { verifyAssertion } from "../../protocol/saml/parse.ts";
import type { ParsedAssertion } from "../../protocol/saml/model.ts";
import { parseWresult, WRESULT_ERROR_RULES, WresultError, type ParsedWresult } from "../../protocol/wsfed/wresult.ts";
import { TargetError, type CaseContext } from "../case.ts";

export const DRIVERS: readonly BrowserDriverName[] = ["undici", "chromium"];
const CHROMIUM = "/usr/bin/chromium";

export function idpOf(t: CaseContext): PassiveIdpTarget {
  const idp = t.target.passiveIdp;
  if (!idp) t.skip("the target has no passive IdP");
  return idp;
}

/** The first `n` harness RPs registered at the IdP (sign-out propagation needs three). */
export function rps(t: CaseContext, n = 1): HarnessRp[] {
  const all = idpOf(t).relyingParties;
  if (all.length < n) t.skip(`the target registers ${all.length} harness relying parties; this case needs ${n}`);
  return all.slice(0, n);
}

/** A passive URL: the IdP endpoint with these parameters (undefined ones left out, order kept). */
export function passiveUrl(base: string, params: Record<string, string | undefined>): string {
  const u = new URL(base);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) u.searchParams.set(k, v);
  return u.href;
}

/** wsignin1.0 for a harness RP: wtrealm, wreply and a fresh wctx. */
export function signInParams(rp: HarnessRp, extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return { wa: "wsignin1.0", wtrealm: rp.realm, wreply: rp.replyUrl, wctx: `rm=0&id=${crypto.randomUUID()}`, ...extra };
}

/** Run `fn` with a fresh browser of the driver (its own cookies); the browser is closed afterwards. */
export async function withBrowser<T>(t: CaseContext, driver: BrowserDriverName, fn: (b: PassiveBrowser) => Promise<T>): Promise<T> {
  // Outside CI a machine without Debian's chromium skips the Chromium variant; CI installs it (.ci/run).
  if (driver === "chromium" && process.env.CI !== "true" && !existsSync(CHROMIUM)) t.skip(`${CHROMIUM} is not installed`);
  const b = await idpOf(t).newBrowser(driver);
  try {
    return await fn(b);
  } finally {
    await b.close();
  }
}

/** Navigate and keep every hop as the case's wire evidence. A browser-level failure is the target's ERROR. */
export async function navigate(t: CaseContext, b: PassiveBrowser, url: string, opts: NavigateOptions = {}): Promise<Navigation> {
  const started = performance.now();
  let nav: Navigation;
  try {
    nav = await b.navigate(url, { maxSteps: 25, ...opts });
  } catch (e) {
    t.exchanges.push({ path: url, request: `GET ${url}`, error: (e as Error).message, ms: performance.now() - started });
    throw new TargetError(`the browser (${b.driver}) could not complete the navigation to ${url}: ${(e as Error).message}`);
  }
  for (const s of nav.steps) {
    const form = s.form ? `\n\n${new URLSearchParams(s.form).toString()}` : "";
    t.exchanges.push({
      path: s.url,
      request: `${s.method} ${s.url} (${b.driver}: ${s.kind})${form}`,
      status: s.status,
      response: s.location ? `Location: ${s.location}` : undefined,
      error: s.error,
      ms: 0,
    });
  }
  const last = t.exchanges.at(-1);
  if (last && nav.finalBody) last.response = `${last.response ? `${last.response}\n\n` : ""}${nav.finalBody.slice(0, 20_000)}`;
  t.exchanges.at(-1)!.ms = performance.now() - started;
  return nav;
}

function sameUrl(a: string, b: string): boolean {
  try {
    return new URL(a).href === new URL(b).href;
  } catch {
    return a === b;
  }
}

/** Sign-in responses the browser posted to this URL. */
export function postsTo(nav: Navigation, url: string): Navigation["autoPosts"] {
  return nav.autoPosts.filter((p) => sameUrl(p.action, url));
}

/** Every sign-in response (a posted form carrying wresult), wherever it went. */
export function tokenPosts(nav: Navigation): Navigation["autoPosts"] {
  return nav.autoPosts.filter((p) => "wresult" in p.fields || "wresultptr" in p.fields);
}

/** Calls an RP received after `mark` (its call count before the action). */
export function callsSince(rp: HarnessRp, mark: number): RpCall[] {
  return rp.calls().slice(mark);
}

export function cleanupCalls(calls: RpCall[]): RpCall[] {
  return calls.filter((c) => c.wa === "wsignoutcleanup1.0");
}

export interface PostedToken {
  wresult: ParsedWresult & { kind: "token" };
  assertion: ParsedAssertion;
}

/** Read and verify the token of a sign-in response against the IdP's signing certificates. */
export function tokenOf(t: CaseContext, post: { fields: Record<string, string> }, requirement = "F21"): PostedToken {
  const wresult = post.fields.wresult;
  t.check(wresult !== undefined, "the sign-in response carries no wresult", "F19");
  let parsed: ParsedWresult;
  try {
    parsed = parseWresult(wresult);
  } catch (e) {
    // A wresult error names the rule it breaks (an AppliesTo that disagrees with the audience is F23, not F20).
    const rule = e instanceof WresultError ? WRESULT_ERROR_RULES[e.code][0] : undefined;
    t.check(false, `wresult is refused: ${(e as Error).message}`, rule ?? "F20");
  }
  t.check(parsed.kind === "token", `wresult carries a fault instead of a token: ${parsed.kind === "fault" ? `${parsed.codeText} ${parsed.reason}` : ""}`, requirement);
  const v = verifyAssertion(parsed.assertion, idpOf(t).trustAnchors);
  t.check(v.ok, `the token's signature does not verify against the IdP's signing certificates: ${v.ok ? "" : `${v.code}: ${v.reason}`}`, "SAML-SIGNED");
  return { wresult: parsed, assertion: v.assertion };
}

/** Sign in at one RP through the IdP (credentials given when asked); the token must reach the RP. */
export async function signIn(t: CaseContext, b: PassiveBrowser, rp: HarnessRp, extra: Record<string, string | undefined> = {}, opts: { requireAccepted?: boolean } = {}): Promise<{ nav: Navigation; post: Navigation["autoPosts"][number]; params: Record<string, string | undefined> }> {
  const idp = idpOf(t);
  const params = signInParams(rp, extra);
  const mark = rp.calls().length;
  const nav = await navigate(t, b, passiveUrl(idp.signInUrl, params), { credentials: idp.user });
  const posts = postsTo(nav, rp.replyUrl);
  t.check(posts.length === 1, `a sign-in for ${rp.realm} should post one response to ${rp.replyUrl}; the browser posted ${posts.length} (final page ${nav.finalUrl}, HTTP ${nav.finalStatus ?? "?"})`, "F04");
  const accepted = callsSince(rp, mark).find((c) => c.outcome === "signed-in");
  if (!accepted && opts.requireAccepted !== false) {
    const rejected = callsSince(rp, mark).find((c) => c.wa === "wsignin1.0");
    t.check(false, `the harness RP did not accept the token: ${rejected?.reason ?? rejected?.outcome ?? "it received no sign-in"}`, "F21");
  }
  return { nav, post: posts[0]!, params };
}

/** Whether this browser holds a session at the RP: its protected page, asked with the browser's cookies and without
 * following the redirect to the IdP (which could sign the browser in again), answers 200. */
export async function signedInAt(t: CaseContext, b: PassiveBrowser, rp: HarnessRp): Promise<boolean> {
  const cookie = b.cookies(rp.protectedUrl).map((c) => `${c.name}=${c.value}`).join("; ");
  const started = performance.now();
  try {
    // An https harness RP has the harness's own self-signed certificate: the probe (not the browser) need not check it.
    const dispatcher = rp.protectedUrl.startsWith("https:") ? (ownRpAgent ??= new Agent({ connect: { rejectUnauthorized: false } })) : undefined;
    const res = await request(rp.protectedUrl, { method: "GET", headers: cookie ? { cookie } : {}, headersTimeout: 10_000, bodyTimeout: 10_000, dispatcher });
    const body = await res.body.text();
    t.exchanges.push({ path: rp.protectedUrl, request: `GET ${rp.protectedUrl} (session probe, cookies of the ${b.driver} browser)`, status: res.statusCode, response: body.slice(0, 2_000), ms: performance.now() - started });
    return res.statusCode === 200;
  } catch (e) {
    throw new TargetError(`the harness RP at ${rp.protectedUrl} did not answer the session probe: ${(e as Error).message}`);
  }
}
