// Interop smoke test of the SimpleSAMLphp 1.19.7 (Debian) WS-Fed IdP peer (peers/simplesamlphp/start.mjs, its adfs
// module under `php -S`): started with realms and reply URLs on the command line, a scripted browser-like sign-in
// must yield a wresult whose assertion verifies against the IdP's generated certificate, with audience = wtrealm and
// wctx echoed. Its wsignout1.0 must send wsignoutcleanup1.0 to each RP the browser signed in to, in a redirect chain
// (the RPs are played here by a small loopback server that answers cleanup by redirecting to its wreply).
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyAssertion } from "../../protocol/saml/parse.ts";
import { trustAnchorFromCert } from "../../protocol/dsig/verify.ts";
import { pemToDer } from "../../protocol/x509/certificate.ts";
import { parseWresult } from "../../protocol/wsfed/wresult.ts";
import { checkFederationMetadata } from "../../protocol/wsfed/metadata.ts";
import { validateTargetConfig, type TargetConfig } from "../../adapters/target-config.ts";
import { BrowserLike, IN_CI, installPeer, startPeer, wsfedSignIn, type RunningPeer } from "../../peers/wsfed-idp/support.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const PEER = join(ROOT, "peers/simplesamlphp");
const install = installPeer(join(PEER, "install.sh"), ["openssl", "dpkg-query"]);

if (!install.ok && IN_CI) {
  it("SimpleSAMLphp peer is installed (CI=true)", () => {
    throw new Error(`SimpleSAMLphp peer unavailable: ${install.why}`);
  });
}

describe.skipIf(!install.ok)(`SimpleSAMLphp WS-Fed IdP peer (${(install.versions ?? "").replace(/\n/g, ", ")})`, () => {
  let peer: RunningPeer;
  let state: string;
  let target: TargetConfig;
  let certPem: string;
  let rpServer: Server;
  let rpBase: string;
  const cleanups: { path: string; wreply: string | null }[] = [];
  let rps: { realm: string; replyUrl: string }[];

  beforeAll(async () => {
    // The relying parties' reply URLs: one loopback server, a path per RP. Cleanup answers 302 to wreply (what the
    // redirect-chain sign-out needs); anything else 200.
    rpServer = createServer((req, res) => {
      const u = new URL(req.url ?? "/", "http://x");
      if (u.searchParams.get("wa") === "wsignoutcleanup1.0") {
        const wreply = u.searchParams.get("wreply");
        cleanups.push({ path: u.pathname, wreply });
        res.writeHead(wreply ? 302 : 200, wreply ? { location: wreply } : { "content-type": "text/plain" });
        res.end(wreply ? "" : "cleaned up\n");
        return;
      }
      res.writeHead(200, { "content-type": "text/plain" });
      res.end(`rp page ${u.pathname}\n`);
    });
    await new Promise<void>((r) => rpServer.listen(0, "127.0.0.1", r));
    rpBase = `http://127.0.0.1:${(rpServer.address() as AddressInfo).port}`;
    rps = [1, 2, 3].map((i) => ({ realm: `urn:wsconform:interop:ssp-rp${i}`, replyUrl: `${rpBase}/rp${i}/` }));
    state = mkdtempSync(join(tmpdir(), "wsconform-ssp-"));
    peer = await startPeer(process.execPath, [join(PEER, "start.mjs"), "--port", "0", "--state", state, ...rps.flatMap((r) => ["--rp", `${r.realm}=${r.replyUrl}`])]);
    target = validateTargetConfig(JSON.parse(readFileSync(peer.info.description!, "utf8")));
    certPem = readFileSync(target.trustAnchors[0]!, "utf8");
  });
  afterAll(async () => {
    await peer?.stop();
    await new Promise<void>((r) => (rpServer ? rpServer.close(() => r()) : r()));
    if (state) rmSync(state, { recursive: true, force: true });
  });

  const anchors = () => [trustAnchorFromCert(pemToDer(certPem), "SimpleSAMLphp IdP")];
  const signIn = (o: { realm: string; wctx?: string; username?: string; password?: string; browser?: BrowserLike }) =>
    wsfedSignIn({
      signInUrl: target.passive!.signInUrl,
      wtrealm: o.realm,
      wctx: o.wctx,
      username: o.username ?? "alice",
      password: o.password ?? "ecila",
      usernameField: target.passive!.loginForm?.usernameField,
      passwordField: target.passive!.loginForm?.passwordField,
      browser: o.browser,
    });

  it("describes itself as a valid passive target with the realms and reply URLs it was started with", () => {
    expect(target.passive!.signInUrl).toBe(`${peer.url}/module.php/adfs/idp/prp.php`);
    expect(target.passive!.relyingParties).toEqual(rps);
    expect(target.passive!.capabilities).toMatchObject({ signOut: true, metadata: true, tokenTypes: ["saml11"] });
  });

  it("signs alice in: a SAML 1.1 assertion in a 2005 RSTR that verifies, audience = wtrealm, wctx echoed", async () => {
    const wctx = "rm=0&id=passive&ru=%2f<x>\"'";
    const r = await signIn({ realm: rps[0]!.realm, wctx });
    expect(r.form.method).toBe("POST");
    expect(r.form.action).toBe(rps[0]!.replyUrl);
    expect(r.wa).toBe("wsignin1.0");
    expect(r.wctx).toBe(wctx);
    const w = parseWresult(r.wresult);
    if (w.kind !== "token") throw new Error(`fault: ${w.reason}`);
    expect(w.trustVersion).toBe("2005");
    expect(w.samlVersion).toBe("1.1");
    expect(w.appliesTo).toBe(rps[0]!.realm);
    const v = verifyAssertion(w.assertion, anchors());
    if (!v.ok) throw new Error(`${v.code}: ${v.reason}`);
    expect(v.assertion.audiences).toEqual([rps[0]!.realm]);
    expect(v.assertion.issuer).toBe(target.issuerName);
    expect(v.assertion.subject.nameId).toBe("alice");
    // AD FS 1.x style: no SubjectConfirmation at all, read as bearer.
    expect(v.assertion.confirmationImplicit).toBe(true);
    const name = v.assertion.attributes.find((a) => a.name === "emailaddress");
    expect(name?.values).toEqual(["alice@wsconform.test"]);
  });

  it("refuses a wrong password (the login form again, no token) and an unknown realm (an error page with HTTP 200)", async () => {
    await expect(signIn({ realm: rps[0]!.realm, password: "wrong" })).rejects.toThrow(/no wresult form after 5 pages/);
    await expect(signIn({ realm: "urn:wsconform:rp:unregistered" })).rejects.toThrow(/neither a login form nor a wresult form[\s\S]*Error processing request from Service Provider/);
  });

  it("publishes metadata naming its signing certificate and passive endpoint", async () => {
    const res = await request(target.passive!.metadataUrl!);
    expect(res.statusCode).toBe(200);
    const body = await res.body.text();
    const check = checkFederationMetadata(body, { url: target.passive!.metadataUrl });
    const sts = check.metadata!.securityTokenServices[0]!;
    expect(sts.signingCertificates.map((c) => c.toString("base64"))).toContain(pemToDer(certPem).toString("base64"));
    expect(sts.passiveRequestorEndpoints).toContain(target.passive!.signInUrl);
    console.info(`SimpleSAMLphp metadata: signature ${check.signature}; problems: ${check.problems.map((p) => `${p.requirement} ${p.severity}: ${p.message}`).join(" | ") || "none"}`);
  });

  it("wsignout1.0 sends wsignoutcleanup1.0 to each RP the browser signed in to, in a redirect chain, then follows wreply", async () => {
    const browser = new BrowserLike();
    await signIn({ realm: rps[0]!.realm, browser });
    // Single sign-on: the second RP gets a token without a login form.
    const second = await signIn({ realm: rps[1]!.realm, browser });
    expect(browser.exchanges.filter((x) => x.method === "POST")).toHaveLength(1);
    expect(second.form.action).toBe(rps[1]!.replyUrl);
    cleanups.length = 0;
    const u = new URL(target.passive!.signInUrl);
    u.searchParams.set("wa", "wsignout1.0");
    u.searchParams.set("wreply", `${rpBase}/signed-out`);
    const last = await browser.follow("GET", u.toString());
    expect(cleanups.map((c) => c.path).sort()).toEqual(["/rp1/", "/rp2/"]);
    for (const c of cleanups) expect(c.wreply).toMatch(new RegExp(`^${peer.url}/module\\.php/adfs/idp/prp\\.php\\?assocId=`));
    expect(last.url).toBe(`${rpBase}/signed-out`);
    // The IdP session is gone: signing in again shows the login form.
    await expect(wsfedSignIn({ signInUrl: target.passive!.signInUrl, wtrealm: rps[0]!.realm, username: "alice", password: "wrong", browser })).rejects.toThrow(/no wresult form/);
  });
});
