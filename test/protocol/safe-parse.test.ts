import { describe, expect, it } from "vitest";
import { parseXml, XmlError, type XmlErrorKind } from "../../protocol/xml/safe-parse.ts";

function kindOf(input: string | Uint8Array, limits = {}): XmlErrorKind | "accepted" {
  try {
    parseXml(input, limits);
    return "accepted";
  } catch (e) {
    if (e instanceof XmlError) return e.kind;
    throw e;
  }
}

describe("safe XML parsing of hostile input", () => {
  it("parses a namespaced document", () => {
    const doc = parseXml('<?xml version="1.0" encoding="utf-8"?><a:x xmlns:a="urn:a"><a:y k="v">t</a:y></a:x>');
    expect(doc.documentElement.namespaceURI).toBe("urn:a");
    expect(doc.documentElement.localName).toBe("x");
  });

  it("refuses any DOCTYPE, including XXE and entity-expansion payloads", () => {
    expect(kindOf('<!DOCTYPE a [<!ENTITY x SYSTEM "http://127.0.0.1:1/">]><a>&x;</a>')).toBe("doctype");
    expect(kindOf('<!DOCTYPE a [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><a>&b;</a>')).toBe("doctype");
    expect(kindOf("<?xml version='1.0'?>\n<!DOCTYPE a><a/>")).toBe("doctype");
  });

  it("does not resolve undefined entities", () => {
    expect(kindOf("<a>&ext;</a>")).toBe("not-well-formed");
  });

  it("keeps predefined entities and character references", () => {
    const doc = parseXml("<a>&lt;&amp;&#x41;&#66;</a>");
    expect(doc.documentElement.textContent).toBe("<&AB");
  });

  it("refuses multiple roots and trailing content", () => {
    expect(kindOf("<a/><b/>")).toBe("multiple-roots");
    expect(kindOf("<a></a><a></a>")).toBe("multiple-roots");
    expect(kindOf("<a/>junk")).toBe("trailing-content");
    expect(kindOf("<a/>  <!-- ok -->\n")).toBe("accepted");
    expect(kindOf("junk<a/>")).toBe("not-well-formed");
    expect(kindOf("   ")).toBe("no-root");
  });

  it("enforces the size limit before parsing", () => {
    const big = `<a>${"x".repeat(2048)}</a>`;
    expect(kindOf(big, { maxBytes: 1024 })).toBe("too-large");
    expect(kindOf(Buffer.from(big), { maxBytes: 1024 })).toBe("too-large");
    expect(kindOf(big, { maxBytes: 4096 })).toBe("accepted");
  });

  it("counts bytes, not UTF-16 units", () => {
    const s = `<a>${"é".repeat(600)}</a>`; // 607 chars, 1207 bytes
    expect(kindOf(s, { maxBytes: 1000 })).toBe("too-large");
  });

  it("enforces the depth limit without recursion", () => {
    const deep = "<a>".repeat(100_000) + "</a>".repeat(100_000);
    expect(kindOf(deep, { maxBytes: 10_000_000 })).toBe("too-deep");
    expect(kindOf("<a>".repeat(10) + "</a>".repeat(10), { maxDepth: 10 })).toBe("accepted");
    expect(kindOf("<a>".repeat(11) + "</a>".repeat(11), { maxDepth: 10 })).toBe("too-deep");
  });

  it("enforces the attribute-count limit (namespace declarations count)", () => {
    const attrs = Array.from({ length: 70 }, (_, i) => `a${i}="1"`).join(" ");
    expect(kindOf(`<a ${attrs}/>`)).toBe("too-many-attributes");
    const decls = Array.from({ length: 5 }, (_, i) => `xmlns:p${i}="urn:${i}"`).join(" ");
    expect(kindOf(`<a ${decls}/>`, { maxAttributes: 4 })).toBe("too-many-attributes");
  });

  it("ignores '>' and '<'-free tricks inside attribute values when counting", () => {
    expect(kindOf('<a x="a>b/c" y=\'1\'/>')).toBe("accepted");
  });

  it("enforces the element-count limit", () => {
    expect(kindOf(`<a>${"<b/>".repeat(50)}</a>`, { maxElements: 20 })).toBe("too-many-elements");
  });

  it("refuses encodings other than UTF-8 and invalid UTF-8 bytes", () => {
    expect(kindOf('<?xml version="1.0" encoding="ISO-8859-1"?><a/>')).toBe("encoding");
    expect(kindOf(Buffer.from([0x3c, 0x61, 0x3e, 0xff, 0xfe, 0x3c, 0x2f, 0x61, 0x3e]))).toBe("encoding");
  });

  it("refuses malformed markup with a typed error", () => {
    for (const bad of ["<a><b></a>", "<a x=1/>", "<a>", "</a>", "<a><!-- x</a>", '<a x="1" x="2"/>', "<a><![CDATA[x</a>"]) {
      expect(kindOf(bad), bad).not.toBe("accepted");
    }
  });

  it("refuses a misplaced XML declaration", () => {
    expect(kindOf('<a/><?xml version="1.0"?>')).toBe("not-well-formed");
  });
});

describe("XML 1.0 line ends", () => {
  it("folds CR LF and CR to LF but keeps U+0085, U+2028 and U+2029 as they are (XML 1.1 would fold them)", () => {
    const doc = parseXml("<a b=\"x\u2028y\">1\r\n2\r3\u00854\u20285\u20296</a>");
    expect(doc.documentElement.textContent).toBe("1\n2\n3\u00854\u20285\u20296");
    expect(doc.documentElement.getAttribute("b")).toBe("x\u2028y");
  });
});

describe("the reader's own rules", () => {
  it("accepts a byte order mark and does not report the XML declaration as a node", () => {
    const doc = parseXml('\uFEFF<?xml version="1.0" encoding="UTF-8"?><a/>');
    expect(doc.childNodes.length).toBe(1);
    expect(doc.firstChild).toBe(doc.documentElement);
  });

  it("checks the XML declaration's grammar (version first, then encoding, then standalone)", () => {
    expect(kindOf('<?xml version="1.0" standalone="yes"?><a/>')).toBe("accepted");
    expect(kindOf('<?xml encoding="utf-8"?><a/>')).toBe("not-well-formed");
    expect(kindOf('<?xml version="1.0" standalone="maybe"?><a/>')).toBe("not-well-formed");
    expect(kindOf('<?xml version="1.0" standalone="yes" encoding="utf-8"?><a/>')).toBe("not-well-formed");
    expect(kindOf('<?xml version="2.0"?><a/>')).toBe("not-well-formed");
    expect(kindOf(' <?xml version="1.0"?><a/>')).toBe("not-well-formed");
    expect(kindOf("<a><?XML x?></a>")).toBe("not-well-formed");
    expect(kindOf("<a><?xml-stylesheet x?></a>")).toBe("accepted");
  });

  it("counts a self-closing element towards the depth limit", () => {
    expect(kindOf("<a>".repeat(9) + "<b/>" + "</a>".repeat(9), { maxDepth: 10 })).toBe("accepted");
    expect(kindOf("<a>".repeat(10) + "<b/>" + "</a>".repeat(10), { maxDepth: 10 })).toBe("too-deep");
  });

  it("reads character references with leading zeros and refuses ones that overflow", () => {
    expect(parseXml("<a>&#x00000000000041;&#0000066;</a>").documentElement.textContent).toBe("AB");
    expect(kindOf("<a>&#x1000000000041;</a>")).toBe("not-well-formed");
    expect(kindOf("<a>&#x;</a>")).toBe("not-well-formed");
    expect(kindOf("<a>&#65</a>")).toBe("not-well-formed");
    expect(kindOf("<a>&constructor;</a>")).toBe("not-well-formed");
  });

  it("normalises literal whitespace in attribute values but keeps what references produce", () => {
    const a = parseXml('<a b="x\ty\r\nz&#9;&#10;&#13;"/>').documentElement;
    expect(a.getAttribute("b")).toBe("x y z\t\n\r");
    expect(kindOf('<a b="<"/>')).toBe("not-well-formed");
    expect(parseXml('<a b="]]>"/>').documentElement.getAttribute("b")).toBe("]]>");
  });

  it("reads names beyond ASCII, including characters outside the BMP", () => {
    const doc = parseXml('<é:ü xmlns:é="urn:x" \u{10000}="1"/>');
    expect(doc.documentElement.localName).toBe("ü");
    expect(doc.documentElement.namespaceURI).toBe("urn:x");
    expect(doc.documentElement.getAttribute("\u{10000}")).toBe("1");
    expect(kindOf("<a\u00d7/>")).toBe("not-well-formed"); // × is not a name character
    expect(kindOf("<a:b:c xmlns:a='u'/>")).toBe("not-well-formed");
    expect(kindOf("<a:1 xmlns:a='u'/>")).toBe("not-well-formed");
  });

  it("resolves namespaces: defaults, undeclaring the default, scope, and unprefixed attributes in no namespace", () => {
    const doc = parseXml('<a xmlns="urn:d" xmlns:p="urn:p" p:x="1" y="2"><b xmlns=""><p:c/></b><d/></a>');
    const a = doc.documentElement;
    expect(a.namespaceURI).toBe("urn:d");
    expect(a.getAttributeNodeNS("urn:p", "x")?.value).toBe("1");
    expect(a.getAttributeNode("y")?.namespaceURI).toBeNull();
    const b = a.firstChild as Element;
    expect(b.namespaceURI).toBeNull();
    expect((b.firstChild as Element).namespaceURI).toBe("urn:p");
    expect((b.nextSibling as Element).namespaceURI).toBe("urn:d");
    expect(kindOf("<p:a/>")).toBe("not-well-formed");
    expect(kindOf('<a><b xmlns:p="urn:p"/><p:c/></a>')).toBe("not-well-formed"); // out of scope after </b>
    expect(kindOf('<xmlns:a xmlns:xmlns="u"/>')).toBe("not-well-formed");
    expect(kindOf('<a xmlns="http://www.w3.org/2000/xmlns/"/>')).toBe("not-well-formed");
  });

  it("refuses '--' in a comment, a malformed end tag and a '/' not followed by '>'", () => {
    for (const bad of ["<a><!-- x -- y --></a>", "<a><!-- x ---></a>", "<a></ a>", "<a></a b>", "<a/ >", "<a b='1'/ >", "<a><ab></a></ab>"]) {
      expect(kindOf(bad), bad).toBe("not-well-formed");
    }
    expect(kindOf("<a></a \n>")).toBe("accepted");
  });
});
