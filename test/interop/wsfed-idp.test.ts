// Interop smoke test of the npm `wsfed` 6.0.0 IdP peer (peers/wsfed-idp/server.mjs): started with realms and reply
// URLs on the command line, a scripted browser-like sign-in (undici, manual cookies, the login form filled in, the
// auto-post form read) must yield a wresult whose assertion verifies against the IdP's certificate, with
// audience = wtrealm and wctx echoed. Also: its passive-target.json is a valid target description, its metadata
// names its signing certificate, and the refusals (wrong password, unknown realm, unregistered wreply).
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
import { IN_CI, installPeer, startPeer, wsfedSignIn, type RunningPeer } from "../../peers/wsfed-idp/support.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const PEER = join(ROOT, "peers/wsfed-idp");
const install = installPeer(join(PEER, "install.sh"), ["npm", "openssl"]);

// Reply URLs on loopback ports nobody listens on: the test reads the auto-post form and does not post it.
const RPS = [
  { realm: "urn:wsconform:interop:rp1", replyUrl: "http://127.0.0.1:18181/rp1/" },
  { realm: "urn:wsconform:interop:rp2", replyUrl: "http://127.0.0.1:18182/rp2/" },
  { realm: "urn:wsconform:interop:rp2", replyUrl: "http://127.0.0.1:18183/rp2-alt/" },
];

if (!install.ok && IN_CI) {
  it("wsfed IdP peer is installed (CI=true)", () => {
    throw new Error(`wsfed IdP peer unavailable: ${install.why}`);
  });
}

describe.skipIf(!install.ok)(`npm wsfed IdP peer (${(install.versions ?? "").replace(/\n/g, ", ")})`, () => {
  let peer: RunningPeer;
  let state: string;
  let target: TargetConfig;
  let certPem: string;

  beforeAll(async () => {
    state = mkdtempSync(join(tmpdir(), "wsconform-wsfed-idp-"));
    peer = await startPeer(process.execPath, [join(PEER, "server.mjs"), "--port", "0", "--state", state, ...RPS.flatMap((r) => ["--rp", `${r.realm}=${r.replyUrl}`])]);
    target = validateTargetConfig(JSON.parse(readFileSync(peer.info.description!, "utf8")));
    certPem = readFileSync(target.trustAnchors[0]!, "utf8");
  });
  afterAll(async () => {
    await peer?.stop();
    rmSync(state, { recursive: true, force: true });
  });

  const anchors = () => [trustAnchorFromCert(pemToDer(certPem), "wsfed IdP")];
  const signIn = (o: { realm: string; wctx?: string; wreply?: string; username?: string; password?: string }) =>
    wsfedSignIn({
      signInUrl: target.passive!.signInUrl,
      wtrealm: o.realm,
      wctx: o.wctx,
      wreply: o.wreply,
      username: o.username ?? "alice",
      password: o.password ?? "ecila",
      usernameField: target.passive!.loginForm?.usernameField,
      passwordField: target.passive!.loginForm?.passwordField,
    });

  it("describes itself as a valid passive target with the realms and reply URLs it was started with", () => {
    expect(target.passive!.signInUrl).toBe(`${peer.url}/wsfed`);
    expect(target.passive!.relyingParties).toEqual(RPS);
    expect(target.passive!.capabilities).toMatchObject({ signOut: false, metadata: true, tokenTypes: ["saml11"] });
    expect(target.credentials).toMatchObject({ username: "alice", password: "ecila", otherUser: { username: "bob", password: "bob" } });
  });

  it("signs alice in: a SAML 1.1 assertion in a 2005 RSTR that verifies, audience = wtrealm, wctx echoed", async () => {
    const wctx = "rm=0&id=passive&ru=%2f<x>\"'";
    const r = await signIn({ realm: RPS[0]!.realm, wctx });
    expect(r.form.method).toBe("POST");
    expect(r.form.action).toBe(RPS[0]!.replyUrl);
    expect(r.wa).toBe("wsignin1.0");
    expect(r.wctx).toBe(wctx);
    const w = parseWresult(r.wresult);
    if (w.kind !== "token") throw new Error(`fault: ${w.reason}`);
    expect(w.shape).toBe("RSTR");
    expect(w.trustVersion).toBe("2005");
    expect(w.samlVersion).toBe("1.1");
    expect(w.context).toBe(wctx); // the library also puts wctx in the RSTR's Context
    const v = verifyAssertion(w.assertion, anchors());
    if (!v.ok) throw new Error(`${v.code}: ${v.reason}`);
    expect(v.assertion.audiences).toEqual([RPS[0]!.realm]);
    expect(v.assertion.issuer).toBe(target.issuerName);
    expect(v.assertion.subject.nameId).toBe("alice");
    expect(v.assertion.confirmation.method).toBe("bearer");
    expect(v.signatureAlgorithm).toBe("http://www.w3.org/2001/04/xmldsig-more#rsa-sha256");
    const email = v.assertion.attributes.find((a) => a.name === "emailaddress");
    expect(email?.values).toEqual(["alice@wsconform.test"]);
  });

  it("finding: the assertion's AuthenticationInstant is its NotOnOrAfter (an hour in the future), not the sign-in time", async () => {
    const r = await signIn({ realm: RPS[0]!.realm });
    const w = parseWresult(r.wresult);
    if (w.kind !== "token") throw new Error("fault");
    const v = verifyAssertion(w.assertion, anchors());
    if (!v.ok) throw new Error(v.reason);
    expect(v.assertion.authn!.instant).toBe(v.assertion.notOnOrAfter);
    expect(v.assertion.authn!.instant).toBeGreaterThan(v.assertion.issueInstant + 30 * 60_000);
  });

  it("posts to the registered wreply the request names, and signs bob in as bob", async () => {
    const r = await signIn({ realm: RPS[2]!.realm, wreply: RPS[2]!.replyUrl, username: "bob", password: "bob" });
    expect(r.form.action).toBe(RPS[2]!.replyUrl);
    const w = parseWresult(r.wresult);
    if (w.kind !== "token") throw new Error("fault");
    const v = verifyAssertion(w.assertion, anchors());
    if (!v.ok) throw new Error(v.reason);
    expect(v.assertion.subject.nameId).toBe("bob");
    expect(v.assertion.audiences).toEqual([RPS[2]!.realm]);
  });

  it("refuses a wrong password (401, no token), an unknown realm and an unregistered wreply (400)", async () => {
    await expect(signIn({ realm: RPS[0]!.realm, password: "wrong" })).rejects.toThrow(/answered 401/);
    await expect(signIn({ realm: "urn:wsconform:rp:unregistered" })).rejects.toThrow(/answered 400/);
    await expect(signIn({ realm: RPS[0]!.realm, wreply: "http://127.0.0.1:18189/elsewhere/" })).rejects.toThrow(/answered 400/);
  });

  it("publishes federation metadata naming its signing certificate and passive endpoint", async () => {
    const res = await request(target.passive!.metadataUrl!);
    expect(res.statusCode).toBe(200);
    const body = await res.body.text();
    const check = checkFederationMetadata(body, { url: target.passive!.metadataUrl });
    const sts = check.metadata!.securityTokenServices[0]!;
    expect(sts.signingCertificates.map((c) => c.toString("base64"))).toContain(pemToDer(certPem).toString("base64"));
    expect(sts.passiveRequestorEndpoints).toContain(`${peer.url}/wsfed`);
    // What the harness's metadata checker says about the library's document (kept visible in the test output).
    console.info(`wsfed metadata: signature ${check.signature}; problems: ${check.problems.map((p) => `${p.requirement} ${p.severity}: ${p.message}`).join(" | ") || "none"}`);
  });

  it("has no sign-out: wsignout1.0 answers 501", async () => {
    const res = await request(`${target.passive!.signInUrl}?wa=wsignout1.0`);
    await res.body.text();
    expect(res.statusCode).toBe(501);
  });
});
