// A real WS-Trust client against the reference: Apache CXF's STSClient (peers/cxf-client) obtains tokens from
// `wsconform serve --tls` over WS-Trust 1.3 and 2005. Needs Java 17+ and Maven: fails under CI=true without
// them, skipped otherwise.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IN_CI, installPeer, startReferenceServe, type ReferenceServe } from "../../peers/wsfed-idp/support.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const PEER = join(ROOT, "peers/cxf-client");
const install = installPeer(join(PEER, "install.sh"), ["java", "mvn", "keytool"]);

if (!install.ok && IN_CI) {
  it("the CXF client peer is installed (CI=true: Java 17+ and Maven are required)", () => {
    throw new Error(`CXF client peer unavailable: ${install.why}`);
  });
}

describe.skipIf(!install.ok)("CXF STSClient against the reference STS", () => {
  let ref: ReferenceServe | undefined;
  let url = "";
  const data = mkdtempSync(join(tmpdir(), "wsconform-cxf-client-"));

  beforeAll(async () => {
    ref = await startReferenceServe(ROOT, data, { tls: true });
    url = ref.url;
  });

  afterAll(async () => {
    await ref?.stop();
    rmSync(data, { recursive: true, force: true });
  });

  const client = (args: string[]) =>
    spawnSync(join(PEER, "run.sh"), ["--url", url, "--ca", join(data, "tls.cert.pem"), ...args], { encoding: "utf8", timeout: 300_000 });
  const lines = (out: string) => Object.fromEntries(out.split("\n").filter((l) => /^(OK|FAIL) /.test(l)).map((l) => [l.split(/\s+/)[1]!, l]));

  it("obtains SAML 1.1 and 2.0 tokens with STSClient's default SymmetricKey+entropy and with Bearer, over 1.3 and 2005 (SOAP 1.1 and 1.2)", () => {
    const modes = ["1.3:symmetric", "1.3:bearer", "2005:symmetric", "2005:bearer", "1.3:symmetric:saml11", "2005:bearer:saml11"];
    for (const soap of ["1.1", "1.2"]) {
      const r = client(["--soap", soap, ...modes]);
      const got = lines(r.stdout);
      for (const m of modes) {
        expect(got[m], `SOAP ${soap} ${m}:\n${r.stdout}\n${r.stderr.slice(-2000)}`).toMatch(/^OK /);
        expect(got[m]).toContain(m.endsWith("saml11") ? "SAML:1.0:assertion}Assertion" : "SAML:2.0:assertion}Assertion");
        expect(got[m]).toMatch(m.includes("bearer") ? /confirmation=bearer\s+proofKey=none/ : /confirmation=holder-of-key\s+proofKey=256-bit secret/);
      }
      expect(r.status).toBe(0);
    }
  });

  it("PublicKey: STSClient sends UseKey without a proving signature, which the reference refuses", () => {
    const r = client(["--soap", "1.1", "1.3:publickey", "2005:publickey"]);
    const got = lines(r.stdout);
    expect(got["1.3:publickey"]).toMatch(/^FAIL .*proves possession of the UseKey key/);
    expect(got["2005:publickey"]).toMatch(/^FAIL .*proves possession of the UseKey key/);
    expect(r.status).toBe(1);
  });

  it("without WS-Addressing (SOAPAction only) the reference refuses STSClient's request", () => {
    const r = client(["--soap", "1.1", "--addressing", "false", "1.3:bearer"]);
    expect(lines(r.stdout)["1.3:bearer"]).toMatch(/^FAIL .*wsa:Action header is required/);
  });
});
