// SAML 2.0 POST binding at the reference RP (SAMLResponse + RelayState to the reply URL), the reference token
// consumer's samlResponse delivery, and the SAML SP TokenConsumer: the token attacks run over SAMLResponse, and
// xsw/signed-in-extensions (samlResponse only) now runs against the reference and passes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeClock } from "../../protocol/clock.ts";
import { signAssertion, unsignedAssertion } from "../../protocol/saml/build.ts";
import type { AssertionSpec } from "../../protocol/saml/model.ts";
import { buildResponse, encodeSamlResponse } from "../../protocol/saml/response.ts";
import { referenceRelyingPartyTarget, type RelyingPartyTarget } from "../../adapters/relying-party-target.ts";
import type { HarnessRpInstance } from "../../adapters/harness-rp/server.ts";
import { relyingPartyConsumer } from "../../adapters/rp-consumer.ts";
import { samlSpConsumer } from "../../adapters/saml-sp-consumer.ts";
import type { TokenConsumer } from "../../adapters/token-consumer.ts";
import { runCase } from "../../suites/case.ts";
import { ATTACKS } from "../../suites/security/attacks.ts";
import { attackCase, consumerOnlyTarget } from "../../suites/security/support.ts";
import { attackerKey, loadVectorKey } from "../../suites/security/keys.ts";

const NOW = Date.UTC(2026, 5, 1, 10, 0, 0);
const ISSUER = "urn:wsconform:harness-idp";
const REALM = "urn:wsconform:reference-rp";
const clock = new FakeClock(NOW);
const idp = loadVectorKey("idp");
const key = { privateKey: idp.privateKey, certDer: idp.certDer };

let rpTarget: RelyingPartyTarget & { rp: HarnessRpInstance };
let reference: TokenConsumer;
let sp: TokenConsumer;

beforeAll(async () => {
  rpTarget = await referenceRelyingPartyTarget({ clock, signingKey: key, issuer: ISSUER, realm: REALM, skewSeconds: 300 });
  reference = relyingPartyConsumer(rpTarget, "reference");
  // The harness RP is also a SAML 2.0 SP: its reply URL is an ACS URL.
  sp = samlSpConsumer({ name: "harness RP as a SAML SP", acsUrl: rpTarget.replyUrl, entityId: REALM, issuer: ISSUER, signingKey: key, clock, probe: { kind: "url", url: rpTarget.rp.protectedUrl }, clockSkewSeconds: 300 });
});
afterAll(async () => {
  await rpTarget.close();
});

let seq = 0;
function spec(over: Partial<AssertionSpec> = {}): AssertionSpec {
  return {
    version: "2.0",
    id: `_sp${++seq}`,
    issuer: ISSUER,
    issueInstant: clock.now(),
    subject: { nameId: "alice@example.test" },
    confirmation: { method: "bearer", notOnOrAfter: clock.now() + 300_000, recipient: rpTarget.replyUrl },
    notBefore: clock.now() - 60_000,
    notOnOrAfter: clock.now() + 3_600_000,
    audiences: [REALM],
    attributes: [{ name: "role", values: ["user"] }],
    ...over,
  };
}

function samlResponse(assertions: string[], signed = false, signer = key): string {
  return buildResponse({ id: `_resp${++seq}`, issueInstant: clock.now(), destination: rpTarget.replyUrl, issuer: ISSUER, assertions }, signed ? { key: signer } : undefined);
}

describe("reference RP: SAMLResponse over the POST binding", () => {
  it("declares the samlResponse delivery", () => {
    expect(reference.deliveries).toEqual(["wresult", "assertion", "samlResponse"]);
  });

  it("accepts a valid SAMLResponse (assertion signed; Response signed; both) and shows the identity", async () => {
    for (const xml of [samlResponse([signAssertion(spec(), key)]), samlResponse([unsignedAssertion(spec())], true), samlResponse([signAssertion(spec(), key)], true)]) {
      const o = await reference.consume({ kind: "samlResponse", xml });
      expect(o, JSON.stringify(o)).toMatchObject({ accepted: true, subject: "alice@example.test" });
    }
  });

  it("follows a local RelayState and never an absolute one", async () => {
    const s = rpTarget.newSession();
    const x = await s.postForm({ SAMLResponse: encodeSamlResponse(samlResponse([signAssertion(spec(), key)])), RelayState: "/rp/protected" });
    expect(x.status).toBe(302);
    expect(x.location).toBe(rpTarget.rp.protectedUrl);
    const s2 = rpTarget.newSession();
    const y = await s2.postForm({ SAMLResponse: encodeSamlResponse(samlResponse([signAssertion(spec(), key)])), RelayState: "https://evil.example/" });
    expect(y.status).toBe(200);
    expect(await s2.signedIn()).toBe(true);
  });

  it("rejects forged SAMLResponses", async () => {
    const attacker = attackerKey();
    const forged: [string, string][] = [
      ["unsigned everything", samlResponse([unsignedAssertion(spec())])],
      ["Response signed by the attacker", samlResponse([unsignedAssertion(spec())], true, { privateKey: attacker.privateKey, certDer: attacker.certDer })],
      ["forged assertion beside a signed one", samlResponse([signAssertion(spec(), key), unsignedAssertion(spec({ subject: { nameId: "admin@example.test" } }))])],
      ["Response altered after signing", samlResponse([unsignedAssertion(spec())], true).replace("alice@example.test", "admin@example.test")],
      [
        "wrong Destination",
        buildResponse({ id: "_wd1", issueInstant: clock.now(), destination: "https://evil.example/acs", assertions: [signAssertion(spec(), key)] }),
      ],
    ];
    for (const [name, xml] of forged) {
      const o = await reference.consume({ kind: "samlResponse", xml });
      expect(o.accepted, `${name}: ${JSON.stringify(o)}`).toBe(false);
    }
    const s = rpTarget.newSession();
    const bad = await s.postForm({ SAMLResponse: "%%%not base64" });
    expect(bad.status).toBe(400);
    expect(await s.signedIn()).toBe(false);
  });

  it("shares the replay cache between wresult and SAMLResponse", async () => {
    const a = signAssertion(spec(), key);
    expect((await reference.consume({ kind: "assertion", xml: a })).accepted).toBe(true);
    const again = await reference.consume({ kind: "samlResponse", xml: samlResponse([a]) });
    expect(again.accepted).toBe(false);
    if (!again.accepted) expect(again.reason).toMatch(/replay/);
  });
});

describe("security suite over SAMLResponse", () => {
  it("xsw/signed-in-extensions runs against the reference consumer (no longer SKIP) and passes", async () => {
    const a = ATTACKS.find((x) => x.id === "xsw/signed-in-extensions")!;
    const r = await runCase(attackCase(a), consumerOnlyTarget({ ...reference, close: async () => {} }));
    expect(r.verdict, r.message).toBe("PASS");
    expect(r.exchanges.every((x) => x.path.startsWith("token-consumer samlResponse"))).toBe(true);
  });

  it("every token attack against the SAML SP consumer (harness RP's ACS): no FAIL or ERROR", async () => {
    const target = consumerOnlyTarget({ ...sp, close: async () => {} });
    const verdicts: Record<string, string> = {};
    for (const a of ATTACKS) {
      const r = await runCase(attackCase(a), target);
      verdicts[a.id] = r.verdict;
      expect(["PASS", "SKIP", "INFO", "WARN"], `${a.id}: ${r.verdict} ${r.message ?? ""}`).toContain(r.verdict);
      if (r.verdict !== "SKIP") expect(r.exchanges.every((x) => x.path.startsWith("token-consumer samlResponse")), a.id).toBe(true);
    }
    expect(verdicts["xsw/signed-in-extensions"]).toBe("PASS");
    expect(Object.values(verdicts).filter((v) => v !== "SKIP").length).toBeGreaterThan(30);
  });

  it("the SAML SP consumer wraps a bare assertion in a Response", async () => {
    const o = await sp.consume({ kind: "assertion", xml: signAssertion(spec(), key) });
    expect(o, JSON.stringify(o)).toMatchObject({ accepted: true, subject: "alice@example.test" });
  });
});

describe("samlSp config section", () => {
  it("validates field by field and names the fix", async () => {
    const { validateTargetConfig, TargetConfigError } = await import("../../adapters/target-config.ts");
    const base = { target: { kind: "http", baseUrl: "https://sp.example" }, credentials: {}, trustAnchors: [] };
    const ok = validateTargetConfig({
      ...base,
      samlSp: { acsUrl: "https://sp.example/acs", entityId: "https://sp.example/", issuer: "urn:idp", signingKey: { cert: "c.pem", key: "k.pem" }, probe: { url: "https://sp.example/me" } },
    });
    expect(ok.samlSp?.acsUrl).toBe("https://sp.example/acs");
    let err: unknown;
    try {
      validateTargetConfig({ ...base, samlSp: { acsUrl: "ftp://x", entityId: "", issuer: "urn:idp", signingKey: {}, probe: {}, extra: 1 } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TargetConfigError);
    const msg = (err as Error).message;
    for (const f of ["samlSp.acsUrl", "samlSp.entityId", "samlSp.signingKey", "samlSp.probe", "samlSp.extra"]) expect(msg).toContain(f);
  });
});
