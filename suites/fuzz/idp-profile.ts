// The passive IdP fuzz profile: wsignin1.0 requests with generated parameters (wa, wtrealm, wreply, wctx, whr,
// wfresh, wauth, wreq, wencoding, wct, unknown names; repeated, empty, huge, unicode, percent-encoded values),
// driven with a fresh undici browser per case against target.passiveIdp and its harness RPs. Values that name the
// target's own things are placeholders ({rp2.reply}, {unregistered}, {canary}) resolved when the case is sent, so a
// recipe replays against any target.
import fc from "fast-check";
import type { Navigation, PassiveBrowser } from "../../adapters/browser/browser.ts";
import type { PassiveIdpTarget } from "../../adapters/passive-idp-target.ts";
import type { StsTarget } from "../../adapters/sts-target.ts";
import { verifyAssertion } from "../../protocol/saml/parse.ts";
import { parseWresult, WRESULT_ERROR_RULES, WresultError } from "../../protocol/wsfed/wresult.ts";
import type { RecordedExchange } from "../case.ts";
import type { Violation } from "./oracles.ts";
import type { ExecuteContext, FuzzProfile } from "./profile.ts";

export const IDP_ORACLES = {
  "no-5xx": { requirement: "F24", title: "no sign-in request, however malformed, is answered with an HTTP 5xx" },
  "token-destination": { requirement: "F05", title: "a token is posted only to a reply URL registered for the requested wtrealm" },
  "authenticated-first": { requirement: "F54", title: "a token is posted only after the user authenticated with the right credentials" },
  "wctx-echo": { requirement: "F06", title: "wctx comes back byte for byte with the token" },
  "token-verifies": { requirement: "SAML-SIGNED", title: "a posted token verifies against the IdP's signing certificates" },
  audience: { requirement: "F04", title: "a posted token's audience is the wtrealm of the request" },
  freshness: { requirement: "F09", title: "a token issued for wfresh=N lives no longer than N minutes" },
  "response-time": { requirement: "F54", title: "every sign-in completes within the time bound" },
  health: { requirement: "F04", title: "the IdP still signs a user in to a registered relying party after the campaign" },
} as const;
type IdpOracle = keyof typeof IDP_ORACLES;

export const FUZZED_PARAMETERS = ["wa", "wtrealm", "wreply", "wctx", "whr", "wfresh", "wauth", "wreq", "wencoding", "wct", "wres", "wp", "client-request-id", "x-fuzz"] as const;

/** One parameter change: a value (null: leave the parameter out), sent once or twice. */
export interface ParamChange {
  name: string;
  value: string | null;
  repeat: boolean;
}

export interface IdpFuzzInput {
  /** Which harness RP the request is for (modulo their number). */
  rp: number;
  credentials: "right" | "wrong" | "none";
  wctx: string | null;
  changes: ParamChange[];
}

const unicodeish = fc.string({ unit: fc.constantFrom("a", "é", "\u00a0", "€", "😀", "\u202e", "%", "&", "=", "+", "#", "?", "/", " ", "\"", "<", ">", "'", "\\", "\u0000", "\n", "ſ", "K", "İ"), maxLength: 24 });
const textValue = fc.oneof(
  fc.constant(""),
  fc.string({ maxLength: 40 }),
  unicodeish,
  fc.integer({ min: 1, max: 12 }).map((k) => "A".repeat(k * 1000)),
  fc.constantFrom("%", "%2", "%zz", "%25", "%00", "%C0%AF", "%E2%80%AE", "+", "&wa=wsignout1.0", "javascript:alert(1)", "//evil.example/", "\r\nSet-Cookie: x=1"),
);
const rpRef = fc.nat(2);
const realmValue = fc.oneof(
  rpRef.map((i) => `{rp${i}.realm}`),
  fc.constant("{unregistered}"),
  rpRef.map((i) => `{rp${i}.reply}`),
  fc.constantFrom("{rp0.realm}/", "{rp0.realm}x", "{RP0.REALM}", " {rp0.realm}", "{rp0.realm}%00"),
  textValue,
);
const replyValue = fc.oneof(
  rpRef.map((i) => `{rp${i}.reply}`),
  fc.constant("{canary}"),
  rpRef.chain((i) => fc.constantFrom(`{rp${i}.reply}x`, `{rp${i}.reply}/..`, `{rp${i}.reply}?a=b`, `{rp${i}.reply}#f`, `{rp${i}.origin}/elsewhere`, `{rp${i}.REPLY}`, `{rp${i}.reply}@127.0.0.2/`)),
  fc.constantFrom("http://127.0.0.1:9/", "//127.0.0.1:9/", "javascript:alert(1)", "data:text/html,x"),
  textValue,
);
const wreqValue = fc.oneof(
  fc.constantFrom(
    `<t:RequestSecurityToken xmlns:t="http://schemas.xmlsoap.org/ws/2005/02/trust"><t:TokenType>urn:oasis:names:tc:SAML:2.0:assertion</t:TokenType></t:RequestSecurityToken>`,
    `<t:RequestSecurityToken xmlns:t="http://schemas.xmlsoap.org/ws/2005/02/trust"><t:TokenType>urn:oasis:names:tc:SAML:1.0:assertion</t:TokenType></t:RequestSecurityToken>`,
    `<t:RequestSecurityToken xmlns:t="http://schemas.xmlsoap.org/ws/2005/02/trust"><t:TokenType>urn:unknown</t:TokenType></t:RequestSecurityToken>`,
    `<!DOCTYPE x [<!ENTITY e SYSTEM "{canary}">]><x>&e;</x>`,
    `<t:RequestSecurityToken xmlns:t="http://docs.oasis-open.org/ws-sx/ws-trust/200512"><t:KeyType>http://docs.oasis-open.org/ws-sx/ws-trust/200512/SymmetricKey</t:KeyType></t:RequestSecurityToken>`,
    "PHg+PC94Pg",
  ),
  textValue,
);
const valueFor: Record<string, fc.Arbitrary<string>> = {
  wa: fc.oneof(fc.constantFrom("wsignin1.0", "wsignout1.0", "wsignoutcleanup1.0", "wattr1.0", "WSIGNIN1.0", "wsignin1.1", "wsignin1.0 "), textValue),
  wtrealm: realmValue,
  wreply: replyValue,
  wctx: textValue,
  whr: fc.oneof(fc.constantFrom("urn:federation:self", "{canary}"), textValue),
  wfresh: fc.oneof(fc.integer({ min: -2, max: 120 }).map(String), fc.constantFrom("1.5", "0x10", "99999999999999999999", "1e3"), textValue),
  wauth: fc.oneof(fc.constantFrom("urn:oasis:names:tc:SAML:1.0:am:password", "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport", "urn:ietf:rfc:2246", "urn:unknown"), textValue),
  wreq: wreqValue,
  wencoding: fc.oneof(fc.constantFrom("base64url", "url", "utf-8", "gzip"), textValue),
  wct: fc.oneof(fc.constantFrom("2020-01-01T00:00:00Z", "2999-01-01T00:00:00Z", "not-a-time"), textValue),
};
const changeArb: fc.Arbitrary<ParamChange> = fc
  .constantFrom(...FUZZED_PARAMETERS)
  .chain((name) => fc.record({ name: fc.constant(name), value: fc.option(valueFor[name] ?? textValue, { freq: 6 }), repeat: fc.nat(9).map((n) => n === 0) }));

/** What a value looks like after travelling in an HTML form (the HTML input stream turns CR LF and CR into LF, and
 * NUL into U+FFFD), so the wctx echo is judged on what the IdP could have sent back unchanged. */
function htmlCarried(s: string): string {
  return s.replace(/\r\n?/g, "\n").replace(/\u0000/g, "\ufffd");
}

export function idpInputArb(): fc.Arbitrary<IdpFuzzInput> {
  return fc.record({
    rp: fc.nat(2),
    credentials: fc.constantFrom("right", "right", "right", "right", "wrong", "none"),
    wctx: fc.option(fc.oneof(fc.constant("rm=0&id=passive&ru=%2Fapp%2F"), textValue), { freq: 5 }),
    changes: fc.array(changeArb, { maxLength: 4 }),
  }) as fc.Arbitrary<IdpFuzzInput>;
}

/** The sign-in request of a recipe: placeholders resolved, in order, with repeats. */
export function resolveParams(idp: PassiveIdpTarget, input: IdpFuzzInput, canaryUrl?: string): [string, string][] {
  const rps = idp.relyingParties;
  const rp = rps[input.rp % rps.length]!;
  const sub = (s: string) =>
    s.replace(/\{(rp(\d)|RP(\d))\.(realm|reply|origin|REALM|REPLY)\}|\{unregistered\}|\{canary\}/g, (m, _a, i, j, what: string | undefined) => {
      if (m === "{unregistered}") return idp.unregisteredRealm;
      if (m === "{canary}") return canaryUrl ? `${canaryUrl}/wreply` : `${rp.origin}/canary`;
      const r = rps[Number(i ?? j) % rps.length]!;
      const v = what!.toLowerCase() === "realm" ? r.realm : what!.toLowerCase() === "reply" ? r.replyUrl : r.origin;
      return what === what!.toUpperCase() ? v.toUpperCase() : v;
    });
  const params = new Map<string, { value: string; repeat: boolean } | null>([
    ["wa", { value: "wsignin1.0", repeat: false }],
    ["wtrealm", { value: rp.realm, repeat: false }],
    ["wreply", { value: rp.replyUrl, repeat: false }],
  ]);
  if (input.wctx !== null) params.set("wctx", { value: input.wctx, repeat: false });
  for (const c of input.changes) params.set(c.name, c.value === null ? null : { value: sub(c.value), repeat: c.repeat });
  const out: [string, string][] = [];
  for (const [k, v] of params) {
    if (!v) continue;
    out.push([k, v.value]);
    if (v.repeat) out.push([k, v.value]);
  }
  return out;
}

export function signInUrl(idp: PassiveIdpTarget, params: [string, string][]): string {
  const u = new URL(idp.signInUrl);
  for (const [k, v] of params) u.searchParams.append(k, v);
  return u.href;
}

function record(nav: Navigation, exchanges: RecordedExchange[], ms: number): void {
  for (const s of nav.steps) {
    exchanges.push({
      path: s.url.slice(0, 2000),
      request: `${s.method} ${s.url.slice(0, 4000)} (${s.kind})${s.form ? `\n\n${new URLSearchParams(s.form).toString().slice(0, 8000)}` : ""}`,
      status: s.status,
      response: s.location ? `Location: ${s.location.slice(0, 2000)}` : undefined,
      error: s.error,
      ms: 0,
    });
  }
  const last = exchanges.at(-1);
  if (last) {
    last.ms = ms;
    if (nav.finalBody) last.response = `${last.response ? `${last.response}\n\n` : ""}${nav.finalBody.slice(0, 4000)}`;
  }
}

function sameUrl(a: string, b: string): boolean {
  try {
    return new URL(a).href === new URL(b).href;
  } catch {
    return a === b;
  }
}

export function idpProfile(target: StsTarget, o: { maxResponseMs: number }): FuzzProfile<IdpFuzzInput> {
  const idp = target.passiveIdp;
  if (!idp) throw new Error("the idp fuzz profile needs a target with a passive IdP (target.passiveIdp); this target has none");
  if (!idp.relyingParties.length) throw new Error("the passive IdP registers no harness relying party");
  const unjudged: Record<string, string> = {};
  if (!idp.trustAnchors.length) for (const k of ["token-verifies", "audience", "freshness"]) unjudged[k] = "the passive IdP has no known signing certificates";
  if (!idp.capabilities.freshness) unjudged.freshness = "the IdP declares no wfresh support";
  const skewMs = idp.clockSkewSeconds * 1000;

  async function withBrowser<T>(fn: (b: PassiveBrowser) => Promise<T>): Promise<T> {
    const b = await idp!.newBrowser("undici");
    try {
      return await fn(b);
    } finally {
      await b.close();
    }
  }

  return {
    name: "idp",
    oracles: IDP_ORACLES,
    unjudged,
    arbitrary: idpInputArb,
    async execute(input, ctx: ExecuteContext) {
      const out: Violation[] = [];
      const v = (k: IdpOracle, message: string) => out.push({ oracle: k, requirement: IDP_ORACLES[k].requirement, message });
      const exchanges: RecordedExchange[] = [];
      const params = resolveParams(idp, input, ctx.canaryUrl);
      const url = signInUrl(idp, params);
      const creds = input.credentials === "none" ? undefined : input.credentials === "right" ? idp.user : { username: idp.user.username, password: `${idp.user.password}-wrong` };
      const started = performance.now();
      let nav: Navigation;
      try {
        nav = await withBrowser((b) => b.navigate(url, { credentials: creds, maxSteps: 8 }));
      } catch (e) {
        exchanges.push({ path: url, request: `GET ${url}`, error: (e as Error).message, ms: performance.now() - started });
        v("response-time", `the browser could not complete the sign-in: ${(e as Error).message}`);
        return { violations: out, exchanges };
      }
      const ms = performance.now() - started;
      record(nav, exchanges, ms);
      if (ms > o.maxResponseMs) v("response-time", `the sign-in took ${Math.round(ms)} ms (bound ${o.maxResponseMs} ms)`);
      const idpOrigin = new URL(idp.signInUrl).origin;
      for (const s of nav.steps) {
        if (s.status !== undefined && s.status >= 500) v("no-5xx", `HTTP ${s.status} for ${s.method} ${s.url.slice(0, 300)}${s.url.startsWith(idpOrigin) ? "" : " (not the IdP)"}`);
        if (s.error?.startsWith("more than")) v("response-time", `the sign-in did not settle: ${s.error}`);
      }
      const values = (k: string) => params.filter(([n]) => n === k).map(([, x]) => x);
      const posts = nav.autoPosts.filter((p) => "wresult" in p.fields || "wresultptr" in p.fields);
      if (!posts.length) return { violations: out, exchanges };
      const realms = [...new Set(values("wtrealm"))];
      const realm = realms.length === 1 ? realms[0] : undefined;
      const allowed = realm === undefined ? [] : idp.relyingParties.filter((r) => r.realm === realm).map((r) => r.replyUrl);
      for (const p of posts) {
        if (!allowed.some((u) => sameUrl(u, p.action))) {
          v("token-destination", `a token was posted to ${p.action.slice(0, 300)}, which is not a reply URL registered for wtrealm ${realms.length ? realms.map((r) => JSON.stringify(r.slice(0, 200))).join(" / ") : "(none sent)"}`);
        }
        if (input.credentials !== "right") v("authenticated-first", `a token was posted with ${input.credentials === "none" ? "no credentials given" : "a wrong password"}`);
        else if (!nav.loginPrompted) v("authenticated-first", "a fresh browser got a token without ever being asked to authenticate");
        const wctx = values("wctx");
        if (wctx.length === 1 && p.fields.wctx !== wctx[0] && p.fields.wctx !== htmlCarried(wctx[0]!)) v("wctx-echo", `wctx ${JSON.stringify(wctx[0]!.slice(0, 200))} came back as ${p.fields.wctx === undefined ? "nothing" : JSON.stringify(p.fields.wctx.slice(0, 200))}`);
        if (unjudged["token-verifies"] || p.fields.wresult === undefined) continue;
        let assertion: Element;
        try {
          const w = parseWresult(p.fields.wresult);
          if (w.kind !== "token") continue; // a fault in wresult is an allowed error answer (F24)
          assertion = w.assertion;
        } catch (e) {
          // wresult's own reader names the rule a refusal breaks: an AppliesTo that is not the audience is F23/F04.
          const rules = e instanceof WresultError ? WRESULT_ERROR_RULES[e.code] : [];
          v(rules.includes("F23") || rules.includes("F04") ? "audience" : "token-verifies", `the posted wresult is refused: ${(e as Error).message.slice(0, 300)}`);
          continue;
        }
        const res = verifyAssertion(assertion, idp.trustAnchors);
        if (!res.ok) {
          v("token-verifies", `the posted token does not verify: ${res.code}: ${res.reason}`);
          continue;
        }
        const a = res.assertion;
        if (realm !== undefined && !a.audiences.includes(realm)) v("audience", `the token's audiences ${JSON.stringify(a.audiences)} are not the wtrealm ${realm}`);
        const fresh = values("wfresh");
        const n = fresh.length === 1 && /^\d{1,9}$/.test(fresh[0]!) ? Number(fresh[0]) : undefined;
        if (!unjudged.freshness && n !== undefined && n > 0) {
          const life = a.notOnOrAfter - a.notBefore;
          if (life > n * 60_000 + skewMs) v("freshness", `wfresh=${n} but the token lives ${Math.round(life / 60_000)} minutes (${new Date(a.notBefore).toISOString()}..${new Date(a.notOnOrAfter).toISOString()})`);
        }
      }
      return { violations: out, exchanges };
    },
    async health() {
      const rp = idp.relyingParties[0]!;
      const wctx = "rm=0&id=health";
      const url = signInUrl(idp, [["wa", "wsignin1.0"], ["wtrealm", rp.realm], ["wreply", rp.replyUrl], ["wctx", wctx]]);
      try {
        const nav = await withBrowser((b) => b.navigate(url, { credentials: idp.user, maxSteps: 8 }));
        const post = nav.autoPosts.find((p) => sameUrl(p.action, rp.replyUrl) && "wresult" in p.fields);
        if (post) return undefined;
        return { oracle: "health", requirement: IDP_ORACLES.health.requirement, message: `a valid sign-in for ${rp.realm} no longer posts a token (final page ${nav.finalUrl}, HTTP ${nav.finalStatus ?? "none"})` };
      } catch (e) {
        return { oracle: "health", requirement: IDP_ORACLES.health.requirement, message: `a valid sign-in no longer completes: ${(e as Error).message}` };
      }
    },
  };
}
