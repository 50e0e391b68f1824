// The reference passive IdP driven through ReferenceIdp.handle: sign-in with the login form, the response form and
// its token, every refusal rule (F01–F16), freshness (F08/F09), session tracking and sign-out (F26–F28).
import { describe, expect, it } from "vitest";
import { FakeClock } from "../../protocol/clock.ts";
import { trustAnchorFromCert } from "../../protocol/dsig/verify.ts";
import { NO_PROOF_KEY_2005, NS, TOKEN_TYPES, TRUST, BEARER_13_SPELLINGS } from "../../protocol/namespaces.ts";
import { verifyAssertion } from "../../protocol/saml/parse.ts";
import { parseFederationMetadata } from "../../protocol/wsfed/metadata.ts";
import { DEMO_REALMS } from "../../reference/config.ts";
import { ReferenceIdp } from "../../reference/passive/idp.ts";
import { ReferenceSts } from "../../reference/sts.ts";
import { START, testKeys } from "../helpers/reference.ts";
import { Browser, ORIGIN, formsOf, imagesOf, readWresult, setCookies, signInResponse, signInUrl } from "./passive-support.ts";

const REPLY = {
  saml20: "https://rp.wsconform.test/saml20/",
  saml11: "https://rp.wsconform.test/saml11/",
  web: "https://rp.wsconform.test/app/",
  bearerOnly: "https://rp.wsconform.test/no-encryption/",
};

function makeIdp(opts: { defects?: string[]; config?: unknown } = {}) {
  const clock = new FakeClock(START);
  const sts = new ReferenceSts({ clock, keys: testKeys(), defects: opts.defects, config: opts.config });
  const idp = new ReferenceIdp(sts.context);
  return { clock, sts, idp, browser: new Browser(idp) };
}

/** Anchors read from the served metadata, as a relying party configured from it would. */
async function anchorsFromMetadata(idp: ReferenceIdp) {
  const r = await idp.handle({ method: "GET", url: "/FederationMetadata/2007-06/FederationMetadata.xml", headers: {}, secure: false, origin: ORIGIN });
  expect(r.status).toBe(200);
  const md = parseFederationMetadata(String(r.body));
  return md.securityTokenServices[0]!.signingCertificates.map((c) => trustAnchorFromCert(c));
}

async function signedIn(b: Browser, params: Record<string, string | undefined>, user = ["alice", "ecila"] as const) {
  const first = await b.get(signInUrl(params));
  const r = signInResponse(first) ? first : await b.login(first, user[0], user[1]);
  const resp = signInResponse(r);
  if (!resp) throw new Error(`no sign-in response: ${r.status} ${String(r.body).slice(0, 400)}`);
  return { page: r, ...resp };
}

const AWKWARD_WCTX = `rm=0&id=passive&ru=/app/a b?x=1&y=%41+"q'<tag>\\ é ü 😀 #frag;=`;

describe("wsignin1.0: full sign-in", () => {
  it("login form -> auto-posted response whose token verifies with the metadata certificate, audience = wtrealm, wctx byte-equal (F04, F06, F18, F19, F21)", async () => {
    const { idp, browser } = makeIdp();
    const login = await browser.get(signInUrl({ wtrealm: DEMO_REALMS.saml20, wctx: AWKWARD_WCTX, wct: "2026-11-21T12:00:00Z" }));
    expect(login.status).toBe(200);
    // Only the login-binding cookie, no session yet.
    expect(setCookies(login)).toEqual([expect.stringMatching(/^wsconform_idp_login=[A-Za-z0-9_-]{43}; Path=\/adfs\/ls; HttpOnly; SameSite=Strict; Max-Age=600$/)]);
    expect(login.headers["x-frame-options"]).toBe("DENY");
    const form = formsOf(String(login.body))[0]!;
    expect(form.method?.toLowerCase()).toBe("post");
    expect(form.action).toBe("/adfs/ls/");
    expect(form.inputTypes).toMatchObject({ UserName: "text", Password: "password", pending: "hidden" });
    expect(form.hasSubmit).toBe(true);
    // The pending request is carried by a server-side id only: wctx is not in the login page.
    expect(String(login.body)).not.toContain("passive");

    const done = await browser.login(login, "alice", "ecila");
    expect(done.status).toBe(200);
    const cookie = setCookies(done)[0]!;
    expect(cookie).toMatch(/^wsconform_idp=[A-Za-z0-9_-]{43}; /);
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Lax");
    expect(cookie).toContain("Path=/");
    expect(cookie).not.toContain("Secure");
    const resp = signInResponse(done)!;
    expect(resp.form.method).toBe("POST");
    expect(resp.action).toBe(REPLY.saml20);
    expect(Object.keys(resp.fields).sort()).toEqual(["wa", "wctx", "wresult"]);
    expect(resp.fields.wa).toBe("wsignin1.0");
    expect(resp.fields.wctx).toBe(AWKWARD_WCTX);
    expect(resp.form.hasSubmit).toBe(true); // the <noscript> button
    expect(String(done.body)).toMatch(/<noscript>[\s\S]*type="submit"[\s\S]*<\/noscript>/);
    expect(String(done.body)).toMatch(/<script>document\.forms\[0\]\.submit\(\);<\/script>/);

    const { root, rstr, assertion } = readWresult(resp.fields.wresult!);
    // AD FS shape: a bare WS-Trust 2005 RSTR (digest §5.4).
    expect(root.namespaceURI).toBe(NS.wst2005);
    expect(root.localName).toBe("RequestSecurityTokenResponse");
    expect(rstr.keyType).toBe(NO_PROOF_KEY_2005);
    expect(rstr.requestType).toBe(TRUST["2005"].requestType("Issue"));
    expect(rstr.tokenType).toBe(TOKEN_TYPES.saml11Alias);
    expect(rstr.appliesTo?.address).toBe(DEMO_REALMS.saml20);
    expect(rstr.requestedAttachedReference?.element).toBeDefined();
    expect(rstr.requestedUnattachedReference?.element).toBeDefined();

    const v = verifyAssertion(assertion, await anchorsFromMetadata(idp));
    expect(v.ok, v.ok ? "" : v.reason).toBe(true);
    if (!v.ok) return;
    const a = v.assertion;
    expect(a.version).toBe("1.1"); // passive default
    expect(a.audiences).toEqual([DEMO_REALMS.saml20]);
    expect(a.subject.nameId).toBe("alice");
    expect(a.confirmation.method).toBe("bearer");
    expect(a.notBefore).toBe(rstr.lifetime!.created);
    expect(a.notOnOrAfter).toBe(rstr.lifetime!.expires);
    expect(a.notOnOrAfter - a.notBefore).toBe(3600_000);
    expect(a.authn?.method).toBe("urn:oasis:names:tc:SAML:1.0:am:password");
    expect(a.issuer).toBe("http://wsconform.test/adfs/services/trust");
  });

  it("the next realm in the same session gets its token without a login; a pinned or wreq-chosen SAML version and the 1.3 wrapper are honoured", async () => {
    const { idp, browser } = makeIdp();
    const anchors = await anchorsFromMetadata(idp);
    await signedIn(browser, { wtrealm: DEMO_REALMS.saml20 });

    const pinned = await browser.get(signInUrl({ wtrealm: DEMO_REALMS.saml11 }));
    const r1 = signInResponse(pinned)!;
    expect(r1.action).toBe(REPLY.saml11);
    expect(r1.fields.wctx).toBeUndefined(); // not sent, not invented
    expect(readWresult(r1.fields.wresult!).assertion.namespaceURI).toBe(NS.saml11);

    // wreq: an RST whose TokenType asks for SAML 2.0, base64url-encoded (wencoding).
    const rst = `<wst:RequestSecurityToken xmlns:wst="${NS.wst13}"><wst:TokenType>${TOKEN_TYPES.saml20}</wst:TokenType><wst:RequestType>${TRUST["1.3"].requestType("Issue")}</wst:RequestType></wst:RequestSecurityToken>`;
    const viaWreq = signInResponse(await browser.get(signInUrl({ wtrealm: DEMO_REALMS.web, wreq: Buffer.from(rst).toString("base64url"), wencoding: "base64url" })))!;
    const t2 = readWresult(viaWreq.fields.wresult!).assertion;
    expect(t2.namespaceURI).toBe(NS.saml2);
    const v2 = verifyAssertion(t2, anchors);
    expect(v2.ok && v2.assertion.audiences).toEqual([DEMO_REALMS.web]);

    // passiveResponse "1.3": an RSTRC holding the RSTR.
    const rstrc = signInResponse(await browser.get(signInUrl({ wtrealm: DEMO_REALMS.bearerOnly })))!;
    const w = readWresult(rstrc.fields.wresult!);
    expect(w.root.localName).toBe("RequestSecurityTokenResponseCollection");
    expect(w.root.namespaceURI).toBe(NS.wst13);
    expect(w.rstr.keyType).toBe(BEARER_13_SPELLINGS[0]);
    expect(w.rstr.tokenType).toBe(TOKEN_TYPES.saml11);
    expect(verifyAssertion(w.assertion, anchors).ok).toBe(true);
  });

  it("a registered wreply is used; the session cookie is Secure under TLS", async () => {
    const { idp } = makeIdp({
      config: { relyingParties: [{ realm: "urn:two-replies", replyUrls: ["https://a.example/one", "https://a.example/two"] }] },
    });
    const b = new Browser(idp, true);
    const login = await b.get(signInUrl({ wtrealm: "urn:two-replies", wreply: "https://a.example/two" }));
    const done = await b.login(login, "bob", "bob");
    expect(setCookies(done)[0]).toContain("Secure");
    expect(signInResponse(done)!.action).toBe("https://a.example/two");
  });

  it("HTML-escapes what it reflects (display name, user name) in attribute values and text", async () => {
    const { idp } = makeIdp({ config: { relyingParties: [{ realm: "urn:x", displayName: `<script>alert("x")</script>`, replyUrls: ["https://x.example/?a=1&b=2"] }] } });
    const b = new Browser(idp);
    const login = await b.get(signInUrl({ wtrealm: "urn:x" }));
    expect(String(login.body)).not.toContain("<script>alert");
    expect(String(login.body)).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
    const again = await b.login(login, `"><img src=x>`, "wrong");
    expect(String(again.body)).not.toContain(`"><img`);
    expect(formsOf(String(again.body))[0]!.fields.UserName).toBe(`"><img src=x>`);
    const ok = await b.login(again, "ted", "det");
    expect(String(ok.body)).toContain(`action="https://x.example/?a=1&amp;b=2"`);
    expect(signInResponse(ok)!.action).toBe("https://x.example/?a=1&b=2");
  });
});

describe("wsignin1.0: login", () => {
  it("a wrong password shows the login page again with a message and no session; the right one then signs in", async () => {
    const { idp, browser } = makeIdp();
    const login = await browser.get(signInUrl({ wtrealm: DEMO_REALMS.saml20 }));
    const bad = await browser.login(login, "alice", "nope");
    expect(bad.status).toBe(200);
    expect(setCookies(bad)).toEqual([]);
    expect(browser.cookie).toBeUndefined();
    expect(String(bad.body)).toContain("The user name or password is incorrect.");
    expect(signInResponse(bad)).toBeUndefined();
    expect(idp.sessions.size).toBe(0);
    const unknown = await browser.login(bad, "mallory", "ecila");
    expect(signInResponse(unknown)).toBeUndefined();
    const good = await browser.login(unknown, "alice", "ecila");
    expect(signInResponse(good)).toBeDefined();
    expect(idp.sessions.size).toBe(1);
    // The pending request was used up: replaying the form does not sign in again.
    const replay = await browser.login(login, "alice", "ecila");
    expect(replay.status).toBe(400);
    expect(signInResponse(replay)).toBeUndefined();
  });

  it("five wrong passwords drop the pending request; forged or missing pending ids are refused", async () => {
    const { browser } = makeIdp();
    let page = await browser.get(signInUrl({ wtrealm: DEMO_REALMS.saml20 }));
    for (let i = 0; i < 4; i++) page = await browser.login(page, "alice", `x${i}`);
    const fifth = await browser.login(page, "alice", "x4");
    expect(fifth.status).toBe(400);
    expect(String(fifth.body)).toContain("Too many wrong passwords");
    expect((await browser.post("/adfs/ls/", { pending: "A".repeat(43), UserName: "alice", Password: "ecila" })).status).toBe(400);
    const noPending = await browser.post("/adfs/ls/", { wa: "wsignin1.0", wtrealm: DEMO_REALMS.saml20 });
    expect(noPending.status).toBe(400);
    expect(signInResponse(noPending)).toBeUndefined();
  });

  it("a login form can only be completed by the browser it was shown to (no login CSRF)", async () => {
    const { idp, browser } = makeIdp();
    const page = await browser.get(signInUrl({ wtrealm: DEMO_REALMS.saml20 }));
    const victim = new Browser(idp);
    const forged = await victim.login(page, "alice", "ecila");
    expect(forged.status).toBe(400);
    expect(victim.cookie).toBeUndefined();
    // Another browser's own login cookie does not fit either.
    await victim.get(signInUrl({ wtrealm: DEMO_REALMS.web }));
    expect(victim.jar.get("wsconform_idp_login")).not.toBe(browser.jar.get("wsconform_idp_login"));
    expect((await victim.login(page, "alice", "ecila")).status).toBe(400);
    // Two sign-ins started in tabs of one browser can both be completed.
    const tab2 = await browser.get(signInUrl({ wtrealm: DEMO_REALMS.web }));
    expect(signInResponse(await browser.login(page, "alice", "ecila"))).toBeDefined();
    expect(signInResponse(await browser.login(tab2, "alice", "ecila"))).toBeDefined();
  });

  it("a pending login expires with the clock", async () => {
    const { clock, browser } = makeIdp();
    const page = await browser.get(signInUrl({ wtrealm: DEMO_REALMS.saml20 }));
    clock.advanceSeconds(601);
    const late = await browser.login(page, "alice", "ecila");
    expect(late.status).toBe(400);
    expect(String(late.body)).toContain("expired");
  });
});

describe("wsignin1.0: refusals never carry a token", () => {
  const cases: [string, string, number][] = [
    ["F01 no wa", `/adfs/ls/?wtrealm=${encodeURIComponent(DEMO_REALMS.saml20)}`, 400],
    ["F01 wa=bogus", `/adfs/ls/?wa=bogus&wtrealm=${encodeURIComponent(DEMO_REALMS.saml20)}`, 400],
    ["F16 wattr1.0", "/adfs/ls/?wa=wattr1.0", 403],
    ["F16 wpseudo1.0", "/adfs/ls/?wa=wpseudo1.0", 403],
    ["F02 no wtrealm", signInUrl({ wreply: REPLY.saml20 }), 400],
    ["F04 unknown wtrealm", signInUrl({ wtrealm: "urn:not-registered" }), 400],
    ["F05 attacker wreply", signInUrl({ wtrealm: DEMO_REALMS.saml20, wreply: "https://attacker.example/" }), 400],
    ["F05 another realm's reply URL", signInUrl({ wtrealm: DEMO_REALMS.saml20, wreply: REPLY.saml11 }), 400],
    ["F05 near miss (no trailing slash)", signInUrl({ wtrealm: DEMO_REALMS.saml20, wreply: REPLY.saml20.slice(0, -1) }), 400],
    ["F05 near miss (suffix)", signInUrl({ wtrealm: DEMO_REALMS.saml20, wreply: `${REPLY.saml20}@attacker.example` }), 400],
    ["F11 unsupported wauth", signInUrl({ wtrealm: DEMO_REALMS.saml20, wauth: "urn:ietf:rfc:2246" }), 400],
    ["F12 wreq and wreqptr", signInUrl({ wtrealm: DEMO_REALMS.saml20, wreq: "<x/>", wreqptr: "https://a.example/rst" }), 400],
    ["wreqptr unsupported", signInUrl({ wtrealm: DEMO_REALMS.saml20, wreqptr: "https://a.example/rst" }), 400],
    ["F14 unknown wencoding", signInUrl({ wtrealm: DEMO_REALMS.saml20, wencoding: "urn:bogus" }), 400],
    ["wreq not an RST", signInUrl({ wtrealm: DEMO_REALMS.saml20, wreq: "<a><b/></a>" }), 400],
    ["wreq with a DOCTYPE", signInUrl({ wtrealm: DEMO_REALMS.saml20, wreq: '<!DOCTYPE x [<!ENTITY e "e">]><x/>' }), 400],
    ["wreq for another realm", signInUrl({ wtrealm: DEMO_REALMS.saml20, wreq: `<wst:RequestSecurityToken xmlns:wst="${NS.wst13}" xmlns:wsp="${NS.wsp}" xmlns:wsa="${NS.wsa}"><wst:RequestType>${TRUST["1.3"].requestType("Issue")}</wst:RequestType><wsp:AppliesTo><wsa:EndpointReference><wsa:Address>urn:other</wsa:Address></wsa:EndpointReference></wsp:AppliesTo></wst:RequestSecurityToken>` }), 400],
    ["wfresh malformed", signInUrl({ wtrealm: DEMO_REALMS.saml20, wfresh: "-1" }), 400],
    ["wtrealm twice", `${signInUrl({ wtrealm: DEMO_REALMS.saml20 })}&wtrealm=${encodeURIComponent(DEMO_REALMS.web)}`, 400],
  ];
  for (const [name, url, status] of cases) {
    it(name, async () => {
      const { browser } = makeIdp();
      await signedIn(browser, { wtrealm: DEMO_REALMS.web }); // even with a session
      const r = await browser.get(url);
      expect(r.status).toBe(status);
      expect(r.headers["content-type"]).toMatch(/^text\/html/);
      expect(String(r.body)).not.toContain("wresult");
      expect(String(r.body)).not.toContain("attacker.example/\"");
      expect(formsOf(String(r.body))).toEqual([]);
    });
  }

  it("F11 a password wauth is accepted; F15 unknown parameters are ignored; whr and wct are recorded (F07, F13)", async () => {
    const { idp, browser } = makeIdp();
    const r = await signedIn(browser, {
      wtrealm: DEMO_REALMS.saml20,
      wauth: "urn:oasis:names:tc:SAML:1.0:am:password",
      whr: "urn:somewhere:else",
      wct: "2026-11-21T11:59:58Z",
      "x-unknown": "1",
      login_hint: "alice",
    });
    expect(r.fields.wresult).toBeDefined();
    const ev = idp.events().filter((e) => e.wa === "wsignin1.0");
    expect(ev[0]).toMatchObject({ whr: "urn:somewhere:else", wct: { value: "2026-11-21T11:59:58Z", time: Date.UTC(2026, 10, 21, 11, 59, 58) }, ignored: ["x-unknown"] });
    // A malformed wct is recorded as such, not refused.
    const m = await signedIn(browser, { wtrealm: DEMO_REALMS.web, wct: "yesterday" });
    expect(m.fields.wresult).toBeDefined();
    expect(idp.events().at(-1)!.wct).toEqual({ value: "yesterday", time: undefined });
  });
});

describe("wsignin1.0: freshness (F08, F09)", () => {
  it("wfresh=0 asks for the password again even with a session", async () => {
    const { browser } = makeIdp();
    await signedIn(browser, { wtrealm: DEMO_REALMS.saml20 });
    const r = await browser.get(signInUrl({ wtrealm: DEMO_REALMS.saml20, wfresh: "0" }));
    expect(signInResponse(r)).toBeUndefined();
    expect(formsOf(String(r.body))[0]!.inputTypes.Password).toBe("password");
    const done = await browser.login(r, "alice", "ecila");
    expect(signInResponse(done)).toBeDefined();
  });

  it("an authentication older than wfresh minutes needs a new login; a younger one gets a token no longer-lived than wfresh", async () => {
    const { clock, browser } = makeIdp();
    await signedIn(browser, { wtrealm: DEMO_REALMS.saml20 });
    clock.advanceSeconds(4 * 60);
    const young = signInResponse(await browser.get(signInUrl({ wtrealm: DEMO_REALMS.web, wfresh: "5" })))!;
    const { rstr } = readWresult(young.fields.wresult!);
    expect(rstr.lifetime!.expires! - rstr.lifetime!.created!).toBe(5 * 60_000);
    clock.advanceSeconds(2 * 60);
    const old = await browser.get(signInUrl({ wtrealm: DEMO_REALMS.web, wfresh: "5" }));
    expect(signInResponse(old)).toBeUndefined();
    const after = await browser.login(old, "alice", "ecila");
    const { assertion } = readWresult(signInResponse(after)!.fields.wresult!);
    expect(verifyAssertion(assertion, [trustAnchorFromCert(testKeys().signing.primary.certDer)]).ok).toBe(true);
  });
});

describe("sign-out (F26, F27, F28)", () => {
  it("tracks three realms, ends the session, sends one cleanup image per realm, and the next sign-in asks for credentials", async () => {
    const { idp, browser } = makeIdp();
    await signedIn(browser, { wtrealm: DEMO_REALMS.saml20 });
    await signedIn(browser, { wtrealm: DEMO_REALMS.saml11 });
    await signedIn(browser, { wtrealm: DEMO_REALMS.web });
    await signedIn(browser, { wtrealm: DEMO_REALMS.web }); // twice: still one entry
    expect(idp.sessions.size).toBe(1);
    const out = await browser.get("/adfs/ls/?wa=wsignout1.0");
    expect(out.status).toBe(200);
    expect(imagesOf(String(out.body))).toEqual([
      `${REPLY.saml20}?wa=wsignoutcleanup1.0`,
      `${REPLY.saml11}?wa=wsignoutcleanup1.0`,
      `${REPLY.web}?wa=wsignoutcleanup1.0`,
    ]);
    expect(setCookies(out)[0]).toMatch(/^wsconform_idp=; .*Max-Age=0/);
    expect(browser.cookie).toBeUndefined();
    expect(idp.sessions.size).toBe(0);
    const next = await browser.get(signInUrl({ wtrealm: DEMO_REALMS.saml20 }));
    expect(signInResponse(next)).toBeUndefined();
    expect(formsOf(String(next.body))[0]!.inputTypes.Password).toBe("password");
  });

  it("the old cookie is dead server-side too (a copy kept by an attacker signs nobody in)", async () => {
    const { browser, idp } = makeIdp();
    await signedIn(browser, { wtrealm: DEMO_REALMS.saml20 });
    const stolen = browser.cookie;
    await browser.get("/adfs/ls/?wa=wsignout1.0");
    const thief = new Browser(idp);
    thief.cookie = stolen;
    expect(signInResponse(await thief.get(signInUrl({ wtrealm: DEMO_REALMS.saml20 })))).toBeUndefined();
  });

  it("uses a configured signOutUrl (keeping its query) for cleanup", async () => {
    const { browser } = makeIdp({
      config: { relyingParties: [{ realm: "urn:so", replyUrls: ["https://so.example/reply"], signOutUrl: "https://so.example/logout?from=idp" }] },
    });
    await signedIn(browser, { wtrealm: "urn:so" });
    const out = await browser.get("/adfs/ls/?wa=wsignout1.0");
    expect(imagesOf(String(out.body))).toEqual(["https://so.example/logout?from=idp&wa=wsignoutcleanup1.0"]);
  });

  it("follows a registered wreply after the images and not an unregistered one", async () => {
    const { browser } = makeIdp();
    await signedIn(browser, { wtrealm: DEMO_REALMS.saml20 });
    const ok = await browser.get(`/adfs/ls/?wa=wsignout1.0&wreply=${encodeURIComponent(REPLY.web)}`);
    expect(String(ok.body)).toContain(`<a id="continue" href="${REPLY.web}">`);
    expect(String(ok.body)).toContain(`<meta http-equiv="refresh" content="3;url=${REPLY.web}">`);
    expect(String(ok.body)).toMatch(/window\.location\.replace/);
    const bad = await browser.get(`/adfs/ls/?wa=wsignout1.0&wreply=${encodeURIComponent("https://attacker.example/")}`);
    expect(bad.status).toBe(200);
    expect(String(bad.body)).not.toContain("attacker.example");
    expect(String(bad.body)).not.toContain("location.replace");
    expect(String(bad.body)).toContain("not registered");
  });

  it("wsignoutcleanup1.0 at the IdP ends its session and answers an image", async () => {
    const { idp, browser } = makeIdp();
    await signedIn(browser, { wtrealm: DEMO_REALMS.saml20 });
    const r = await browser.get("/adfs/ls/?wa=wsignoutcleanup1.0");
    expect(r.status).toBe(200);
    expect(r.headers["content-type"]).toBe("image/gif");
    expect(Buffer.isBuffer(r.body) && r.body.subarray(0, 6).toString()).toBe("GIF89a");
    expect(idp.sessions.size).toBe(0);
  });
});

describe("routing", () => {
  it("answers both /adfs/ls and /adfs/ls/, 404 elsewhere, 405 for other methods, metadata at both paths", async () => {
    const { idp } = makeIdp();
    const call = (method: string, url: string) => idp.handle({ method, url, headers: {}, secure: false, origin: ORIGIN });
    expect((await call("GET", `/adfs/ls?wa=wsignin1.0&wtrealm=${encodeURIComponent(DEMO_REALMS.saml20)}`)).status).toBe(200);
    expect((await call("GET", "/adfs/other")).status).toBe(404);
    expect((await call("PUT", "/adfs/ls/")).status).toBe(405);
    expect((await call("POST", "/FederationMetadata/2007-06/FederationMetadata.xml")).status).toBe(405);
    const a = await call("GET", "/FederationMetadata/2007-06/FederationMetadata.xml");
    const b = await call("GET", "/adfs/ls/federationmetadata/2007-06/federationmetadata.xml");
    expect(a.headers["content-type"]).toMatch(/^application\/samlmetadata\+xml/);
    expect(b.body).toBe(a.body);
    expect((await idp.handle({ method: "POST", url: "/adfs/ls/", headers: { "content-type": "text/plain" }, body: "x", secure: false, origin: ORIGIN })).status).toBe(415);
  });
});
