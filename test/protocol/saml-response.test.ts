// SAML 2.0 Responses (POST binding): build and consume. Either the assertion or the Response must be signed; the
// processed assertion is always the single one in the document, inside whatever the verified signature covers.
import { describe, expect, it } from "vitest";
import { FakeClock } from "../../protocol/clock.ts";
import { trustAnchorFromCert } from "../../protocol/dsig/verify.ts";
import { NS } from "../../protocol/namespaces.ts";
import { signAssertion, unsignedAssertion } from "../../protocol/saml/build.ts";
import type { AssertionSpec } from "../../protocol/saml/model.ts";
import { SamlResponseConsumer, buildResponse, checkResponse, decodeSamlResponse, encodeSamlResponse, type ResponseConsumeResult, type ResponseSpec } from "../../protocol/saml/response.ts";
import { descendants } from "../../protocol/xml/dom.ts";
import { parseXml } from "../../protocol/xml/safe-parse.ts";
import { serializeNode } from "../../suites/security/dsig-craft.ts";
import { attackerKey, loadVectorKey } from "../../suites/security/keys.ts";

const idp = loadVectorKey("idp");
const attacker = attackerKey();
const NOW = Date.UTC(2026, 3, 1, 9, 0, 0);
const ISSUER = "urn:wsconform:harness-idp";
const SP = "urn:wsconform:sp";
const ACS = "https://127.0.0.1:9/acs";
const anchors = [trustAnchorFromCert(idp.certDer, ISSUER)];

let seq = 0;
function spec(over: Partial<AssertionSpec> = {}): AssertionSpec {
  return {
    version: "2.0",
    id: `_a${++seq}`,
    issuer: ISSUER,
    issueInstant: NOW,
    subject: { nameId: "alice@example.test" },
    confirmation: { method: "bearer", notOnOrAfter: NOW + 300_000, recipient: ACS },
    notBefore: NOW - 60_000,
    notOnOrAfter: NOW + 3_600_000,
    audiences: [SP],
    attributes: [{ name: "role", values: ["user"] }],
    ...over,
  };
}

function response(assertions: string[], over: Partial<ResponseSpec> = {}, sign = false, key = idp): string {
  return buildResponse({ id: `_r${++seq}`, issueInstant: NOW, destination: ACS, issuer: ISSUER, assertions, ...over }, sign ? { key } : undefined);
}

function consumer(): SamlResponseConsumer {
  return new SamlResponseConsumer({ anchors, issuers: [ISSUER], audience: SP, recipients: [ACS], clock: new FakeClock(NOW), skewSeconds: 300 });
}

function refused(r: ResponseConsumeResult, code: string): void {
  expect(r.ok, JSON.stringify(r)).toBe(false);
  if (!r.ok) expect(r.code).toBe(code);
}

describe("SAML Response: build", () => {
  it("writes ID, Version, IssueInstant, Destination, InResponseTo, Issuer and Success, and round-trips base64", () => {
    const xml = response([signAssertion(spec(), idp)], { inResponseTo: "_req1" }, true);
    const r = parseXml(xml).documentElement!;
    expect(r.localName).toBe("Response");
    expect(r.getAttribute("Version")).toBe("2.0");
    expect(r.getAttribute("Destination")).toBe(ACS);
    expect(r.getAttribute("InResponseTo")).toBe("_req1");
    expect(r.getAttribute("IssueInstant")).toBe("2026-04-01T09:00:00Z");
    // Schema order: Issuer, Signature, Status, Assertion.
    const names = [];
    for (let c = r.firstChild; c; c = c.nextSibling) if (c.nodeType === 1) names.push((c as Element).localName);
    expect(names).toEqual(["Issuer", "Signature", "Status", "Assertion"]);
    expect(decodeSamlResponse(encodeSamlResponse(xml))).toBe(xml);
    expect(decodeSamlResponse("not*base64")).toBeUndefined();
  });
});

describe("SAML Response: consume", () => {
  it("accepts an unsigned Response around a signed assertion", () => {
    const r = consumer().consume(response([signAssertion(spec(), idp)]));
    expect(r.ok, JSON.stringify(r)).toBe(true);
    if (r.ok) expect([r.subject, r.responseSigned]).toEqual(["alice@example.test", false]);
  });

  it("accepts a signed Response around an unsigned assertion (the Response signature covers it)", () => {
    const r = consumer().consume(response([unsignedAssertion(spec())], {}, true));
    expect(r.ok, JSON.stringify(r)).toBe(true);
    if (r.ok) expect([r.subject, r.responseSigned]).toEqual(["alice@example.test", true]);
  });

  it("accepts both signed, and still verifies the assertion's own signature then", () => {
    const c = consumer();
    const ok = c.consume(response([signAssertion(spec(), idp)], {}, true));
    expect(ok.ok, JSON.stringify(ok)).toBe(true);
    // Assertion signed by the attacker inside a Response signed by the IdP: the assertion's signature still counts.
    refused(c.consume(response([signAssertion(spec(), attacker)], {}, true)), "untrusted-key");
  });

  it("refuses an unsigned Response around an unsigned assertion", () => {
    refused(consumer().consume(response([unsignedAssertion(spec())])), "unsigned");
  });

  it("refuses a Response signed by an untrusted key, or altered after signing", () => {
    refused(consumer().consume(response([unsignedAssertion(spec())], {}, true, attacker)), "bad-response-signature");
    const xml = response([unsignedAssertion(spec())], {}, true).replace("alice@example.test", "admin@example.test");
    refused(consumer().consume(xml), "bad-response-signature");
  });

  it("refuses two assertions (signed one plus a forged one), in either order", () => {
    const good = signAssertion(spec(), idp);
    const evil = unsignedAssertion(spec({ subject: { nameId: "admin@example.test" } }));
    refused(consumer().consume(response([good, evil])), "signature-wrapping");
    refused(consumer().consume(response([evil, good])), "signature-wrapping");
  });

  it("refuses a signed assertion hidden in Extensions beside a forged one", () => {
    const xml = response([unsignedAssertion(spec({ subject: { nameId: "admin@example.test" } }))]).replace(
      "<samlp:Status>",
      `<samlp:Extensions>${signAssertion(spec(), idp)}</samlp:Extensions><samlp:Status>`,
    );
    refused(consumer().consume(xml), "signature-wrapping");
  });

  it("refuses a wrong Destination, and a signed Response without one", () => {
    refused(consumer().consume(response([signAssertion(spec(), idp)], { destination: "https://evil.example/acs" })), "wrong-destination");
    refused(consumer().consume(response([unsignedAssertion(spec())], { destination: undefined }, true)), "no-destination");
    const ok = consumer().consume(response([signAssertion(spec(), idp)], { destination: undefined }));
    expect(ok.ok, JSON.stringify(ok)).toBe(true);
  });

  it("refuses a non-Success status", () => {
    refused(consumer().consume(response([signAssertion(spec(), idp)], { status: "urn:oasis:names:tc:SAML:2.0:status:Requester" })), "status-not-success");
  });

  it("refuses a Response Issuer that differs from the assertion's", () => {
    refused(consumer().consume(response([signAssertion(spec(), idp)], { issuer: "urn:other" })), "wrong-issuer");
  });

  it("refuses a Response signature that covers a different element (signed Response wrapped in a forged one)", () => {
    // The genuine signed Response (unsigned assertion inside) moved into the Extensions of a forged Response
    // whose own assertion is forged; the signature is lifted to the outer Response but still references the inner.
    const genuine = parseXml(response([unsignedAssertion(spec())], {}, true));
    const inner = genuine.documentElement!;
    const sig = descendants(genuine, NS.ds, "Signature")[0]!;
    inner.removeChild(sig);
    const forged = parseXml(response([unsignedAssertion(spec({ subject: { nameId: "admin@example.test" } }))]));
    const outer = forged.documentElement!;
    const status = descendants(forged, "urn:oasis:names:tc:SAML:2.0:protocol", "Status")[0]!;
    const ext = forged.createElementNS("urn:oasis:names:tc:SAML:2.0:protocol", "samlp:Extensions");
    ext.appendChild(forged.importNode(inner, true));
    outer.insertBefore(ext, status);
    outer.insertBefore(forged.importNode(sig, true), ext);
    const r = consumer().consume(serializeNode(forged));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(["signature-wrapping", "bad-response-signature"]).toContain(r.code);
    // With a lone assertion (the inner one's removed) the lifted signature still names another element's ID.
    const x = checkResponse(serializeNode(forged).replace(/<samlp:Extensions>.*<\/samlp:Extensions>/s, ""), { anchors, destinations: [ACS] });
    expect(x.ok).toBe(false);
    if (!x.ok) expect(x.code).toBe("signature-wrapping");
  });

  it("refuses EncryptedAssertion clearly", () => {
    const xml = response([`<saml2:EncryptedAssertion xmlns:saml2="${NS.saml2}"><xenc:EncryptedData xmlns:xenc="${NS.xenc}"/></saml2:EncryptedAssertion>`]);
    const r = consumer().consume(xml);
    refused(r, "encrypted-assertion");
    if (!r.ok) expect(r.reason).toMatch(/EncryptedAssertion is not supported/);
  });

  it("refuses no assertion, a non-Response document, a DTD, and a replayed assertion", () => {
    refused(consumer().consume(response([])), "no-assertion");
    refused(consumer().consume(signAssertion(spec(), idp)), "not-a-response");
    refused(consumer().consume(`<!DOCTYPE x [<!ENTITY a "b">]>${response([signAssertion(spec(), idp)])}`), "malformed");
    const c = consumer();
    const a = signAssertion(spec(), idp);
    expect(c.consume(response([a])).ok).toBe(true);
    refused(c.consume(response([a], {}, true)), "replay");
  });

  it("keeps a recipients getter live (the reply URL is known only after listen)", () => {
    let acs = "";
    const c = new SamlResponseConsumer({
      anchors,
      issuers: [ISSUER],
      audience: SP,
      get recipients() {
        return [acs];
      },
      clock: new FakeClock(NOW),
    });
    acs = ACS;
    const r = c.consume(response([unsignedAssertion(spec())], {}, true));
    expect(r.ok, JSON.stringify(r)).toBe(true);
  });
});
