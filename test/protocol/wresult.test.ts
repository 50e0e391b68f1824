// parseWresult: every shape a relying party must accept (F20), faults (F24), and the refusals (F21-F23, limits).
import { describe, expect, it } from "vitest";
import { NS, TOKEN_TYPES } from "../../protocol/namespaces.ts";
import { unsignedAssertion } from "../../protocol/saml/build.ts";
import type { AssertionSpec } from "../../protocol/saml/model.ts";
import { buildFaultWresult, buildWresult, parseWresult, WresultError, type WresultErrorCode, type WresultSpec } from "../../protocol/wsfed/wresult.ts";
import { fedFault } from "../../protocol/faults.ts";

const NOW = Date.UTC(2026, 2, 1, 10, 0, 0);
const REALM = "urn:wsconform:rp:one";

function spec(version: "1.1" | "2.0", over: Partial<AssertionSpec> = {}): AssertionSpec {
  return {
    version,
    id: "_tok1",
    issuer: "urn:idp",
    issueInstant: NOW,
    subject: { nameId: "alice" },
    confirmation: { method: "bearer" },
    notBefore: NOW,
    notOnOrAfter: NOW + 3_600_000,
    audiences: [REALM],
    authn: { method: "urn:oasis:names:tc:SAML:2.0:ac:classes:Password", instant: NOW },
    attributes: [],
    ...over,
  };
}

function refused(xml: string, code: WresultErrorCode): WresultError {
  try {
    parseWresult(xml);
  } catch (e) {
    expect(e).toBeInstanceOf(WresultError);
    expect((e as WresultError).code).toBe(code);
    return e as WresultError;
  }
  throw new Error(`accepted; expected ${code}`);
}

describe("parseWresult: the accepted shapes (F20)", () => {
  const shapes: [string, Omit<WresultSpec, "assertionXml">, "1.1" | "2.0", string, string | undefined][] = [
    ["2005 RSTR (AD FS wire format)", { format: "2005" }, "1.1", "2005", undefined],
    ["1.3 RSTR", { format: "1.3" }, "2.0", "1.3", undefined],
    ["1.3 RSTRC with one RSTR", { format: "1.3-rstrc" }, "2.0", "1.3", undefined],
    ["SOAP 1.1 envelope carrying a 2005 RSTR", { format: "2005", soap: "1.1" }, "1.1", "2005", "1.1"],
    ["SOAP 1.2 envelope carrying a 1.3 RSTRC", { format: "1.3-rstrc", soap: "1.2" }, "2.0", "1.3", "1.2"],
  ];
  it.each(shapes)("%s", (_, shape, samlVersion, trustVersion, soapVersion) => {
    const xml = buildWresult({
      ...shape,
      assertionXml: unsignedAssertion(spec(samlVersion)),
      appliesTo: REALM,
      lifetime: { created: NOW, expires: NOW + 3_600_000 },
      tokenType: samlVersion === "2.0" ? TOKEN_TYPES.saml20 : TOKEN_TYPES.saml11,
      context: "ctx-1",
    });
    const r = parseWresult(xml);
    if (r.kind !== "token") throw new Error("expected a token");
    expect(r.samlVersion).toBe(samlVersion);
    expect(r.trustVersion).toBe(trustVersion);
    expect(r.soapVersion).toBe(soapVersion);
    expect(r.shape).toBe(shape.format === "1.3-rstrc" ? "RSTRC" : "RSTR");
    expect(r.assertion.localName).toBe("Assertion");
    expect(r.assertion.namespaceURI).toBe(samlVersion === "2.0" ? NS.saml2 : NS.saml11);
    expect(r.appliesTo).toBe(REALM);
    expect(r.lifetime).toMatchObject({ created: NOW, expires: NOW + 3_600_000 });
    expect(r.tokenType).toBe(samlVersion === "2.0" ? TOKEN_TYPES.saml20 : TOKEN_TYPES.saml11);
    expect(r.context).toBe("ctx-1");
    // The assertion stays in the wresult's own document: the consumer checks that whole document for wrapping.
    expect(r.assertion.ownerDocument.documentElement.localName).toBe(soapVersion ? "Envelope" : shape.format === "1.3-rstrc" ? "RequestSecurityTokenResponseCollection" : "RequestSecurityTokenResponse");
  });

  it("AppliesTo is optional", () => {
    const r = parseWresult(buildWresult({ format: "2005", assertionXml: unsignedAssertion(spec("1.1")) }));
    expect(r.kind === "token" && r.appliesTo).toBeUndefined();
  });
});

describe("parseWresult: faults (F24)", () => {
  it("a SOAP 1.1 envelope with a WS-Federation fault code", () => {
    const r = parseWresult(buildFaultWresult("1.1", fedFault("NeedFresherCredentials", "sign in again")));
    expect(r).toMatchObject({ kind: "fault", soapVersion: "1.1", reason: "sign in again", code: { ns: NS.fed, local: "NeedFresherCredentials" } });
  });
  it("a bare SOAP 1.2 Fault element", () => {
    const xml = buildFaultWresult("1.2", "unknown wauth", true);
    expect(xml.startsWith("<s:Fault")).toBe(true);
    const r = parseWresult(xml);
    expect(r).toMatchObject({ kind: "fault", soapVersion: "1.2", reason: "unknown wauth", code: { ns: NS.s12, local: "Sender" } });
  });
});

describe("parseWresult: refusals", () => {
  const assertion = unsignedAssertion(spec("2.0"));
  const rstr = (inner: string, ns = NS.wst13) => `<t:RequestSecurityTokenResponse xmlns:t="${ns}">${inner}</t:RequestSecurityTokenResponse>`;

  it("no RequestedSecurityToken (F21)", () => {
    refused(rstr(`<t:TokenType>${TOKEN_TYPES.saml20}</t:TokenType>`), "no-requested-security-token");
  });
  it("an empty RequestedSecurityToken (F21)", () => {
    refused(rstr("<t:RequestedSecurityToken/>"), "token-count");
  });
  it("two tokens in one RequestedSecurityToken", () => {
    const two = assertion + unsignedAssertion(spec("2.0", { id: "_tok2" }));
    refused(rstr(`<t:RequestedSecurityToken>${two}</t:RequestedSecurityToken>`), "token-count");
  });
  it("an RSTRC with two RSTRs", () => {
    const one = `<t:RequestSecurityTokenResponse><t:RequestedSecurityToken>${assertion}</t:RequestedSecurityToken></t:RequestSecurityTokenResponse>`;
    const other = `<t:RequestSecurityTokenResponse><t:TokenType>x</t:TokenType></t:RequestSecurityTokenResponse>`;
    refused(`<t:RequestSecurityTokenResponseCollection xmlns:t="${NS.wst13}">${one}${other}</t:RequestSecurityTokenResponseCollection>`, "token-count");
  });
  it("a second assertion elsewhere in the wresult (wrapping material)", () => {
    const hidden = unsignedAssertion(spec("2.0", { id: "_evil" }));
    refused(rstr(`<t:RequestedSecurityToken>${assertion}</t:RequestedSecurityToken><x:Extra xmlns:x="urn:x">${hidden}</x:Extra>`), "token-count");
  });
  it("a token that is not a SAML assertion (F22)", () => {
    refused(rstr(`<t:RequestedSecurityToken><x:Token xmlns:x="urn:x">opaque</x:Token></t:RequestedSecurityToken>`), "unsupported-token");
  });
  it("an AppliesTo other than the token's audience (F23)", () => {
    refused(buildWresult({ format: "1.3", assertionXml: assertion, appliesTo: "urn:wsconform:rp:other" }), "applies-to-mismatch");
  });
  it("an AppliesTo not named by every audience restriction (F23)", () => {
    // Two restrictions: the realm in one only.
    const xml = unsignedAssertion(spec("2.0")).replace(
      "</saml2:AudienceRestriction>",
      `</saml2:AudienceRestriction><saml2:AudienceRestriction><saml2:Audience>urn:elsewhere</saml2:Audience></saml2:AudienceRestriction>`,
    );
    expect(xml).toContain("urn:elsewhere");
    refused(buildWresult({ format: "1.3", assertionXml: xml, appliesTo: REALM }), "applies-to-mismatch");
  });
  it("a bare assertion, an unknown root, a request instead of a response", () => {
    refused(assertion, "no-requested-security-token");
    refused(`<x:Result xmlns:x="urn:x"/>`, "unknown-shape");
    refused(`<t:RequestSecurityToken xmlns:t="${NS.wst13}"/>`, "unknown-shape");
  });
  it("an envelope whose Body holds two elements", () => {
    refused(`<s:Envelope xmlns:s="${NS.s12}"><s:Body><a/><b/></s:Body></s:Envelope>`, "malformed");
  });
  it("not XML, a DTD, over the limits", () => {
    refused("not xml at all", "not-xml");
    refused(`<!DOCTYPE x [<!ENTITY e "boom">]>${rstr("&e;")}`, "not-xml");
    expect(refused(buildWresult({ format: "2005", assertionXml: assertion }) + " ".repeat(1024 * 1024), "not-xml").message).toMatch(/large|bytes/i);
    const deep = "<d>".repeat(50) + "</d>".repeat(50);
    refused(rstr(`<t:RequestedSecurityToken>${deep}</t:RequestedSecurityToken>`), "not-xml");
  });
});
