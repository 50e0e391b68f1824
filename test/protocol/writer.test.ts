import { describe, expect, it } from "vitest";
import { ExclusiveCanonicalization } from "xml-crypto";
import { parseXml } from "../../protocol/xml/safe-parse.ts";
import { el, raw, serialize, XmlWriteError } from "../../protocol/xml/writer.ts";

function c14n(xml: string): string {
  const doc = parseXml(xml);
  return new ExclusiveCanonicalization().process(doc.documentElement as never, {}) as string;
}

describe("canonical XML writer", () => {
  it("emits exactly the exc-c14n form (namespaces where used, sorted attributes, escaping, no self-closing)", () => {
    const x = serialize(
      el(
        "saml2:Assertion",
        { Version: "2.0", ID: "_1", "xsi:type": "x", IssueInstant: "2026-01-01T00:00:00Z" },
        el("saml2:Issuer", {}, "a & b < c > d\r\n"),
        el("saml2:Attribute", { Name: 'q"\t\n\r<&' }, el("saml2:AttributeValue", {})),
        el("ds:Signature", [el("ds:SignedInfo", {})]),
      ),
    );
    expect(x).toBe(c14n(x));
    expect(x).not.toMatch(/\/>/);
    expect(x.indexOf("xmlns:ds")).toBeGreaterThan(x.indexOf("<ds:Signature"));
  });

  it("does not redeclare a namespace an ancestor already rendered", () => {
    const x = serialize(el("wst:A", [el("wst:B", [el("wst:C", {})])]));
    expect(x.match(/xmlns:wst/g)).toHaveLength(1);
  });

  it("refuses characters XML cannot carry", () => {
    expect(() => serialize(el("wst:A", ["\u0001"]))).toThrow(XmlWriteError);
    expect(() => serialize(el("wst:A", { x: "\uFFFF" }))).toThrow(XmlWriteError);
  });

  it("refuses unbound prefixes and bad names", () => {
    expect(() => serialize(el("nope:A", {}))).toThrow(XmlWriteError);
    expect(() => serialize(el("wst:A b", {}))).toThrow(XmlWriteError);
  });

  it("passes raw fragments through unchanged", () => {
    expect(serialize(el("wst:A", [raw("<x:y xmlns:x='u'/>")]))).toContain("<x:y xmlns:x='u'/>");
  });
});
