// Calibration of the token-consumer security suite on real code: known-vulnerable library versions must FAIL the
// cases of their vulnerability class, the fixed version none, and the strict consumer (protocol/saml verifyAssertion
// plus the digest §6 checklist) must pass every case. The libraries are test fixtures installed by
// test/calibration/install.sh; without them this file skips (and fails under CI=true).
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { FakeClock } from "../../protocol/clock.ts";
import { libraryConsumer, type LibraryModule } from "../../adapters/library-consumer.ts";
import { runCase, type CaseResult } from "../../suites/case.ts";
import { ATTACKS } from "../../suites/security/attacks.ts";
import { attackCase, consumerOnlyTarget } from "../../suites/security/support.ts";
import { loadVectorKey } from "../../suites/security/keys.ts";

const CALIBRATION = fileURLToPath(new URL("../calibration/", import.meta.url));
const installed = ["xml-crypto-5", "xml-crypto-6.0.0", "xml-crypto-6.3.2", "passport-wsfed-saml2"].every((p) => existsSync(`${CALIBRATION}node_modules/${p}/package.json`));
if (!installed && process.env.CI === "true") {
  throw new Error("calibration libraries are not installed: run test/calibration/install.sh");
}

const CONSUMERS = ["strict", "xml-crypto-5.1.1", "xml-crypto-6.0.0", "xml-crypto-6.3.2", "passport-wsfed-saml2-2.13.0"] as const;
type ConsumerName = (typeof CONSUMERS)[number];

const results = new Map<ConsumerName, Map<string, CaseResult>>();

async function runAll(name: ConsumerName): Promise<Map<string, CaseResult>> {
  const mod = (await import(`../calibration/adapters/${name}.ts`)) as LibraryModule;
  const idp = loadVectorKey("idp");
  const consumer = libraryConsumer(mod, {
    trust: { issuer: "https://idp.wsconform.test/", signingKey: { privateKey: idp.privateKey, certDer: idp.certDer }, audience: "urn:wsconform:rp:calibration", recipient: "https://rp.wsconform.test/acs" },
    clock: new FakeClock(Date.UTC(2026, 10, 21, 12, 0, 0)),
  });
  const target = consumerOnlyTarget(consumer);
  const out = new Map<string, CaseResult>();
  for (const a of ATTACKS) {
    const c = attackCase(a);
    out.set(c.id, await runCase(c, target));
  }
  return out;
}

const failing = (name: ConsumerName) => [...results.get(name)!.values()].filter((r) => r.verdict === "FAIL").map((r) => r.id);

describe.skipIf(!installed)("token-consumer security suite calibration", () => {
  beforeAll(async () => {
    for (const n of CONSUMERS) results.set(n, await runAll(n));
  }, 120_000);

  afterAll(() => {
    if (!results.size) return;
    const short = (v?: CaseResult) => (v ? v.verdict : "-");
    const rows = ATTACKS.map((a) => `${`security/${a.id}`.padEnd(52)} ${CONSUMERS.map((n) => short(results.get(n)?.get(`security/${a.id}`)).padEnd(8)).join(" ")}`);
    console.log(`${"case".padEnd(52)} ${CONSUMERS.map((n) => n.slice(0, 8).padEnd(8)).join(" ")}\n${rows.join("\n")}`);
    for (const n of CONSUMERS) for (const r of results.get(n)?.values() ?? []) if (r.verdict === "FAIL" || r.verdict === "ERROR") console.log(`${n} ${r.verdict} ${r.id}: ${r.message?.slice(0, 300)}`);
  });

  test("the strict consumer passes every case: no FAIL, no ERROR", () => {
    const bad = [...results.get("strict")!.values()].filter((r) => r.verdict === "FAIL" || r.verdict === "ERROR");
    expect(bad.map((r) => `${r.id}: ${r.verdict} ${r.message}`)).toEqual([]);
  });

  test("xml-crypto 5.1.1 FAILs the KeyInfo-certificate trust cases (CVE-2024-32962)", () => {
    expect(failing("xml-crypto-5.1.1")).toEqual(expect.arrayContaining(["security/key-trust/attacker-certificate-in-keyinfo", "security/key-trust/cloned-certificate"]));
  });

  test("xml-crypto 6.0.0 FAILs the DigestValue comment and double SignedInfo cases (CVE-2025-29775, CVE-2025-29774)", () => {
    expect(failing("xml-crypto-6.0.0")).toEqual(expect.arrayContaining(["security/signedinfo/comment-in-digestvalue", "security/signedinfo/two-signedinfo"]));
    expect(failing("xml-crypto-6.0.0")).not.toContain("security/key-trust/attacker-certificate-in-keyinfo");
  });

  test("xml-crypto 6.3.2 fails no case", () => {
    expect(failing("xml-crypto-6.3.2")).toEqual([]);
  });

  test("passport-wsfed-saml2 2.13.0 FAILs signature wrapping (CVE-2017-16897 class)", () => {
    expect(failing("passport-wsfed-saml2-2.13.0").filter((id) => id.startsWith("security/xsw/"))).not.toEqual([]);
  });

  test("no consumer ends in ERROR (every positive control is accepted)", () => {
    for (const n of CONSUMERS) {
      const errors = [...results.get(n)!.values()].filter((r) => r.verdict === "ERROR");
      expect(errors.map((r) => `${n} ${r.id}: ${r.message}`)).toEqual([]);
    }
  });
});
