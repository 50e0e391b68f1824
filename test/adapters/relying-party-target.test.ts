// httpRelyingPartyTarget against the harness RP: wresult delivery, per-session cookie jars, both probe kinds,
// cleanup with and without wreply (whether it redirected and where), and the exchange log.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeClock } from "../../protocol/clock.ts";
import { signAssertion } from "../../protocol/saml/build.ts";
import type { SigningKey } from "../../protocol/dsig/sign.ts";
import { trustAnchorFromCert } from "../../protocol/dsig/verify.ts";
import { generateSelfSignedCertificate } from "../../protocol/x509/certificate.ts";
import { buildWresult } from "../../protocol/wsfed/wresult.ts";
import { startHarnessRp, type HarnessRpInstance } from "../../adapters/harness-rp/server.ts";
import { httpRelyingPartyTarget, referenceRelyingPartyTarget, type RelyingPartyTarget } from "../../adapters/relying-party-target.ts";

const NOW = Date.UTC(2026, 7, 1, 7, 0, 0);
const ISSUER = "urn:wsconform:target-idp";
const IDP = "http://127.0.0.1:9/adfs/ls/";
const clock = new FakeClock(NOW);
let key: SigningKey;
let rp: HarnessRpInstance;
let byUrl: RelyingPartyTarget;
let byCookie: RelyingPartyTarget;

let seq = 0;
function wresult(realm: string, version: "1.1" | "2.0" = "2.0"): string {
  const assertionXml = signAssertion(
    {
      version,
      id: `_t${++seq}`,
      issuer: ISSUER,
      issueInstant: NOW,
      subject: { nameId: "bob" },
      confirmation: { method: "bearer" },
      notBefore: NOW,
      notOnOrAfter: NOW + 3_600_000,
      audiences: [realm],
      authn: { method: "urn:m", instant: NOW },
      attributes: [],
    },
    key,
  );
  return buildWresult({ format: "1.3-rstrc", soap: "1.2", assertionXml, appliesTo: realm });
}

beforeAll(async () => {
  const c = generateSelfSignedCertificate({ commonName: "target idp", notBeforeMs: NOW - 86_400_000, notAfterMs: NOW + 86_400_000 * 365 });
  key = { privateKey: c.privateKey, certDer: c.certDer };
  rp = await startHarnessRp({ realm: "urn:wsconform:rp:target", trust: { anchors: [trustAnchorFromCert(key.certDer)] }, issuer: ISSUER, clock, idpSignInUrl: IDP });
  const base = { name: "harness RP", realm: rp.realm, replyUrl: rp.replyUrl, issuer: ISSUER, signingKey: key, clock, tokenTypes: ["saml20"] as ("saml11" | "saml20")[] };
  byUrl = httpRelyingPartyTarget({ ...base, probe: { kind: "url", url: rp.protectedUrl } });
  byCookie = httpRelyingPartyTarget({ ...base, cleanupUrl: rp.replyUrl, probe: { kind: "cookie", name: /^wsconform_rp_\d+$/ } });
});

afterAll(async () => {
  await byUrl.close();
  await rp.close();
});

describe("httpRelyingPartyTarget", () => {
  it("describes the RP", () => {
    expect(byUrl).toMatchObject({ description: { name: "harness RP", kind: "http" }, realm: rp.realm, replyUrl: rp.replyUrl, cleanupUrl: rp.replyUrl, issuer: ISSUER, tokenTypes: ["saml20"] });
  });

  it.each([
    ["URL probe", () => byUrl],
    ["cookie probe", () => byCookie],
  ])("%s: signs in, keeps sessions apart, cleans up", async (_, target) => {
    const t = target();
    const a = t.newSession();
    const b = t.newSession();
    expect(await a.signedIn()).toBe(false);
    const x = await a.postWresult(wresult(t.realm), "/rp/protected");
    expect(x).toMatchObject({ method: "POST", url: rp.replyUrl, status: 302, redirected: true, location: rp.protectedUrl });
    expect(x.requestBody).toMatch(/^wa=wsignin1.0&wresult=/);
    expect(x.setCookies?.[0]).toMatch(new RegExp(`^${rp.cookieName}=`));
    expect(Object.keys(a.cookies())).toEqual([rp.cookieName]);
    expect(await a.signedIn()).toBe(true);
    if (t === byUrl) expect(await a.identity()).toEqual({ subject: "bob", claims: {} });
    else expect(await a.identity()).toBeUndefined();
    // Another browser: its own jar, no session.
    expect(await b.signedIn()).toBe(false);

    const c = await a.cleanup();
    expect(c).toMatchObject({ status: 200, redirected: false, contentType: "image/gif" });
    expect(c.url).toBe(`${rp.replyUrl}?wa=wsignoutcleanup1.0`);
    expect(c.setCookies?.[0]).toMatch(/Max-Age=0/);
    expect(await a.signedIn()).toBe(false);
    expect(a.cookies()).toEqual({});
    // The cookie probe reads the jar; the URL probe asks the protected page (three probes and one identity read above).
    const methods = a.exchanges().map((e) => e.method);
    expect(methods.filter((m) => m === "POST")).toHaveLength(1);
    expect(methods).toHaveLength(t === byUrl ? 6 : 2);
  });

  it("reports whether cleanup redirected, and where", async () => {
    const s = byUrl.newSession();
    const trusted = await s.cleanup(`${IDP}?wa=wsignout1.0`);
    expect(trusted).toMatchObject({ status: 302, redirected: true, location: `${IDP}?wa=wsignout1.0` });
    const foreign = await s.cleanup("https://evil.test/");
    expect(foreign).toMatchObject({ status: 200, redirected: false, location: undefined });
    expect(foreign.url).toBe(`${rp.replyUrl}?wa=wsignoutcleanup1.0&wreply=https%3A%2F%2Fevil.test%2F`);
  });

  it("a refused wresult leaves no session; the exchange keeps the RP's answer", async () => {
    const s = byUrl.newSession();
    const x = await s.postWresult(wresult("urn:another-realm"));
    expect(x.status).toBe(403);
    expect(x.body).toMatch(/applies-to-mismatch/);
    expect(await s.signedIn()).toBe(false);
  });

  it("an unreachable RP is an exchange error, and a failed probe throws", async () => {
    const gone = await startHarnessRp({ realm: "urn:gone", trust: { anchors: [trustAnchorFromCert(key.certDer)] }, clock });
    await gone.close();
    const t = httpRelyingPartyTarget({ name: "gone", realm: gone.realm, replyUrl: gone.replyUrl, issuer: ISSUER, signingKey: key, clock, probe: { kind: "url", url: gone.protectedUrl }, timeoutMs: 2000 });
    const s = t.newSession();
    const x = await s.postWresult(wresult(gone.realm));
    expect(x.error).toMatch(/ECONNREFUSED|connect/);
    expect(x.status).toBeUndefined();
    await expect(s.signedIn()).rejects.toThrow(/probe/);
  });

  it("referenceRelyingPartyTarget: a harness RP trusting the given key, kind reference", async () => {
    const t = await referenceRelyingPartyTarget({ clock, signingKey: key, issuer: ISSUER });
    try {
      expect(t.description).toEqual({ name: "reference RP", kind: "reference" });
      expect(t.clockSkewSeconds).toBe(300);
      const s = t.newSession();
      await s.postWresult(wresult(t.realm, "1.1"));
      expect(await s.signedIn()).toBe(true);
      expect(t.rp.sessionCount()).toBe(1);
    } finally {
      await t.close();
    }
  });
});
