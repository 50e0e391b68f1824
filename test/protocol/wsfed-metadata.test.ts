// Federation metadata (protocol/wsfed/metadata.ts): a built and signed document reads back and passes the checker
// (and xmlsec1); each rule F35–F47 is flagged on a document that breaks it, including the Fediz-style faults of
// digest §5.7 (RoleDescriptor and auth:ClaimType in the wrong namespace, ClaimTypesOffered after the endpoints).
import { describe, expect, it } from "vitest";
import { trustAnchorFromCert } from "../../protocol/dsig/verify.ts";
import { DSIG, NS, TOKEN_TYPES } from "../../protocol/namespaces.ts";
import {
  checkFederationMetadata,
  parseFederationMetadata,
  serializeFederationMetadata,
  type FederationMetadataSpec,
  type MetadataCheck,
} from "../../protocol/wsfed/metadata.ts";
import { generateSelfSignedCertificate } from "../../protocol/x509/certificate.ts";
import { hasXmlsec1, xmlsecVerify } from "./xmlsec.ts";

const NOW = Date.UTC(2026, 10, 21);
const cert = (cn: string) => generateSelfSignedCertificate({ commonName: cn, notBeforeMs: NOW - 86400_000, notAfterMs: NOW + 86400_000 * 365 });
const primary = cert("md primary");
const secondary = cert("md secondary");
const other = cert("md other");

function spec(over: Partial<FederationMetadataSpec> = {}): FederationMetadataSpec {
  return {
    id: "_md1",
    entityId: "http://idp.example/adfs/services/trust",
    securityTokenServices: [
      {
        signingCertificates: [primary.certDer, secondary.certDer],
        tokenTypes: [TOKEN_TYPES.saml20, TOKEN_TYPES.saml11],
        claimTypesOffered: [{ uri: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name", displayName: "Name & <more>", optional: true }],
        securityTokenServiceEndpoints: ["https://idp.example/adfs/services/trust/13/usernamemixed"],
        passiveRequestorEndpoints: ["https://idp.example/adfs/ls/"],
      },
    ],
    applications: [{ applicationServiceEndpoints: ["https://idp.example/adfs/ls/"], passiveRequestorEndpoints: ["https://idp.example/adfs/ls/"], targetScopes: ["http://idp.example/adfs/services/trust"] }],
    ...over,
  };
}

const signed = (s = spec()) => serializeFederationMetadata(s, { key: primary });
const ids = (c: MetadataCheck) => [...new Set(c.problems.map((p) => p.requirement))].sort();

describe("build, parse and check", () => {
  it("a signed document reads back and has no problem; the signature verifies with the anchors and with its own keys", () => {
    const xml = signed();
    const c = checkFederationMetadata(xml, { anchors: [trustAnchorFromCert(primary.certDer)], url: "https://idp.example/FederationMetadata/2007-06/FederationMetadata.xml" });
    expect(c.problems).toEqual([]);
    expect(c.signature).toBe("valid");
    expect(c.verifiedWith).toBe("trust-anchors");
    const self = checkFederationMetadata(xml);
    expect(self.problems).toEqual([]);
    expect(self.verifiedWith).toBe("own-signing-certificates");

    const md = parseFederationMetadata(xml);
    expect(md.entityId).toBe("http://idp.example/adfs/services/trust");
    expect(md.id).toBe("_md1");
    expect(md.signed).toBe(true);
    const sts = md.securityTokenServices[0]!;
    expect(sts.signingCertificates.map((b) => b.equals(primary.certDer) || b.equals(secondary.certDer))).toEqual([true, true]);
    expect(sts.passiveRequestorEndpoints).toEqual(["https://idp.example/adfs/ls/"]);
    expect(sts.securityTokenServiceEndpoints).toEqual(["https://idp.example/adfs/services/trust/13/usernamemixed"]);
    expect(sts.tokenTypes).toEqual([TOKEN_TYPES.saml20, TOKEN_TYPES.saml11]);
    expect(sts.claimTypesOffered).toEqual(["http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name"]);
    expect(sts.protocolSupportEnumeration).toContain(NS.fed);
    expect(md.applications[0]!.applicationServiceEndpoints).toEqual(["https://idp.example/adfs/ls/"]);
  });

  it("the signature is the root's first child, rsa-sha256 over exc-c14n with one Reference to #ID; fed is declared where xsi:type needs it", () => {
    const xml = signed();
    expect(xml).toMatch(/^<\?xml version="1\.0" encoding="utf-8"\?><md:EntityDescriptor xmlns:fed="[^"]+" xmlns:md=[^>]*><ds:Signature/);
    expect(xml).toContain(`<ds:SignatureMethod Algorithm="${DSIG.rsaSha256}">`);
    expect(xml).toContain('<ds:Reference URI="#_md1">');
    // Schema order inside the STS role: KeyDescriptors, TokenTypesOffered, ClaimTypesOffered, endpoints.
    const sts = xml.slice(xml.indexOf('xsi:type="fed:SecurityTokenServiceType"'));
    const order = ["md:KeyDescriptor", "fed:TokenTypesOffered", "fed:ClaimTypesOffered", "fed:SecurityTokenServiceEndpoint", "fed:PassiveRequestorEndpoint"].map((n) => sts.indexOf(`<${n}`));
    expect(order.every((v, i) => v > 0 && (i === 0 || v > order[i - 1]!))).toBe(true);
  });

  it.skipIf(!hasXmlsec1)("xmlsec1 verifies the signature independently", () => {
    const r = xmlsecVerify(signed(), primary.certPem, ["ID", "urn:oasis:names:tc:SAML:2.0:metadata:EntityDescriptor"]);
    expect(r.ok, r.output).toBe(true);
  });

  it("F45: tampering, a foreign key, a wrong Reference or extra transforms are flagged", () => {
    const xml = signed();
    const tampered = xml.replace("https://idp.example/adfs/ls/", "https://evil.example/adfs/ls/");
    const t = checkFederationMetadata(tampered, { anchors: [trustAnchorFromCert(primary.certDer)] });
    expect(t.signature).toBe("invalid");
    expect(t.problems.find((p) => p.requirement === "F45")?.message).toMatch(/digest-mismatch/);
    expect(checkFederationMetadata(xml, { anchors: [trustAnchorFromCert(other.certDer)] }).signature).toBe("invalid");
    // Signed by a key the document does not publish: self-verification fails too.
    const foreign = serializeFederationMetadata(spec(), { key: other });
    expect(ids(checkFederationMetadata(foreign))).toEqual(["F45"]);
    const wrongRef = xml.replace('URI="#_md1"', 'URI="#_other"');
    expect(checkFederationMetadata(wrongRef).problems.map((p) => p.message).join("\n")).toMatch(/not #_md1/);
    const extra = xml.replace(`<ds:Transform Algorithm="${DSIG.excC14n}"></ds:Transform>`, `<ds:Transform Algorithm="${DSIG.excC14n}"></ds:Transform><ds:Transform Algorithm="${DSIG.excC14n}"></ds:Transform>`);
    expect(checkFederationMetadata(extra).problems.map((p) => p.message).join("\n")).toMatch(/enveloped-signature then exc-c14n/);
    const sha1 = serializeFederationMetadata(spec(), { key: primary, options: { signatureAlgorithm: DSIG.rsaSha1, digestAlgorithm: DSIG.sha1 } });
    // SHA-1 is a weakness (F46 warning), not a broken shape: the signature still verifies.
    const weak = checkFederationMetadata(sha1);
    expect(weak.signature).toBe("valid");
    expect(weak.problems.filter((p) => p.requirement === "F45")).toEqual([]);
    expect(weak.problems.find((p) => p.requirement === "F46")?.message).toMatch(/SHA-1/);
  });

  it("F46: an unsigned document is a warning, unless fetched over https; F47: the path is checked when the URL is known", () => {
    const unsigned = serializeFederationMetadata(spec());
    const c = checkFederationMetadata(unsigned, { url: "http://idp.example/metadata.xml" });
    expect(c.signature).toBe("absent");
    expect(c.problems.map((p) => [p.requirement, p.severity])).toEqual([
      ["F47", "warning"],
      ["F46", "warning"],
    ]);
    expect(checkFederationMetadata(unsigned, { url: "https://idp.example/adfs/ls/federationmetadata/2007-06/federationmetadata.xml" }).problems).toEqual([]);
  });
});

const FED = NS.fed;
const CERT_B64 = primary.certDer.toString("base64");
const kd = `<md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="${NS.ds}"><ds:X509Data><ds:X509Certificate>${CERT_B64}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`;
const epr = (a: string) => `<wsa:EndpointReference xmlns:wsa="${NS.wsa}"><wsa:Address>${a}</wsa:Address></wsa:EndpointReference>`;
const doc = (roles: string, root = `<md:EntityDescriptor xmlns:md="${NS.md}" xmlns:xsi="${NS.xsi}" xmlns:fed="${FED}" xmlns:auth="${NS.auth}" ID="_x" entityID="urn:idp">`) =>
  `${root}${roles}</md:EntityDescriptor>`;
const stsRole = (inner: string, attrs = `xsi:type="fed:SecurityTokenServiceType" protocolSupportEnumeration="${FED}"`) => `<md:RoleDescriptor ${attrs}>${inner}</md:RoleDescriptor>`;
const goodInner = `${kd}<fed:ClaimTypesOffered><auth:ClaimType Uri="urn:c"/></fed:ClaimTypesOffered><fed:SecurityTokenServiceEndpoint>${epr("https://i/sts")}</fed:SecurityTokenServiceEndpoint><fed:PassiveRequestorEndpoint>${epr("https://i/ls/")}</fed:PassiveRequestorEndpoint>`;

describe("each rule flagged", () => {
  it("a hand-written good document has only the unsigned warning", () => {
    expect(checkFederationMetadata(doc(stsRole(goodInner))).problems.map((p) => p.requirement)).toEqual(["F46"]);
  });

  it("the Fediz-style document (digest §5.7): RoleDescriptor and auth:ClaimType in the fed namespace, ClaimTypesOffered after the endpoints", () => {
    const fediz =
      `<md:EntityDescriptor xmlns:md="${NS.md}" ID="_fediz" entityID="https://localhost:9443/fediz-idp/federation">` +
      `<md:RoleDescriptor xmlns:md="${FED}" xmlns:auth="${FED}" xmlns:fed="${FED}" xmlns:xsi="${NS.xsi}" xsi:type="fed:SecurityTokenServiceType" protocolSupportEnumeration="${FED}">` +
      kd.replaceAll("md:", "md2:").replace("<md2:KeyDescriptor", `<md2:KeyDescriptor xmlns:md2="${NS.md}"`) +
      `<fed:SecurityTokenServiceEndpoint>${epr("https://localhost:9443/fediz-idp-sts/REALMA/STSServiceTransport")}</fed:SecurityTokenServiceEndpoint>` +
      `<fed:PassiveRequestorEndpoint>${epr("https://localhost:9443/fediz-idp/federation")}</fed:PassiveRequestorEndpoint>` +
      `<fed:ClaimTypesOffered><auth:ClaimType Uri="http://schemas.xmlsoap.org/ws/2005/05/identity/claims/role" Optional="true"/></fed:ClaimTypesOffered>` +
      `</md:RoleDescriptor></md:EntityDescriptor>`;
    const c = checkFederationMetadata(fediz);
    const msgs = c.problems.map((p) => `${p.requirement} ${p.message}`);
    expect(msgs.some((m) => m.startsWith("F37") && /RoleDescriptor #1 is in namespace http:\/\/docs.oasis-open.org\/wsfed\/federation\/200706/.test(m)), msgs.join("\n")).toBe(true);
    expect(msgs.some((m) => m.startsWith("F42") && /ClaimType in http:\/\/docs.oasis-open.org\/wsfed\/federation\/200706/.test(m))).toBe(true);
    expect(msgs.some((m) => m.startsWith("F39") && /fed:ClaimTypesOffered comes after fed:PassiveRequestorEndpoint/.test(m))).toBe(true);
    expect(msgs.some((m) => m.startsWith("F37") && /no md:RoleDescriptor with a WS-Federation xsi:type/.test(m))).toBe(true);
    // A reader following the schema finds no STS role in it.
    expect(parseFederationMetadata(fediz).securityTokenServices).toEqual([]);
  });

  it("the same order fault in the md namespace is F39 alone; ClaimTypesOffered in md is F42/F39", () => {
    const late = `${kd}<fed:SecurityTokenServiceEndpoint>${epr("https://i/sts")}</fed:SecurityTokenServiceEndpoint><fed:ClaimTypesOffered><auth:ClaimType Uri="urn:c"/></fed:ClaimTypesOffered>`;
    expect(ids(checkFederationMetadata(doc(stsRole(late))))).toEqual(["F39", "F44", "F46"]);
    const twice = `${kd}<fed:TokenTypesOffered><fed:TokenType Uri="urn:t"/></fed:TokenTypesOffered><fed:TokenTypesOffered><fed:TokenType Uri="urn:t"/></fed:TokenTypesOffered>${goodInner.slice(kd.length)}`;
    expect(checkFederationMetadata(doc(stsRole(twice))).problems.map((p) => p.message).join("\n")).toMatch(/occurs more than once/);
  });

  it("F35 wrong root, F36 the old fed:FederationMetadata root", () => {
    expect(ids(checkFederationMetadata(`<md:EntityDescriptorX xmlns:md="${NS.md}"/>`))).toEqual(["F35", "F46"]);
    expect(ids(checkFederationMetadata("not xml"))).toEqual(["F35"]);
    const old = `<fed:FederationMetadata xmlns:fed="${FED}">${doc(stsRole(goodInner))}</fed:FederationMetadata>`;
    expect(ids(checkFederationMetadata(old))).toEqual(["F36", "F46"]);
    expect(ids(checkFederationMetadata(doc("", `<md:EntityDescriptor xmlns:md="${NS.md}" ID="_x">`)))).toEqual(["F35", "F37", "F46"]);
  });

  it("F37: xsi:type missing, prefix not in scope, outside the fed namespace, or not a fed role type", () => {
    const root = `<md:EntityDescriptor xmlns:md="${NS.md}" xmlns:xsi="${NS.xsi}" ID="_x" entityID="urn:idp">`;
    const noFed = doc(stsRole(goodInner.replaceAll("fed:", "f:").replaceAll("auth:", "a:").replace("<f:ClaimTypesOffered>", `<f:ClaimTypesOffered xmlns:f="${FED}" xmlns:a="${NS.auth}">`).replace(/<f:(SecurityTokenServiceEndpoint|PassiveRequestorEndpoint)>/g, `<f:$1 xmlns:f="${FED}">`)), root);
    expect(checkFederationMetadata(noFed).problems.map((p) => p.message).join("\n")).toMatch(/prefix of xsi:type="fed:SecurityTokenServiceType" is not declared in scope/);
    expect(checkFederationMetadata(doc(stsRole(goodInner, `protocolSupportEnumeration="${FED}"`))).problems.map((p) => p.message).join("\n")).toMatch(/has no xsi:type/);
    expect(checkFederationMetadata(doc(stsRole(goodInner, `xsi:type="md:SecurityTokenServiceType" protocolSupportEnumeration="${FED}"`))).problems.map((p) => p.message).join("\n")).toMatch(/not a type in/);
    expect(checkFederationMetadata(doc(stsRole(goodInner, `xsi:type="fed:NoSuchType" protocolSupportEnumeration="${FED}"`))).problems.map((p) => p.message).join("\n")).toMatch(/not a WS-Federation role type/);
  });

  it("F38 protocolSupportEnumeration, F40 STS endpoints, F41 application endpoints, F42 ClaimType Uri, F43 signing key, F44 passive endpoint", () => {
    expect(ids(checkFederationMetadata(doc(stsRole(goodInner, `xsi:type="fed:SecurityTokenServiceType"`))))).toEqual(["F38", "F46"]);
    const noSts = goodInner.replace(/<fed:SecurityTokenServiceEndpoint>.*?<\/fed:SecurityTokenServiceEndpoint>/, "");
    expect(ids(checkFederationMetadata(doc(stsRole(noSts))))).toEqual(["F40", "F46"]);
    const emptyEp = goodInner.replace(epr("https://i/sts"), "");
    expect(ids(checkFederationMetadata(doc(stsRole(emptyEp))))).toEqual(["F40", "F46"]);
    const app = `<md:RoleDescriptor xsi:type="fed:ApplicationServiceType" protocolSupportEnumeration="${FED}"><fed:PassiveRequestorEndpoint>${epr("https://i/ls/")}</fed:PassiveRequestorEndpoint></md:RoleDescriptor>`;
    expect(ids(checkFederationMetadata(doc(stsRole(goodInner) + app)))).toEqual(["F41", "F46"]);
    expect(ids(checkFederationMetadata(doc(stsRole(goodInner.replace('<auth:ClaimType Uri="urn:c"/>', "<auth:ClaimType/>")))))).toEqual(["F42", "F46"]);
    expect(ids(checkFederationMetadata(doc(stsRole(goodInner.replace('<auth:ClaimType Uri="urn:c"/>', "")))))).toEqual(["F42", "F46"]);
    expect(ids(checkFederationMetadata(doc(stsRole(goodInner.replace('use="signing"', 'use="encryption"')))))).toEqual(["F43", "F46"]);
    expect(ids(checkFederationMetadata(doc(stsRole(goodInner.replace('use="signing"', 'use="both"')))))).toEqual(["F43", "F46"]);
    expect(ids(checkFederationMetadata(doc(stsRole(goodInner.replace(kd, "")))))).toEqual(["F43", "F46"]);
    const noPassive = goodInner.replace(/<fed:PassiveRequestorEndpoint>.*?<\/fed:PassiveRequestorEndpoint>/, "");
    const c = checkFederationMetadata(doc(stsRole(noPassive)));
    expect(c.problems.map((p) => [p.requirement, p.severity])).toEqual([
      ["F44", "warning"],
      ["F46", "warning"],
    ]);
  });
});
