// Interop: adal-node (npm, its lib/wstrust-request.js WSTrustRequest#acquireToken: the RST it builds and posts with
// axios, and lib/wstrust-response.js's reading of the answer) against `wsconform serve --tls`, on the 1.3 and the
// 2005 usernamemixed endpoints. peers/adal-node/install.sh installs it; peers/adal-node/wstrust-client.cjs drives it
// and reports the wire exchange as JSON.
//
// Finding F1 (see the peers report): adal sends <wsse:Password> without @Type; the reference refuses that under
// WS-I BSP R4201 (wsse:InvalidSecurityToken). The reference now reads a missing Type as PasswordText (the profile's default), so the as-shipped cases obtain tokens; the --add-password-type cases
// add only that attribute and must then obtain a token end to end.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseXml } from "../../protocol/xml/safe-parse.ts";
import { verifyAssertion } from "../../protocol/saml/parse.ts";
import { trustAnchorFromCert } from "../../protocol/dsig/verify.ts";
import { pemToDer } from "../../protocol/x509/certificate.ts";
import { IN_CI, installPeer, startReferenceServe, type ReferenceServe } from "../../peers/wsfed-idp/support.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const PEER = join(ROOT, "peers/adal-node");
const install = installPeer(join(PEER, "install.sh"), ["npm"]);

interface ClientResult {
  ok: boolean;
  client: string;
  clientVersion: string;
  error?: string;
  faultCode?: string;
  token?: string;
  tokenType?: string;
  exchanges: { request: { url: string; headers: Record<string, string>; body: string }; response: { status: number; headers: Record<string, string>; body: string } }[];
}

function adal(ref: ReferenceServe, version: "13" | "2005", appliesTo: string, opts: { username?: string; password?: string; addPasswordType?: boolean } = {}): ClientResult {
  const args = [
    "wstrust-client.cjs",
    "--endpoint", `${ref.url}/adfs/services/trust/${version}/usernamemixed`,
    "--username", opts.username ?? "alice",
    "--password", opts.password ?? "ecila",
    "--applies-to", appliesTo,
    "--ca-file", ref.tlsCertFile!,
  ];
  if (opts.addPasswordType) args.push("--add-password-type");
  const r = spawnSync(process.execPath, args, { cwd: PEER, encoding: "utf8", timeout: 30_000 });
  if (r.status !== 0 && r.status !== 1) throw new Error(`wstrust-client.cjs exited ${r.status ?? r.signal}: ${r.stderr}`);
  return JSON.parse(r.stdout) as ClientResult;
}

function verifyToken(ref: ReferenceServe, token: string) {
  const doc = parseXml(token);
  const anchor = trustAnchorFromCert(pemToDer(readFileSync(ref.signingCertFile, "utf8")), "reference signing");
  return verifyAssertion(doc.documentElement!, [anchor]);
}

if (!install.ok && IN_CI) {
  it("adal-node toolchain is installed (CI=true)", () => {
    throw new Error(`adal-node peer unavailable: ${install.why}`);
  });
}

describe.skipIf(!install.ok)(`adal-node ${install.versions ?? ""} against wsconform serve --tls`, () => {
  let ref: ReferenceServe;
  let data: string;
  beforeAll(async () => {
    data = mkdtempSync(join(tmpdir(), "wsconform-adal-"));
    ref = await startReferenceServe(ROOT, data, { tls: true });
  });
  afterAll(async () => {
    await ref?.stop();
    rmSync(data, { recursive: true, force: true });
  });

  for (const version of ["13", "2005"] as const) {
    it(`${version}: adal-node as shipped (Password without Type, read as PasswordText) obtains a token (finding F1, fixed in the reference)`, () => {
      const r = adal(ref, version, "urn:wsconform:rp:saml11");
      expect(r.error).toBeUndefined();
      expect(r.ok).toBe(true);
      const x = r.exchanges[0]!;
      // What adal sent: SOAP 1.2, a UsernameToken whose Password has no Type.
      expect(x.request.headers["Content-Type"]).toMatch(/^application\/soap\+xml/);
      expect(x.request.body).toMatch(/<wsse:Password>ecila<\/wsse:Password>/);
      expect(x.response.status).toBe(200);
      const v = verifyToken(ref, r.token!);
      if (!v.ok) throw new Error(`${v.code}: ${v.reason}`);
      expect(v.assertion.subject.nameId).toBe("alice");
    });

    for (const [rp, saml] of [
      ["urn:wsconform:rp:saml11", "1.1"],
      ["urn:wsconform:rp:no-encryption", "2.0"],
    ] as const) {
      it(`${version}: adal-node obtains a SAML ${saml} bearer token for ${rp} once Password carries Type, and it verifies`, () => {
        const r = adal(ref, version, rp, { addPasswordType: true });
        expect(r.error).toBeUndefined();
        expect(r.ok).toBe(true);
        expect(r.tokenType).toBe(`http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV${saml}`);
        expect(r.exchanges[0]!.response.status).toBe(200);
        // adal re-serializes the RequestedSecurityToken's children from its DOM; that text still verifies.
        const v = verifyToken(ref, r.token!);
        if (!v.ok) throw new Error(`${v.code}: ${v.reason}`);
        expect(v.assertion.version).toBe(saml);
        expect(v.assertion.audiences).toEqual([rp]);
        expect(v.assertion.subject.nameId).toBe("alice");
        expect(v.assertion.confirmation.method).toBe("bearer");
      });
    }

    it(`${version}: a wrong password is a wsse:FailedAuthentication fault that adal-node reports`, () => {
      const r = adal(ref, version, "urn:wsconform:rp:saml11", { password: "wrong", addPasswordType: true });
      expect(r.ok).toBe(false);
      expect(r.exchanges[0]!.response.body).toContain("FailedAuthentication");
      expect(r.error).toContain("FailedAuthentication");
    });
  }
});
