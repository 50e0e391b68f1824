// The clock-skew probe and boundary cases (suites/security/skew): the probe finds the reference's window (300 s)
// within ±2 s both ways through its controlled clock, on the STS and on the token consumer; it flags targets whose
// real window is wider than they claim (a reference configured with 900 s that claims 300 s; a library consumer
// allowing 900 s that declares 300 s); the boundary cases pass against the clean reference and FAIL against those.
import { beforeAll, describe, expect, it } from "vitest";
import { FakeClock } from "../../protocol/clock.ts";
import { referenceTargetConfig, type TargetConfig } from "../../adapters/target-config.ts";
import { libraryConsumer, type LibraryConsumeOptions } from "../../adapters/library-consumer.ts";
import type { StsTarget } from "../../adapters/sts-target.ts";
import { loadOrCreateKeys, type ReferenceKeys } from "../../reference/keys.ts";
import { runCase } from "../../suites/case.ts";
import { createTarget } from "../../suites/target.ts";
import { consumerOnlyTarget } from "../../suites/security/support.ts";
import { loadVectorKey } from "../../suites/security/keys.ts";
import { parseXml } from "../../protocol/xml/safe-parse.ts";
import { verifyAssertion } from "../../protocol/saml/parse.ts";
import { trustAnchorFromCert } from "../../protocol/dsig/verify.ts";
import { pemToDer } from "../../protocol/x509/certificate.ts";
import { probeSkew } from "../../suites/security/skew/probe.ts";
import { SKEW_CASES } from "../../suites/security/skew/skew.cases.ts";
import { probeCommand } from "../../cli/probe.ts";

let keys: ReferenceKeys;
beforeAll(() => {
  keys = loadOrCreateKeys(new FakeClock(Date.now()));
});

async function reference(realSkew?: number, defects: string[] = []): Promise<StsTarget> {
  const cfg: TargetConfig = referenceTargetConfig(defects);
  if (realSkew !== undefined) cfg.target = { kind: "reference", defects, config: { clockSkewSeconds: realSkew } };
  const t = await createTarget(cfg, { referenceKeys: keys });
  // The vendor's claim stays 300 s whatever the STS really allows.
  return { ...t, clockSkewSeconds: 300 };
}

/** A consumer that really allows `real` seconds of skew but declares `claimed`. */
function consumerTarget(real: number, claimed: number): StsTarget {
  const idp = loadVectorKey("idp");
  const consume = (xml: string, o: LibraryConsumeOptions) => {
    const doc = parseXml(xml);
    const r = verifyAssertion(doc.documentElement!, [trustAnchorFromCert(pemToDer(o.certificatePem))]);
    if (!r.ok) throw new Error(r.reason);
    const now = o.now.getTime();
    if (now + real * 1000 < r.assertion.notBefore || now - real * 1000 >= r.assertion.notOnOrAfter) throw new Error("outside the window");
    if (!r.assertion.audienceRestrictions.every((a) => a.includes(o.audience))) throw new Error("audience");
    return { subject: r.assertion.subject.nameId, claims: {} };
  };
  const c = libraryConsumer(
    { consume, meta: { name: `consumer allowing ${real} s`, deliveries: ["assertion"], tokenTypes: ["saml20"], clockSkewSeconds: claimed } },
    { trust: { issuer: "https://idp.wsconform.test/", signingKey: { privateKey: idp.privateKey, certDer: idp.certDer }, audience: "urn:wsconform:rp:skew" }, clock: new FakeClock(Date.UTC(2026, 10, 21, 12, 0, 0)) },
  );
  return consumerOnlyTarget(c);
}

describe("probe skew", () => {
  it("finds the reference's 300 s window within ±2 s both ways (STS and consumer), INFO", async () => {
    const t = await reference();
    try {
      for (const face of ["sts", "consumer"] as const) {
        const w = await probeSkew(t, face);
        expect(w.verdict, face).toBe("INFO");
        for (const d of [w.past, w.future]) {
          expect(Math.abs(d.acceptedMs - 300_000), `${face} ${d.direction} ${d.acceptedMs}`).toBeLessThanOrEqual(2000);
          expect(Math.abs(d.refusedMs! - 300_000), `${face} ${d.direction} ${d.refusedMs}`).toBeLessThanOrEqual(2000);
          expect(d.probes).toBeLessThanOrEqual(24);
        }
      }
    } finally {
      await t.close();
    }
  }, 60_000);

  it("flags an STS whose real window (900 s) exceeds the claimed 300 s: FAIL, measured 900 s ± 2 s", async () => {
    const t = await reference(900);
    try {
      const w = await probeSkew(t, "sts");
      expect(w.verdict).toBe("FAIL");
      for (const d of [w.past, w.future]) expect(Math.abs(d.acceptedMs - 900_000), d.direction).toBeLessThanOrEqual(2000);
      expect(w.findings.join(" ")).toMatch(/beyond the claimed tolerance of 300 s/);
    } finally {
      await t.close();
    }
  }, 60_000);

  it("a wider window honestly claimed is a WARN (beyond five minutes), and an unlimited one is reported as the whole range", async () => {
    const honest = await probeSkew(consumerTarget(900, 900), "consumer");
    expect(honest.verdict).toBe("WARN");
    const lying = await probeSkew(consumerTarget(900, 300), "consumer");
    expect(lying.verdict).toBe("FAIL");
    const unlimited = await probeSkew(consumerTarget(10 * 86400, 300), "consumer");
    expect(unlimited.verdict).toBe("FAIL");
    expect(unlimited.past.refusedMs).toBeUndefined();
    expect(unlimited.probes.length).toBeLessThanOrEqual(3);
  }, 60_000);

  it("the CLI exits 0 against the reference and 2 on a bad option", async () => {
    const out: string[] = [];
    expect(await probeCommand(["skew", "--face", "sts"], (s) => out.push(s), (s) => out.push(s))).toBe(0);
    expect(out.join("")).toMatch(/INFO sts: claimed tolerance 300 s/);
    expect(await probeCommand(["skew", "--face", "idp"], () => {}, () => {})).toBe(2);
    expect(await probeCommand(["wobble"], () => {}, () => {})).toBe(2);
  }, 60_000);
});

describe("boundary cases", () => {
  it("pass (or INFO) against the clean reference, even in strict mode", async () => {
    for (const c of SKEW_CASES) {
      const t = await reference();
      const r = await runCase(c, t, { strict: true });
      await t.close();
      expect(["PASS", "INFO"], `${c.id}: ${r.verdict} ${r.message}`).toContain(r.verdict);
    }
  }, 120_000);

  it("the STS edges FAIL against a 900 s STS claiming 300 s and against accept-expired-timestamp", async () => {
    for (const t of [await reference(900), await reference(undefined, ["accept-expired-timestamp"])]) {
      for (const id of ["security/skew/sts-timestamp-created-future-beyond", "security/skew/sts-timestamp-expires-past-beyond"]) {
        const r = await runCase(SKEW_CASES.find((c) => c.id === id)!, t);
        expect([id, r.verdict, r.failedRequirement]).toEqual([id, "FAIL", "WSS-TS-EXPIRED"]);
      }
      const ut = await runCase(SKEW_CASES.find((c) => c.id === "security/skew/sts-ut-created-future-beyond")!, t, { strict: true });
      expect(ut.verdict).toBe("FAIL");
      await t.close();
    }
  }, 60_000);

  it("the consumer edges FAIL against a consumer allowing 900 s while claiming 300 s", async () => {
    const t = consumerTarget(900, 300);
    for (const id of ["security/skew/consumer-expired-beyond", "security/skew/consumer-not-yet-valid-beyond"]) {
      const r = await runCase(SKEW_CASES.find((c) => c.id === id)!, t);
      expect([id, r.verdict, r.failedRequirement]).toEqual([id, "FAIL", "SAML-VALIDITY"]);
    }
    const within = await runCase(SKEW_CASES.find((c) => c.id === "security/skew/consumer-expired-within")!, consumerTarget(200, 300));
    expect(within.verdict).toBe("PASS");
    expect(within.message).toMatch(/refused .* although inside the declared skew/);
  }, 60_000);
});
