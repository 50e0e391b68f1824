// The whole suite against the reference over real HTTP (the reference served on loopback, described by a
// wsconform.config.json as a vendor would describe their STS): nothing FAILs or ERRORs, and the cases that need
// what only an in-process target offers (a controllable clock, the relying party's private key) SKIP with a reason.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemClock } from "../../protocol/clock.ts";
import { validateTargetConfig } from "../../adapters/target-config.ts";
import { loadOrCreateKeys, type ReferenceKeys } from "../../reference/keys.ts";
import { serve, type RunningServer } from "../../reference/http.ts";
import { ReferenceSts } from "../../reference/sts.ts";
import { loadAllCases } from "../../suites/all-cases.ts";
import { runCase, type CaseResult } from "../../suites/case.ts";
import { createTarget, loadTargetConfigFile } from "../../suites/target.ts";

let running: RunningServer;
let keys: ReferenceKeys;
const dir = mkdtempSync(join(tmpdir(), "wsconform-http-target-"));

beforeAll(async () => {
  keys = loadOrCreateKeys(systemClock);
  running = await serve(new ReferenceSts({ clock: systemClock, keys }), { port: 0 });
  writeFileSync(join(dir, "signing-primary.pem"), keys.signing.primary.certPem);
  writeFileSync(join(dir, "signing-secondary.pem"), keys.signing.secondary.certPem);
  writeFileSync(join(dir, "client.cert.pem"), keys.demoClient.certPem);
  writeFileSync(join(dir, "client.key.pem"), keys.demoClient.keyPem);
  const config = {
    target: {
      kind: "http",
      name: "reference over HTTP",
      baseUrl: running.url,
      endpoints: {
        "1.3": { username: "/adfs/services/trust/13/usernamemixed", certificate: "/adfs/services/trust/13/certificatemixed" },
        "2005": { username: "/adfs/services/trust/2005/usernamemixed", certificate: "/adfs/services/trust/2005/certificatemixed" },
      },
      timeoutMs: 10000,
    },
    credentials: { username: "alice", password: "ecila", otherUser: { username: "bob", password: "bob" }, clientCertificate: { cert: "client.cert.pem", key: "client.key.pem" } },
    trustAnchors: ["signing-primary.pem", "signing-secondary.pem"],
    issuerName: "http://wsconform.test/adfs/services/trust",
    appliesTo: { registered: "urn:wsconform:rp:saml20", unregistered: "urn:wsconform:rp:not-registered", pinnedSaml11: "urn:wsconform:rp:saml11", noEncryption: "urn:wsconform:rp:no-encryption" },
    clockSkewSeconds: 300,
  };
  validateTargetConfig(config);
  writeFileSync(join(dir, "wsconform.config.json"), JSON.stringify(config, null, 2));
});

afterAll(async () => {
  await running.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("the suites against the reference over HTTP", () => {
  it("no FAIL or ERROR; only cases needing in-process powers SKIP", async () => {
    const { config, baseDir } = loadTargetConfigFile(join(dir, "wsconform.config.json"));
    const target = await createTarget(config, { baseDir });
    const results: CaseResult[] = [];
    try {
      // The WS-Trust face only: this config declares no passive IdP, relying party or token consumer.
      const otherFaces = new Set(["passiveIdp", "passiveSignOut", "federationMetadata", "relyingParty", "tokenConsumer"]);
      for (const c of await loadAllCases()) {
        if (c.definition.needs?.some((n) => otherFaces.has(n.kind))) continue;
        results.push(await runCase(c.definition, target));
      }
    } finally {
      await target.close();
    }
    const bad = results.filter((r) => r.verdict === "FAIL" || r.verdict === "ERROR").map((r) => `${r.id}: ${r.verdict} ${r.message}`);
    expect(bad).toEqual([]);
    const skipped = results.filter((r) => r.verdict === "SKIP");
    for (const s of skipped) expect(s.message, s.id).toMatch(/clock the harness controls|relying party's decryption key/);
    const passed = results.filter((r) => r.verdict === "PASS").length;
    console.log(`over HTTP: ${passed} PASS, ${skipped.length} SKIP of ${results.length}`);
    expect(passed).toBeGreaterThan(results.length * 0.8);
  }, 300_000);
});
