// parseAssertion: the model round trips through build, and malformed assertions are ModelErrors.
import { beforeAll, describe, expect, it } from "vitest";
import { NS } from "../../protocol/namespaces.ts";
import { buildAssertion, SamlBuildError, signAssertion, unsignedAssertion } from "../../protocol/saml/build.ts";
import { parseAssertion, verifyAssertion } from "../../protocol/saml/parse.ts";
import type { AssertionSpec } from "../../protocol/saml/model.ts";
import { generateSelfSignedCertificate, type CertifiedKey } from "../../protocol/x509/certificate.ts";
import { signElementEnveloped } from "../../protocol/dsig/sign.ts";
import { trustAnchorFromCert } from "../../protocol/dsig/verify.ts";
import { parseXml } from "../../protocol/xml/safe-parse.ts";
import { ModelError, children, descendants } from "../../protocol/xml/dom.ts";
import { el, serialize } from "../../protocol/xml/writer.ts";

const NOW = Date.UTC(2026, 5, 30, 23, 59, 59, 250);

function spec(version: "1.1" | "2.0", over: Partial<AssertionSpec> = {}): AssertionSpec {
  return {
    version,
    id: "_x1",
    issuer: "https://sts.example/",
    issueInstant: NOW,
    subject: { nameId: "alice", format: "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified" },
    confirmation: { method: "bearer" },
    notBefore: NOW - 1000,
    notOnOrAfter: NOW + 3_600_000,
    audiences: ["https://rp.example/"],
    authn: { method: "urn:m", instant: NOW - 5000 },
    attributes: [{ name: "role", values: ["a", "b"], nameFormatOrNamespace: "urn:ns" }],
    ...over,
  };
}

function parsed(xml: string) {
  return parseAssertion(parseXml(xml).documentElement!);
}

function malformed(xml: string, pattern?: RegExp): void {
  expect(() => parsed(xml)).toThrow(ModelError);
  if (pattern) expect(() => parsed(xml)).toThrow(pattern);
}

describe.each(["2.0", "1.1"] as const)("SAML %s round trip", (version) => {
  it("spec → XML → model", () => {
    const s = spec(version, { confirmation: version === "2.0" ? { method: "bearer", notOnOrAfter: NOW + 60_000, recipient: "https://rp/" } : { method: "bearer" } });
    const p = parsed(unsignedAssertion(s));
    const { element, hasSignature, confirmationKeyInfo, confirmationMethodUri, confirmationImplicit, audienceRestrictions, oneTimeUse, otherConditions, ...model } = p;
    expect(model).toEqual(s);
    expect(element.localName).toBe("Assertion");
    expect(hasSignature).toBe(false);
    expect(confirmationKeyInfo).toBeUndefined();
    expect(confirmationImplicit).toBeUndefined();
    expect(audienceRestrictions).toEqual([["https://rp.example/"]]);
    expect(oneTimeUse).toBe(false);
    expect(otherConditions).toEqual([]);
    void confirmationMethodUri;
  });

  it("holder-of-key keeps the KeyInfo element and a standalone copy of its content", () => {
    const keyInfo = el("ds:X509Data", [el("ds:X509Certificate", ["AAAA"])]);
    const p = parsed(unsignedAssertion(spec(version, { confirmation: { method: "holder-of-key", keyInfo } })));
    expect(p.confirmation.method).toBe("holder-of-key");
    expect(p.confirmationKeyInfo?.localName).toBe("KeyInfo");
    if (p.confirmation.method === "holder-of-key") {
      expect(serialize(p.confirmation.keyInfo)).toBe(serialize(keyInfo));
    }
  });

  it("a signed assertion reports hasSignature and verifies", () => {
    const key = generateSelfSignedCertificate({ commonName: "k", notBeforeMs: NOW - 1e6, notAfterMs: NOW + 1e9, keyBits: 1024 });
    const xml = signAssertion(spec(version), { privateKey: key.privateKey, certDer: key.certDer });
    expect(parsed(xml).hasSignature).toBe(true);
    const r = verifyAssertion(parseXml(xml).documentElement!, [trustAnchorFromCert(key.certDer)]);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.assertion.id).toBe("_x1");
  });

  it("no audiences, no authn, no attributes where the version allows it", () => {
    if (version === "2.0") {
      const p = parsed(unsignedAssertion(spec(version, { audiences: [], authn: undefined, attributes: [] })));
      expect(p.audiences).toEqual([]);
      expect(p.authn).toBeUndefined();
      expect(p.attributes).toEqual([]);
    } else {
      expect(() => buildAssertion(spec(version, { authn: undefined, attributes: [] }))).toThrow(SamlBuildError);
      const p = parsed(unsignedAssertion(spec(version, { authn: undefined })));
      expect(p.authn).toBeUndefined();
    }
  });
});

describe("SAML 1.1 specifics", () => {
  it("splits a claim-type URI into AttributeNamespace + AttributeName when no namespace is given", () => {
    const xml = unsignedAssertion(spec("1.1", { attributes: [{ name: "http://schemas.xmlsoap.org/claims/Group", values: ["x"] }] }));
    expect(xml).toContain(`AttributeName="Group" AttributeNamespace="http://schemas.xmlsoap.org/claims"`);
    expect(parsed(xml).attributes).toEqual([{ name: "Group", values: ["x"], nameFormatOrNamespace: "http://schemas.xmlsoap.org/claims" }]);
    expect(() => buildAssertion(spec("1.1", { attributes: [{ name: "plain", values: [] }] }))).toThrow(SamlBuildError);
  });

  it("an absent SubjectConfirmation reads as implicit bearer (AD FS 1.x)", () => {
    const xml = unsignedAssertion(spec("1.1")).replace(/<saml:SubjectConfirmation>.*?<\/saml:SubjectConfirmation>/g, "");
    const p = parsed(xml);
    expect(p.confirmation).toEqual({ method: "bearer" });
    expect(p.confirmationImplicit).toBe(true);
  });

  it("statements with different Subjects are refused", () => {
    const xml = unsignedAssertion(spec("1.1"));
    const i = xml.lastIndexOf(">alice<");
    malformed(`${xml.slice(0, i)}>mallory<${xml.slice(i + 7)}`, /Subjects differ/);
  });

  it("DoNotCacheCondition is one-time use", () => {
    const xml = unsignedAssertion(spec("1.1")).replace("</saml:Conditions>", "<saml:DoNotCacheCondition></saml:DoNotCacheCondition></saml:Conditions>");
    expect(parsed(xml).oneTimeUse).toBe(true);
  });

  it("version, order and required attributes", () => {
    const xml = unsignedAssertion(spec("1.1"));
    malformed(xml.replace('MinorVersion="1"', 'MinorVersion="0"'), /not SAML 1.1/);
    malformed(xml.replace(' Issuer="https://sts.example/"', ""), /Issuer/);
    malformed(xml.replace('AuthenticationMethod="urn:m"', ""), /AuthenticationMethod/);
    malformed(xml.replace('AttributeNamespace="urn:ns"', ""), /AttributeNamespace/);
    // Signature must be last in 1.1.
    const sig = `<ds:Signature xmlns:ds="${NS.ds}"></ds:Signature>`;
    malformed(xml.replace("<saml:Conditions", `${sig}<saml:Conditions`), /last/);
    // Statement before Conditions.
    const cond = /<saml:Conditions.*?<\/saml:Conditions>/.exec(xml)![0];
    malformed(xml.replace(cond, "").replace("</saml:Assertion>", `${cond}</saml:Assertion>`), /order/);
  });
});

describe("SAML 2.0 specifics", () => {
  it("several AudienceRestrictions: audiences is their intersection", () => {
    const xml = unsignedAssertion(spec("2.0", { audiences: ["a", "b"] })).replace(
      "</saml2:Conditions>",
      "<saml2:AudienceRestriction><saml2:Audience>b</saml2:Audience><saml2:Audience>c</saml2:Audience></saml2:AudienceRestriction><saml2:OneTimeUse></saml2:OneTimeUse><saml2:ProxyRestriction></saml2:ProxyRestriction></saml2:Conditions>",
    );
    const p = parsed(xml);
    expect(p.audienceRestrictions).toEqual([["a", "b"], ["b", "c"]]);
    expect(p.audiences).toEqual(["b"]);
    expect(p.oneTimeUse).toBe(true);
    expect(p.otherConditions).toEqual([`{${NS.saml2}}ProxyRestriction`]);
  });

  it("a comment inside NameID does not truncate it (c14n drops comments, so the signed value is the whole text)", () => {
    const xml = unsignedAssertion(spec("2.0", { subject: { nameId: "admin@example.org.evil.com" } })).replace("admin@example.org", "admin@example.org<!---->");
    expect(parsed(xml).subject.nameId).toBe("admin@example.org.evil.com");
  });

  it("malformed assertions", () => {
    const xml = unsignedAssertion(spec("2.0"));
    malformed(xml.replace('Version="2.0"', 'Version="2.1"'), /Version/);
    malformed(xml.replace(' ID="_x1"', ""), /ID/);
    malformed(xml.replace('IssueInstant="2026-06-30T23:59:59.250Z"', 'IssueInstant="yesterday"'), /dateTime/);
    malformed(xml.replace('NotBefore="', 'NotBefore="2026-06-30T23:59:58"  x="'), /dateTime/); // no zone
    malformed(xml.replace(/<saml2:Issuer>.*?<\/saml2:Issuer>/, ""), /Issuer/);
    malformed(xml.replace("<saml2:Issuer>https://sts.example/</saml2:Issuer>", "<saml2:Issuer></saml2:Issuer>"), /empty/);
    malformed(xml.replace("urn:oasis:names:tc:SAML:2.0:cm:bearer", "urn:custom"), /confirmation method/);
    const sc = /<saml2:SubjectConfirmation .*?<\/saml2:SubjectConfirmation>/.exec(xml)![0];
    malformed(xml.replace(sc, sc + sc), /more than one SubjectConfirmation/);
    malformed(xml.replace(sc, ""), /no SubjectConfirmation/);
    malformed(xml.replace("<saml2:Subject>", "<saml2:Subject>junk"), /text/);
    malformed(xml.replace("<saml2:AttributeValue>a</saml2:AttributeValue>", "<saml2:AttributeValue><x>a</x></saml2:AttributeValue>"));
    malformed(xml.replace("<saml2:Subject>", `<saml2:Bogus></saml2:Bogus><saml2:Subject>`), /Bogus/);
    const cond = /<saml2:Conditions.*?<\/saml2:Conditions>/.exec(xml)![0];
    malformed(xml.replace(cond, "").replace("</saml2:Assertion>", `${cond}</saml2:Assertion>`), /order/);
    expect(() => parseAssertion(parseXml("<x/>").documentElement!)).toThrow(ModelError);
  });

  it("holder-of-key needs a KeyInfo and the right xsi:type", () => {
    const keyInfo = el("ds:KeyName", ["k"]);
    const xml = unsignedAssertion(spec("2.0", { confirmation: { method: "holder-of-key", keyInfo } }));
    expect(parsed(xml).confirmation.method).toBe("holder-of-key");
    malformed(xml.replace("saml2:KeyInfoConfirmationDataType", "saml2:SubjectConfirmationDataType"), /xsi:type/);
    malformed(xml.replace(/<ds:KeyInfo.*?<\/ds:KeyInfo>/, ""), /KeyInfo/);
    // A different prefix bound to the SAML namespace is the same type.
    const other = xml.replace('xsi:type="saml2:KeyInfoConfirmationDataType"', `xmlns:s="${NS.saml2}" xsi:type="s:KeyInfoConfirmationDataType"`);
    expect(parsed(other).confirmation.method).toBe("holder-of-key");
  });
});

describe("verifyAssertion", () => {
  let key: CertifiedKey;
  beforeAll(() => {
    key = generateSelfSignedCertificate({ commonName: "k", notBeforeMs: NOW - 1e6, notAfterMs: NOW + 1e9, keyBits: 1024 });
  });

  it("a validly signed but malformed assertion is bad-structure, not an exception", () => {
    const xml = unsignedAssertion(spec("2.0")).replace("urn:oasis:names:tc:SAML:2.0:cm:bearer", "urn:custom");
    const doc = parseXml(xml);
    const a = doc.documentElement!;
    signElementEnveloped(doc, a, "ID", { privateKey: key.privateKey, certDer: key.certDer }, undefined, children(a)[1]);
    const r = verifyAssertion(a, [trustAnchorFromCert(key.certDer)]);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.code).toBe("bad-structure");
  });

  it("refuses a non-assertion element", () => {
    const r = verifyAssertion(parseXml(`<x ID="_1"/>`).documentElement!, [trustAnchorFromCert(key.certDer)]);
    expect(r.ok).toBe(false);
  });

  it("checks the signature before reading the structure", () => {
    const xml = signAssertion(spec("2.0"), { privateKey: key.privateKey, certDer: key.certDer }).replace(">alice<", ">root<");
    const r = verifyAssertion(descendants(parseXml(xml), NS.saml2, "Assertion")[0]!, [trustAnchorFromCert(key.certDer)]);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.code).toBe("digest-mismatch");
  });
});
