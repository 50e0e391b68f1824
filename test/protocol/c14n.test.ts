// excC14n: equal to xml-crypto's canonicalization on ordinary input, correct where xml-crypto 6.3.2 is not on
// xmldom 0.9 nodes, and checked against libxml2 (through xmlsec1) by signing tricky content and verifying it there.
import { beforeAll, describe, expect, it } from "vitest";
import { ExclusiveCanonicalization } from "xml-crypto";
import { NS } from "../../protocol/namespaces.ts";
import { C14nError, canonicalize, excC14n, inclusiveC14n } from "../../protocol/dsig/c14n.ts";
import { signElementEnveloped } from "../../protocol/dsig/sign.ts";
import { verifyEnvelopedSignature, trustAnchorFromCert } from "../../protocol/dsig/verify.ts";
import { generateSelfSignedCertificate, type CertifiedKey } from "../../protocol/x509/certificate.ts";
import { parseXml } from "../../protocol/xml/safe-parse.ts";
import { children, descendants } from "../../protocol/xml/dom.ts";
import { el, serialize } from "../../protocol/xml/writer.ts";
import { hasXmlsec1, xmlsecVerify } from "./xmlsec.ts";

function xmlCrypto(node: Element): string {
  return new ExclusiveCanonicalization().process(node as never, {});
}

const ORDINARY = [
  `<saml2:Assertion xmlns:saml2="${NS.saml2}" xmlns:xsi="${NS.xsi}" Version="2.0" ID="_1"><saml2:Issuer>x</saml2:Issuer>` +
    `<saml2:Subject><saml2:NameID Format="f">alice &amp; bob</saml2:NameID></saml2:Subject></saml2:Assertion>`,
  `<s:Envelope xmlns:s="${NS.s12}" xmlns:a="${NS.wsa}" xmlns:u="${NS.wsu}"><s:Header><a:Action s:mustUnderstand="1">urn:x</a:Action>` +
    `</s:Header><s:Body u:Id="_0"><t:RST xmlns:t="${NS.wst13}" Context="c"><t:TokenType>tt</t:TokenType>\n  <x b="2" a="1"/></t:RST></s:Body></s:Envelope>`,
  `<r xmlns="urn:default" xmlns:p="urn:p" p:z="1" a="&quot;&#9;&#10;&#13;&lt;&gt;"><p:c>text &gt; &lt; &#13;</p:c><d/></r>`,
];

describe("excC14n", () => {
  it.each(ORDINARY.map((x, i) => [i, x]))("equals xml-crypto's output on ordinary input #%s (every element as apex)", (_, xml) => {
    const doc = parseXml(xml);
    for (const e of [doc.documentElement!, ...descendants(doc, NS.s12, "Body"), ...descendants(doc, NS.saml2, "Subject")]) {
      expect(excC14n(e)).toBe(xmlCrypto(e));
    }
  });

  it("equals the canonical writer's output for writer-built trees", () => {
    const tree = el("s:Envelope", [
      el("s:Body", { "wsu:Id": "_b" }, el("wst:RequestSecurityToken", { Context: "a&b\"c" }, el("wst:TokenType", ["x < y"]))),
    ]);
    const bytes = serialize(tree);
    expect(excC14n(parseXml(bytes).documentElement!)).toBe(bytes);
  });

  it("does not repeat xmlns=\"\" on descendants of an undeclared default (xml-crypto does)", () => {
    const doc = parseXml(`<a xmlns="urn:x"><b xmlns=""><c/></b></a>`);
    expect(excC14n(doc.documentElement!)).toBe(`<a xmlns="urn:x"><b xmlns=""><c></c></b></a>`);
    expect(xmlCrypto(doc.documentElement!)).not.toBe(excC14n(doc.documentElement!));
  });

  it("renders processing instructions, CDATA as text, comments only when asked and unescaped", () => {
    const doc = parseXml(`<r><?pi  some data?><?empty?><![CDATA[a<b&c]]><!-- a < b --></r>`);
    const r = doc.documentElement!;
    expect(excC14n(r)).toBe(`<r><?pi some data?><?empty?>a&lt;b&amp;c</r>`);
    expect(excC14n(r, { withComments: true })).toBe(`<r><?pi some data?><?empty?>a&lt;b&amp;c<!-- a < b --></r>`);
  });

  it("renders an empty text node", () => {
    const doc = parseXml(`<r/>`);
    doc.documentElement!.appendChild(doc.createTextNode(""));
    expect(excC14n(doc.documentElement!)).toBe(`<r></r>`);
  });

  it("sorts attributes by namespace URI then local name, namespace declarations by prefix (code points)", () => {
    const doc = parseXml(`<r xmlns:B="urn:b" xmlns:a="urn:a" xmlns:ab="urn:ab" a:x="1" B:y="2" ab:c="3" z="0" A="-1"/>`);
    expect(excC14n(doc.documentElement!)).toBe(
      `<r xmlns:B="urn:b" xmlns:a="urn:a" xmlns:ab="urn:ab" A="-1" z="0" a:x="1" ab:c="3" B:y="2"></r>`,
    );
  });

  it("leaves out only visibly unused namespaces; honours the inclusive prefix list without touching the DOM", () => {
    const doc = parseXml(`<o xmlns:x="urn:x" xmlns:y="urn:y" xmlns:z="urn:z"><x:i y:a="1"><x:j/></x:i></o>`);
    const i = children(doc.documentElement!)[0]!;
    const before = doc.toString();
    expect(excC14n(i)).toBe(`<x:i xmlns:x="urn:x" xmlns:y="urn:y" y:a="1"><x:j></x:j></x:i>`);
    expect(excC14n(i, { inclusivePrefixes: ["z"] })).toBe(`<x:i xmlns:x="urn:x" xmlns:y="urn:y" xmlns:z="urn:z" y:a="1"><x:j></x:j></x:i>`);
    expect(doc.toString()).toBe(before);
    expect(i.hasAttribute("xmlns:z")).toBe(false);
  });

  it("excludes a node (the enveloped-signature transform), also when the apex had to be cloned", () => {
    const doc = parseXml(`<o xmlns:z="urn:z"><i><skip><deep/></skip><keep/></i></o>`);
    const i = children(doc.documentElement!)[0]!;
    const skip = children(i)[0]!;
    expect(excC14n(i, { exclude: skip })).toBe(`<i><keep></keep></i>`);
    expect(excC14n(i, { exclude: skip, inclusivePrefixes: ["z"] })).toBe(`<i xmlns:z="urn:z"><keep></keep></i>`);
    expect(() => excC14n(i, { exclude: i })).toThrow(C14nError);
  });

  it("fails closed where it cannot be faithful", () => {
    const doc = parseXml(`<o xmlns="urn:d"><p:i xmlns:p="urn:p"/></o>`);
    const i = children(doc.documentElement!)[0]!;
    expect(() => excC14n(i, { inclusivePrefixes: ["#default"] })).toThrow(C14nError);
    expect(() => excC14n(i, { inclusivePrefixes: ["bad prefix"] })).toThrow(C14nError);
    const withLang = parseXml(`<o xml:lang="en"><i/></o>`);
    expect(() => inclusiveC14n(children(withLang.documentElement!)[0]!)).toThrow(C14nError);
    expect(() => canonicalize(i, "urn:unknown")).toThrow(C14nError);
  });
});

describe("inclusiveC14n", () => {
  it("renders every in-scope namespace on the apex", () => {
    const doc = parseXml(`<o xmlns="urn:d" xmlns:x="urn:x" xmlns:y="urn:y"><x:i/></o>`);
    expect(inclusiveC14n(children(doc.documentElement!)[0]!)).toBe(`<x:i xmlns="urn:d" xmlns:x="urn:x" xmlns:y="urn:y"></x:i>`);
  });
});

describe.runIf(hasXmlsec1)("agreement with libxml2 (sign with excC14n, verify with xmlsec1)", () => {
  let key: CertifiedKey;
  beforeAll(() => {
    key = generateSelfSignedCertificate({ commonName: "c14n", notBeforeMs: Date.UTC(2026, 0, 1), notAfterMs: Date.UTC(2027, 0, 1) });
  });

  it.each([
    ["undeclared default namespace", `<a xmlns="urn:x"><b xmlns=""><c/></b><d/></a>`],
    ["processing instruction and CDATA", `<a><?target  data here?><![CDATA[1 < 2 & 3]]></a>`],
    // xmldom's serializer writes a CR raw (a parser then reads LF), so this document travels in canonical form.
    ["carriage returns in text and attributes", `<a b="x&#13;y">1&#13;2</a>`, true],
    ["attribute ordering across namespaces", `<a xmlns:B="urn:b" xmlns:a="urn:a" xmlns:ab="urn:ab" a:x="1" B:y="2" ab:c="3" z="&#9;" A="-1"/>`],
    ["redundant and shadowed declarations", `<p:a xmlns:p="urn:p"><p:b xmlns:p="urn:p"><p:c xmlns:p="urn:other"/></p:b></p:a>`],
    ["comments are dropped", `<a><!-- c1 --><b><!-- c2 --></b></a>`],
    ["non-ASCII text and attributes", `<a t="é&#x1F600;">ü ß 😀</a>`],
  ] as [string, string, boolean?][])("%s", (_, content, canonicalTransport) => {
    const doc = parseXml(`<r:Root xmlns:r="urn:r" xmlns:unused="urn:unused" ID="_r">${content}</r:Root>`);
    const root = doc.documentElement!;
    signElementEnveloped(doc, root, "ID", { privateKey: key.privateKey, certDer: key.certDer });
    const xml = canonicalTransport ? excC14n(root) : doc.toString();
    const r = xmlsecVerify(xml, key.certPem, ["ID", "urn:r:Root"]);
    expect(r.ok, r.output).toBe(true);
    const again = parseXml(xml).documentElement!;
    const v = verifyEnvelopedSignature(again, [trustAnchorFromCert(key.certDer)]);
    expect(v.ok, v.ok ? "" : v.reason).toBe(true);
  });
});
