// The harness RP end to end over real HTTP on loopback: three instances at once, sign-in sessions with per-instance
// cookies, wctx redirects, refusals, RP-initiated sign-in and sign-out, wsignoutcleanup1.0 (F29-F33), TLS and
// trust from federation metadata.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeClock } from "../../protocol/clock.ts";
import { signAssertion } from "../../protocol/saml/build.ts";
import type { AssertionSpec } from "../../protocol/saml/model.ts";
import type { SigningKey } from "../../protocol/dsig/sign.ts";
import { trustAnchorFromCert } from "../../protocol/dsig/verify.ts";
import { generateSelfSignedCertificate } from "../../protocol/x509/certificate.ts";
import { buildFaultWresult, buildWresult } from "../../protocol/wsfed/wresult.ts";
import { serializeFederationMetadata } from "../../protocol/wsfed/metadata.ts";
import { CookieJar } from "../../adapters/browser/cookie-jar.ts";
import { sendHttp, type HttpResponse } from "../../adapters/harness-rp/http-client.ts";
import { startHarnessRp, type HarnessRpInstance } from "../../adapters/harness-rp/server.ts";

const NOW = Date.UTC(2026, 4, 5, 8, 0, 0);
const ISSUER = "urn:wsconform:test-idp";
const IDP = "http://127.0.0.1:9/adfs/ls/"; // never contacted: only redirected to
const clock = new FakeClock(NOW);
let key: SigningKey;
const rps: HarnessRpInstance[] = [];

let seq = 0;
function token(realm: string, over: Partial<AssertionSpec> = {}, signer: SigningKey = key): string {
  return signAssertion(
    {
      version: "2.0",
      id: `_rp${++seq}`,
      issuer: ISSUER,
      issueInstant: clock.now(),
      subject: { nameId: "alice@example.test" },
      confirmation: { method: "bearer", notOnOrAfter: clock.now() + 600_000 },
      notBefore: clock.now(),
      notOnOrAfter: clock.now() + 3_600_000,
      audiences: [realm],
      authn: { method: "urn:oasis:names:tc:SAML:2.0:ac:classes:Password", instant: clock.now() },
      attributes: [{ name: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/role", values: ["user"] }],
      ...over,
    },
    signer,
  );
}

function wresultFor(rp: { realm: string }, over: Partial<AssertionSpec> = {}): string {
  return buildWresult({ format: "2005", assertionXml: token(rp.realm, over), appliesTo: rp.realm });
}

/** One browser: a cookie jar across all RPs (they share the host, as real ones on 127.0.0.1 do). */
class Browser {
  jar = new CookieJar(clock);
  async go(method: string, url: string, form?: Record<string, string>, ca?: string): Promise<HttpResponse> {
    const headers: Record<string, string> = {};
    const cookie = this.jar.cookieHeader(url);
    if (cookie) headers.cookie = cookie;
    let body: string | undefined;
    if (form) {
      headers["content-type"] = "application/x-www-form-urlencoded";
      body = new URLSearchParams(form).toString();
    }
    const res = await sendHttp({ method, url, headers, body, ca });
    for (const sc of res.setCookies) this.jar.setCookie(sc, url);
    return res;
  }
  signIn(rp: HarnessRpInstance, wresult: string, wctx?: string) {
    return this.go("POST", rp.replyUrl, { wa: "wsignin1.0", wresult, ...(wctx !== undefined ? { wctx } : {}) });
  }
  async identity(rp: HarnessRpInstance): Promise<{ status: number; json?: { subject: string; claims: Record<string, string[]> } }> {
    const res = await this.go("GET", rp.protectedUrl);
    return { status: res.status, json: res.status === 200 ? JSON.parse(res.body.toString("utf8")) : undefined };
  }
}

beforeAll(async () => {
  const c = generateSelfSignedCertificate({ commonName: "rp test idp", notBeforeMs: NOW - 86_400_000, notAfterMs: NOW + 86_400_000 * 365 });
  key = { privateKey: c.privateKey, certDer: c.certDer };
  for (let i = 1; i <= 3; i++) {
    rps.push(
      await startHarnessRp({
        realm: `urn:wsconform:rp:${i}`,
        trust: { anchors: [trustAnchorFromCert(key.certDer)] },
        issuer: ISSUER,
        clock,
        skewSeconds: 60,
        idpSignInUrl: IDP,
      }),
    );
  }
});

afterAll(async () => {
  await Promise.all(rps.map((r) => r.close()));
});

describe("three harness RPs at once", () => {
  it("listen on distinct loopback ports with distinct cookie names", () => {
    expect(new Set(rps.map((r) => r.origin)).size).toBe(3);
    expect(new Set(rps.map((r) => r.cookieName)).size).toBe(3);
    for (const r of rps) {
      expect(r.replyUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/rp\/$/);
      expect(r.cookieName).toBe(`wsconform_rp_${new URL(r.origin).port}`);
      expect(r.cleanupUrl).toBe(`${r.replyUrl}?wa=wsignoutcleanup1.0`);
    }
  });

  it("one browser signs in to all three; each keeps its own session", async () => {
    const b = new Browser();
    const before = rps.map((r) => r.sessionCount());
    for (const rp of rps) {
      const res = await b.signIn(rp, wresultFor(rp));
      expect(res.status).toBe(200);
      const sc = res.setCookies.join("\n");
      expect(sc).toContain(`${rp.cookieName}=`);
      expect(sc).toMatch(/HttpOnly/);
      expect(sc).toMatch(/SameSite=Lax/);
      expect(sc).not.toMatch(/Secure/);
      expect(rp.calls().at(-1)).toMatchObject({ method: "POST", wa: "wsignin1.0", outcome: "signed-in" });
    }
    for (const [i, rp] of rps.entries()) {
      expect(rp.sessionCount()).toBe(before[i]! + 1);
      const id = await b.identity(rp);
      expect(id).toMatchObject({ status: 200, json: { subject: "alice@example.test", claims: { "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/role": ["user"] } } });
    }
  });

  it("all five wresult shapes sign in", async () => {
    const rp = rps[0]!;
    for (const shape of [{ format: "2005" }, { format: "1.3" }, { format: "1.3-rstrc" }, { format: "2005", soap: "1.1" }, { format: "1.3-rstrc", soap: "1.2" }] as const) {
      const b = new Browser();
      const res = await b.signIn(rp, buildWresult({ ...shape, assertionXml: token(rp.realm), appliesTo: rp.realm }));
      expect(res.status, JSON.stringify(shape)).toBe(200);
      expect((await b.identity(rp)).status).toBe(200);
    }
  });
});

describe("sign-in details", () => {
  it("wctx naming a path on the RP is followed; an absolute or foreign one is not (no open redirect)", async () => {
    const rp = rps[0]!;
    let res = await new Browser().signIn(rp, wresultFor(rp), "/rp/protected?x=1");
    expect(res.status).toBe(302);
    expect(res.location).toBe(`${rp.origin}/rp/protected?x=1`);
    res = await new Browser().signIn(rp, wresultFor(rp), "rm=0&id=passive&ru=%2Frp%2Fprotected");
    expect(res.location).toBe(`${rp.origin}/rp/protected`);
    for (const evil of ["https://evil.test/", "//evil.test/x", "/\\evil.test", "ru=https%3A%2F%2Fevil.test%2F"]) {
      res = await new Browser().signIn(rp, wresultFor(rp), evil);
      expect(res.status, evil).toBe(200);
      expect(res.location).toBeUndefined();
    }
  });

  it("a refused token gets 403 with the reason and no session", async () => {
    const [rp1, rp2] = rps as [HarnessRpInstance, HarnessRpInstance];
    const b = new Browser();
    const count = rp1.sessionCount();
    // A token for rp2 presented to rp1 (AppliesTo left out so the audience check itself speaks).
    const res = await b.signIn(rp1, buildWresult({ format: "1.3", assertionXml: token(rp2.realm) }));
    expect(res.status).toBe(403);
    expect(res.body.toString()).toContain("wrong-audience");
    expect(res.setCookies).toEqual([]);
    expect(rp1.sessionCount()).toBe(count);
    expect(rp1.calls().at(-1)).toMatchObject({ outcome: "rejected" });
    expect(rp1.calls().at(-1)!.reason).toMatch(/^wrong-audience \(SAML-AUDIENCE/);
    expect((await b.identity(rp1)).status).toBe(302);
  });

  it("AppliesTo naming another realm is refused (F23)", async () => {
    const [rp1, rp2] = rps as [HarnessRpInstance, HarnessRpInstance];
    const res = await new Browser().signIn(rp1, buildWresult({ format: "2005", assertionXml: token(rp2.realm), appliesTo: rp2.realm }));
    expect(res.status).toBe(403);
    expect(rp1.calls().at(-1)!.reason).toMatch(/applies-to-mismatch \(F23\)/);
  });

  it("the same wresult posted twice: the second is a replay", async () => {
    const rp = rps[1]!;
    const w = wresultFor(rp);
    expect((await new Browser().signIn(rp, w)).status).toBe(200);
    const res = await new Browser().signIn(rp, w);
    expect(res.status).toBe(403);
    expect(rp.calls().at(-1)!.reason).toMatch(/^replay/);
  });

  it("a fault in wresult, a missing wresult, a wrong wa, an oversized body, a non-form body", async () => {
    const rp = rps[2]!;
    const b = new Browser();
    let res = await b.go("POST", rp.replyUrl, { wa: "wsignin1.0", wresult: buildFaultWresult("1.2", "no such user") });
    expect(res.status).toBe(403);
    expect(rp.calls().at(-1)).toMatchObject({ outcome: "fault" });
    expect(rp.calls().at(-1)!.reason).toContain("no such user");
    res = await b.go("POST", rp.replyUrl, { wa: "wsignin1.0" });
    expect(res.status).toBe(400);
    expect(rp.calls().at(-1)!.reason).toMatch(/F19/);
    res = await b.go("POST", rp.replyUrl, { wa: "wsignout1.0", wresult: wresultFor(rp) });
    expect(res.status).toBe(400);
    res = await b.go("POST", rp.replyUrl, { wa: "wsignin1.0", wresult: "x".repeat(1024 * 1024 + 10) }).catch((e: Error) => ({ status: -1, error: e }) as unknown as HttpResponse);
    // The RP answers 413 and closes; a client still writing may see the reset instead.
    expect([413, -1]).toContain(res.status);
    expect(rp.calls().at(-1)!.reason).toMatch(/body over/);
    res = await sendHttp({ method: "POST", url: rp.replyUrl, headers: { "content-type": "text/xml" }, body: wresultFor(rp) });
    expect(res.status).toBe(415);
  });

  it("an expired token is refused; the clock is the injected one", async () => {
    const rp = rps[2]!;
    const w = wresultFor(rp);
    clock.advance(3_600_000 + 60_000);
    try {
      const res = await new Browser().signIn(rp, w);
      expect(res.status).toBe(403);
      expect(rp.calls().at(-1)!.reason).toMatch(/^expired/);
    } finally {
      clock.set(NOW);
    }
  });
});

describe("RP-initiated sign-in and sign-out", () => {
  it("the protected page without a session redirects to the IdP with wa, wtrealm, wctx, wct", async () => {
    const rp = rps[0]!;
    const res = await new Browser().go("GET", rp.protectedUrl);
    expect(res.status).toBe(302);
    const u = new URL(res.location!);
    expect(`${u.origin}${u.pathname}`).toBe(IDP);
    expect(Object.fromEntries(u.searchParams)).toEqual({ wa: "wsignin1.0", wtrealm: rp.realm, wctx: "/rp/protected", wct: "2026-05-05T08:00:00Z" });
    expect(rp.calls().at(-1)).toMatchObject({ outcome: "sign-in-redirect" });
  });

  it("without an IdP URL it answers 401", async () => {
    const rp = await startHarnessRp({ realm: "urn:solo", trust: { anchors: [trustAnchorFromCert(key.certDer)] }, clock });
    try {
      expect((await new Browser().go("GET", rp.protectedUrl)).status).toBe(401);
    } finally {
      await rp.close();
    }
  });

  it("wsignout1.0 at the RP clears the local session and sends the browser to the IdP with wsignout1.0", async () => {
    const rp = rps[1]!;
    const b = new Browser();
    await b.signIn(rp, wresultFor(rp));
    const count = rp.sessionCount();
    const res = await b.go("GET", rp.signOutUrl);
    expect(res.status).toBe(302);
    const u = new URL(res.location!);
    expect(`${u.origin}${u.pathname}`).toBe(IDP);
    expect(u.searchParams.get("wa")).toBe("wsignout1.0");
    expect(u.searchParams.get("wreply")).toBe(rp.replyUrl);
    expect(rp.sessionCount()).toBe(count - 1);
    expect((await b.identity(rp)).status).toBe(302);
    expect((await b.go("GET", u.searchParams.get("wreply")!)).status).toBe(200);
  });
});

describe("wsignoutcleanup1.0 (F29-F33)", () => {
  it("clears this browser's session at that RP only, deletes the cookie and answers a GIF", async () => {
    const b = new Browser();
    for (const rp of rps) await b.signIn(rp, wresultFor(rp));
    const [rp1, rp2, rp3] = rps as [HarnessRpInstance, HarnessRpInstance, HarnessRpInstance];
    const counts = rps.map((r) => r.sessionCount());
    const res = await b.go("GET", rp1.cleanupUrl);
    expect(res.status).toBe(200);
    expect(res.contentType).toBe("image/gif");
    expect(res.body.subarray(0, 6).toString("latin1")).toBe("GIF89a");
    expect(res.setCookies.join("\n")).toMatch(new RegExp(`^${rp1.cookieName}=; Max-Age=0`));
    expect(rp1.sessionCount()).toBe(counts[0]! - 1);
    expect(rp1.calls().at(-1)).toMatchObject({ wa: "wsignoutcleanup1.0", outcome: "cleanup", reason: "session cleared" });
    expect((await b.identity(rp1)).status).toBe(302);
    expect((await b.identity(rp2)).status).toBe(200);
    expect((await b.identity(rp3)).status).toBe(200);
  });

  it("needs no cookie and no token (F32): a bare request still gets the image", async () => {
    const res = await sendHttp({ method: "GET", url: rps[2]!.cleanupUrl });
    expect(res.status).toBe(200);
    expect(res.contentType).toBe("image/gif");
  });

  it("a cleanup that arrives by POST is answered too (never refused, F32)", async () => {
    const rp = rps[0]!;
    const b = new Browser();
    await b.signIn(rp, wresultFor(rp));
    const res = await b.go("POST", rp.replyUrl, { wa: "wsignoutcleanup1.0" });
    expect(res.status).toBe(200);
    expect(res.contentType).toBe("image/gif");
    expect((await b.identity(rp)).status).toBe(302);
  });

  it("follows a trusted wreply (F30) and never a foreign one (F31)", async () => {
    const rp = rps[2]!;
    const b = new Browser();
    await b.signIn(rp, wresultFor(rp));
    let res = await b.go("GET", `${rp.cleanupUrl}&wreply=${encodeURIComponent("https://evil.test/adfs/ls/")}`);
    expect(res.status).toBe(200);
    expect(res.location).toBeUndefined();
    expect(rp.calls().at(-1)!.reason).toMatch(/wreply not trusted/);
    expect((await b.identity(rp)).status).toBe(302);
    for (const evil of [`${IDP}../../evil`, "http://127.0.0.1:9/adfs/lsx", "javascript:alert(1)"]) {
      res = await b.go("GET", `${rp.cleanupUrl}&wreply=${encodeURIComponent(evil)}`);
      expect(res.location, evil).toBeUndefined();
    }
    res = await b.go("GET", `${rp.cleanupUrl}&wreply=${encodeURIComponent(`${IDP}?wa=wsignout1.0`)}`);
    expect(res.status).toBe(302);
    expect(res.location).toBe(`${IDP}?wa=wsignout1.0`);
    expect(rp.calls().at(-1)).toMatchObject({ outcome: "cleanup-redirect" });
  });
});

describe("TLS and metadata trust", () => {
  it("over HTTPS the session cookie is Secure", async () => {
    const tls = generateSelfSignedCertificate({ commonName: "127.0.0.1", notBeforeMs: Date.now() - 86_400_000, notAfterMs: Date.now() + 86_400_000, subjectAltNames: { ip: ["127.0.0.1"] } });
    const rp = await startHarnessRp({ realm: "urn:tls", tls: { certPem: tls.certPem, keyPem: tls.keyPem }, trust: { anchors: [trustAnchorFromCert(key.certDer)] }, issuer: ISSUER, clock });
    try {
      expect(rp.replyUrl.startsWith("https://127.0.0.1:")).toBe(true);
      const b = new Browser();
      const res = await b.go("POST", rp.replyUrl, { wa: "wsignin1.0", wresult: wresultFor(rp) }, tls.certPem);
      expect(res.status).toBe(200);
      expect(res.setCookies.join("")).toMatch(/; Secure/);
      expect((await b.go("GET", rp.protectedUrl, undefined, tls.certPem)).status).toBe(200);
    } finally {
      await rp.close();
    }
  });

  it("reads the signing certificates, issuer and passive endpoint from federation metadata", async () => {
    const other = generateSelfSignedCertificate({ commonName: "rollover", notBeforeMs: NOW - 1000, notAfterMs: NOW + 86_400_000 });
    const xml = serializeFederationMetadata({
      id: "_md",
      entityId: ISSUER,
      securityTokenServices: [{ signingCertificates: [other.certDer, key.certDer], securityTokenServiceEndpoints: ["http://127.0.0.1:9/trust"], passiveRequestorEndpoints: [IDP] }],
    });
    const server = createServer((_, res) => res.writeHead(200, { "content-type": "application/xml" }).end(xml));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/FederationMetadata/2007-06/FederationMetadata.xml`;
    const rp = await startHarnessRp({ realm: "urn:md", trust: { metadataUrl: url }, clock });
    try {
      expect(rp.issuer).toBe(ISSUER);
      expect(rp.anchors).toHaveLength(2);
      const b = new Browser();
      expect((await b.signIn(rp, wresultFor(rp))).status).toBe(200);
      const res = await new Browser().go("GET", rp.protectedUrl);
      expect(res.location?.startsWith(`${IDP}?wa=wsignin1.0`)).toBe(true);
      // A token from an issuer the metadata does not name is refused.
      expect((await new Browser().signIn(rp, wresultFor(rp, { issuer: "urn:someone-else" }))).status).toBe(403);
    } finally {
      await rp.close();
      server.close();
    }
  });

  it("refuses to listen anywhere but loopback, and unknown defects", async () => {
    await expect(startHarnessRp({ realm: "x", host: "0.0.0.0" as "127.0.0.1", trust: { anchors: [trustAnchorFromCert(key.certDer)] }, clock })).rejects.toThrow(/127\.0\.0\.1 only/);
    await expect(startHarnessRp({ realm: "x", trust: { anchors: [trustAnchorFromCert(key.certDer)] }, clock, defects: ["nope"] })).rejects.toThrow(/unknown harness RP defect/);
  });
});
