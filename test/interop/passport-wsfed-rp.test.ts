// Interop smoke test of the passport-wsfed-saml2 4.6.1 relying-party peer (peers/passport-wsfed-rp/server.mjs): a
// wresult made here (a SAML 1.1 assertion signed with a test key by protocol/saml/build.ts, wrapped in a WS-Trust
// 2005 RSTR by buildWresult / protocol/trust/serialize.ts) posted to its reply URL must establish a session (the
// protected URL then answers 200 with the claims); a tampered one, a foreign signer, a wrong audience or an expired
// assertion must not. Also what the library does not do: replay detection, pretty-printed wresults, sign-out.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { randomUUID } from "node:crypto";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signAssertion } from "../../protocol/saml/build.ts";
import type { AssertionSpec } from "../../protocol/saml/model.ts";
import { buildWresult } from "../../protocol/wsfed/wresult.ts";
import { generateSelfSignedCertificate, thumbprintSha1, type CertifiedKey } from "../../protocol/x509/certificate.ts";
import { validateTargetConfig } from "../../adapters/target-config.ts";
import { IN_CI, installPeer, startPeer, type RunningPeer } from "../../peers/wsfed-idp/support.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const PEER = join(ROOT, "peers/passport-wsfed-rp");
const install = installPeer(join(PEER, "install.sh"), ["npm"]);
const REALM = "urn:wsconform:interop:passport-rp";
const ISSUER = "urn:wsconform:interop:harness-idp";

if (!install.ok && IN_CI) {
  it("passport-wsfed-saml2 peer is installed (CI=true)", () => {
    throw new Error(`passport-wsfed-saml2 peer unavailable: ${install.why}`);
  });
}

describe.skipIf(!install.ok)(`passport-wsfed-saml2 RP peer (${(install.versions ?? "").replace(/\n/g, ", ")})`, () => {
  let rp: RunningPeer;
  let rpByThumbprint: RunningPeer;
  let dir: string;
  let idpKey: CertifiedKey;
  let otherKey: CertifiedKey;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "wsconform-passport-rp-"));
    const now = Date.now();
    idpKey = generateSelfSignedCertificate({ commonName: "wsconform interop harness IdP", notBeforeMs: now - 3600_000, notAfterMs: now + 86400_000 });
    otherKey = generateSelfSignedCertificate({ commonName: "someone else", notBeforeMs: now - 3600_000, notAfterMs: now + 86400_000 });
    writeFileSync(join(dir, "idp.cert.pem"), idpKey.certPem);
    writeFileSync(join(dir, "idp.key.pem"), idpKey.keyPem);
    const common = ["--realm", REALM, "--issuer", ISSUER, "--key", join(dir, "idp.key.pem"), "--idp-url", "http://127.0.0.1:18199/adfs/ls/", "--port", "0", "--state", dir];
    [rp, rpByThumbprint] = await Promise.all([
      startPeer(process.execPath, [join(PEER, "server.mjs"), "--cert", join(dir, "idp.cert.pem"), ...common]),
      startPeer(process.execPath, [join(PEER, "server.mjs"), "--thumbprint", thumbprintSha1(idpKey.certDer).toString("hex"), ...common]),
    ]);
  });
  afterAll(async () => {
    await Promise.all([rp?.stop(), rpByThumbprint?.stop()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  function assertion(over: Partial<AssertionSpec> = {}, key: CertifiedKey = idpKey): string {
    const now = Date.now();
    const spec: AssertionSpec = {
      version: "1.1",
      id: `_${randomUUID()}`,
      issuer: ISSUER,
      issueInstant: now,
      subject: { nameId: "alice" },
      confirmation: { method: "bearer" },
      notBefore: now - 60_000,
      notOnOrAfter: now + 3600_000,
      audiences: [REALM],
      authn: { method: "urn:oasis:names:tc:SAML:1.0:am:password", instant: now },
      attributes: [
        { name: "emailaddress", nameFormatOrNamespace: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims", values: ["alice@wsconform.test"] },
        { name: "role", nameFormatOrNamespace: "http://schemas.microsoft.com/ws/2008/06/identity/claims", values: ["admin", "user"] },
      ],
      ...over,
    };
    return signAssertion(spec, { privateKey: key.privateKey, certDer: key.certDer });
  }
  const wresultOf = (assertionXml: string) =>
    buildWresult({ assertionXml, format: "2005", appliesTo: REALM, tokenType: "urn:oasis:names:tc:SAML:1.0:assertion" });

  async function post(peer: RunningPeer, wresult: string, wctx = "/protected") {
    const res = await request(`${peer.url}/wsfed`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ wa: "wsignin1.0", wresult, wctx }).toString(),
    });
    const body = await res.body.text();
    const setCookie = res.headers["set-cookie"];
    const cookie = (Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : []).map((c) => c.split(";")[0]!).find((c) => c.startsWith("passportrp_sid="));
    return { status: res.statusCode, location: res.headers.location, body, cookie };
  }
  async function protectedPage(peer: RunningPeer, cookie?: string) {
    const res = await request(`${peer.url}/protected`, { headers: cookie ? { cookie } : {} });
    const body = await res.body.text();
    return { status: res.statusCode, location: res.headers.location as string | undefined, body };
  }

  it("describes itself as a valid relying-party target", () => {
    const t = validateTargetConfig(JSON.parse(readFileSync(rp.info.description!, "utf8")));
    expect(t.relyingParty).toMatchObject({
      realm: REALM,
      replyUrl: `${rp.url}/wsfed`,
      probe: { url: `${rp.url}/protected`, status: 200 },
      issuer: ISSUER,
      signingKey: { cert: join(dir, "idp.cert.pem"), key: join(dir, "idp.key.pem") },
    });
  });

  it("without a session the protected URL redirects to the IdP with wa, wtrealm and wctx", async () => {
    const p = await protectedPage(rp);
    expect(p.status).toBe(302);
    const u = new URL(p.location!);
    expect(`${u.origin}${u.pathname}`).toBe("http://127.0.0.1:18199/adfs/ls/");
    expect(u.searchParams.get("wa")).toBe("wsignin1.0");
    expect(u.searchParams.get("wtrealm")).toBe(REALM);
    expect(u.searchParams.get("wctx")).toBe("/protected");
  });

  it("a signed SAML 1.1 assertion in a 2005 RSTR establishes a session; the protected URL answers the claims", async () => {
    const r = await post(rp, wresultOf(assertion()));
    expect(r.body).toBe("Found. Redirecting to /protected");
    expect(r.status).toBe(302);
    expect(r.location).toBe("/protected");
    expect(r.cookie).toBeDefined();
    const p = await protectedPage(rp, r.cookie);
    expect(p.status).toBe(200);
    const claims = JSON.parse(p.body).claims as Record<string, unknown>;
    expect(claims["http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier"]).toBe("alice");
    expect(claims["http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"]).toBe("alice@wsconform.test");
    expect(claims["http://schemas.microsoft.com/ws/2008/06/identity/claims/role"]).toEqual(["admin", "user"]);
    expect(claims.issuer).toBe(ISSUER);
  });

  it("a signed SAML 2.0 assertion in a 1.3 RSTRC establishes a session too", async () => {
    const xml = assertion({ version: "2.0", attributes: [{ name: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress", values: ["alice@wsconform.test"] }] });
    const w = buildWresult({ assertionXml: xml, format: "1.3-rstrc", appliesTo: REALM, tokenType: "urn:oasis:names:tc:SAML:2.0:assertion" });
    const r = await post(rp, w);
    expect(r.body).toBe("Found. Redirecting to /protected");
    const claims = JSON.parse((await protectedPage(rp, r.cookie)).body).claims as Record<string, unknown>;
    expect(claims["http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"]).toBe("alice@wsconform.test");
  });

  it("a tampered assertion (a claim changed after signing) establishes no session", async () => {
    const signed = assertion();
    const tampered = signed.replace("alice@wsconform.test", "mallory@wsconform.test");
    expect(tampered).not.toBe(signed);
    const r = await post(rp, wresultOf(tampered));
    expect(r.status).toBe(401);
    expect(JSON.parse(r.body).error).toMatch(/invalid signature|Signature check errors/i);
    expect(r.cookie).toBeUndefined();
    expect((await protectedPage(rp)).status).toBe(302);
  });

  it("a foreign signer, a wrong audience and an expired assertion establish no session", async () => {
    const foreign = await post(rp, wresultOf(assertion({}, otherKey)));
    expect(foreign.status).toBe(401);
    expect(foreign.cookie).toBeUndefined();
    const audience = await post(rp, wresultOf(assertion({ audiences: ["urn:wsconform:interop:some-other-rp"] })));
    expect(audience.status).toBe(401);
    expect(JSON.parse(audience.body).error).toMatch(/Audience is invalid/);
    const now = Date.now();
    const expired = await post(rp, wresultOf(assertion({ issueInstant: now - 7200_000, notBefore: now - 7200_000, notOnOrAfter: now - 3600_000 })));
    expect(expired.status).toBe(401);
    expect(JSON.parse(expired.body).error).toMatch(/expired/);
  });

  it("trusting a thumbprint: the certificate in KeyInfo is used when its SHA-1 thumbprint matches", async () => {
    const ok = await post(rpByThumbprint, wresultOf(assertion()));
    expect(ok.status).toBe(302);
    expect((await protectedPage(rpByThumbprint, ok.cookie)).status).toBe(200);
    const foreign = await post(rpByThumbprint, wresultOf(assertion({}, otherKey)));
    expect(foreign.status).toBe(401);
    expect(JSON.parse(foreign.body).error).toMatch(/Invalid thumbprint/);
  });

  it("finding: no replay detection: the same wresult posted twice opens two sessions", async () => {
    const w = wresultOf(assertion());
    const first = await post(rp, w);
    const second = await post(rp, w);
    expect(first.status).toBe(302);
    expect(second.status).toBe(302);
    expect(second.cookie).not.toBe(first.cookie);
  });

  it("finding: a pretty-printed wresult (whitespace before the assertion) is refused although it is valid", async () => {
    const w = wresultOf(assertion()).replace(/(<[^>]*RequestedSecurityToken>)/, "$1\n    ");
    const r = await post(rp, w);
    expect(r.status).toBe(401);
    expect(r.cookie).toBeUndefined();
    console.info(`passport-wsfed-saml2 on a pretty-printed wresult: ${JSON.parse(r.body).error}`);
  });

  it("wsignoutcleanup1.0 (handled by the app: the library has none) ends the session and answers an image", async () => {
    const r = await post(rp, wresultOf(assertion()));
    expect((await protectedPage(rp, r.cookie)).status).toBe(200);
    const res = await request(`${rp.url}/wsfed?wa=wsignoutcleanup1.0`, { headers: { cookie: r.cookie! } });
    await res.body.arrayBuffer();
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^image\/gif/);
    expect((await protectedPage(rp, r.cookie)).status).toBe(302);
    const events = (await (await request(`${rp.url}/_wsconform/events`)).body.json()) as { event: string; hadSession?: boolean }[];
    expect(events.filter((e) => e.event === "cleanup").at(-1)).toMatchObject({ hadSession: true });
    // A POSTed cleanup is a cleanup too, not a sign-in attempt.
    const again = await post(rp, wresultOf(assertion()));
    const posted = await request(`${rp.url}/wsfed`, { method: "POST", headers: { cookie: again.cookie!, "content-type": "application/x-www-form-urlencoded" }, body: "wa=wsignoutcleanup1.0" });
    await posted.body.arrayBuffer();
    expect(posted.statusCode).toBe(200);
    expect((await protectedPage(rp, again.cookie)).status).toBe(302);
  });
});
