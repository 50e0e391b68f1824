// protocol/xml/dom-serialize.ts against xmldom's XMLSerializer, which it replaced: the same text for every tree,
// whole documents and subtrees, as parsed and after the fuzzer's DOM mutations and namespace edits. The fuzzer's
// messages (and so the seeds and paths of saved vectors) depend on the bytes being the same.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { XMLSerializer } from "@xmldom/xmldom";
import { serializeDom } from "../../protocol/xml/dom-serialize.ts";
import { parseXml } from "../../protocol/xml/safe-parse.ts";
import { applyDomMutations, isDomMutation, mutationArb, type XmlMutation } from "../../suites/fuzz/mutators.ts";
import { buildStsMessage } from "../../suites/fuzz/sts-build.ts";
import { stsInputArb } from "../../suites/fuzz/sts-input.ts";
import { documentArb } from "../helpers/xml-documents.ts";
import { referenceTargets } from "../helpers/targets.ts";

const openTarget = referenceTargets();
const xmldom = (n: Node) => new XMLSerializer().serializeToString(n as unknown as Parameters<XMLSerializer["serializeToString"]>[0]);

function elementsOf(doc: Document): Element[] {
  const out: Element[] = [];
  const walk = (n: Node) => {
    for (let c = n.firstChild; c; c = c.nextSibling) {
      if (c.nodeType === 1) {
        out.push(c as Element);
        walk(c);
      }
    }
  };
  walk(doc);
  return out;
}

/** The document and `subtrees` of its elements (picked by index) serialize the same both ways. */
function expectSame(doc: Document, subtrees: number[], context: string): void {
  expect(serializeDom(doc), context).toBe(xmldom(doc));
  const all = elementsOf(doc);
  for (const i of subtrees) {
    if (!all.length) break;
    const e = all[i % all.length]!;
    expect(serializeDom(e), `${context}\nsubtree ${e.tagName}`).toBe(xmldom(e));
    // A text or attribute node alone, as xmldom writes it.
    if (e.firstChild) expect(serializeDom(e.firstChild)).toBe(xmldom(e.firstChild));
    if (e.attributes.length) expect(serializeDom(e.attributes[0]!)).toBe(xmldom(e.attributes[0]!));
  }
}

const URIS = ["urn:a", "urn:b", "", "urn:wsconform:fuzz"];
const PREFIXES = ["p", "q", "wsse", "fz", ""];

/** Namespace edits the mutators do not make: new elements and attributes under clashing or unbound prefixes. */
const nsEditArb = fc.record({
  at: fc.nat(),
  kind: fc.constantFrom("element", "attribute", "xmlns-attribute", "remove-attribute"),
  prefix: fc.constantFrom(...PREFIXES),
  uri: fc.constantFrom(...URIS),
  value: fc.constantFrom("v", "a\tb\nc\rd", '<"&>', ""),
});

type NsEdit = typeof nsEditArb extends fc.Arbitrary<infer T> ? T : never;

function applyNsEdit(doc: Document, e: NsEdit): void {
  const all = elementsOf(doc);
  if (!all.length) return;
  const el = all[e.at % all.length]!;
  const qname = (local: string) => (e.prefix && e.uri ? `${e.prefix}:${local}` : local);
  switch (e.kind) {
    case "element": {
      const x = doc.createElementNS(e.uri || null, qname("New"));
      x.appendChild(doc.createTextNode(e.value));
      el.appendChild(x);
      return;
    }
    case "attribute":
      el.setAttributeNS(e.uri || null, qname("att"), e.value);
      return;
    case "xmlns-attribute":
      if (e.prefix && e.uri) el.setAttributeNS("http://www.w3.org/2000/xmlns/", `xmlns:${e.prefix}`, e.uri);
      else el.setAttributeNS("http://www.w3.org/2000/xmlns/", "xmlns", e.uri);
      return;
    case "remove-attribute":
      if (el.attributes.length) el.removeAttributeNode(el.attributes[0]!);
      return;
  }
}

describe("serializeDom writes what xmldom's XMLSerializer writes", () => {
  it("for generated documents, whole and by subtree", () => {
    fc.assert(
      fc.property(documentArb, fc.array(fc.nat(), { maxLength: 3 }), (text, subtrees) => {
        expectSame(parseXml(text, { maxBytes: 10_000_000 }), subtrees, text);
      }),
      { numRuns: 400, seed: 20261121 },
    );
  });

  it("after the fuzzer's DOM mutations and namespace edits of generated documents", () => {
    fc.assert(
      fc.property(
        documentArb,
        fc.array(mutationArb, { minLength: 1, maxLength: 4 }),
        fc.array(nsEditArb, { maxLength: 3 }),
        fc.array(fc.nat(), { maxLength: 3 }),
        (text, mutations, edits, subtrees) => {
          const doc = parseXml(text, { maxBytes: 10_000_000 });
          applyDomMutations(doc, mutations);
          for (const e of edits) applyNsEdit(doc, e);
          expectSame(doc, subtrees, `${text}\n${JSON.stringify({ mutations, edits })}`);
        },
      ),
      { numRuns: 600, seed: 20261123 },
    );
  });

  it("for the fuzzer's STS requests after their DOM mutations", async () => {
    const target = await openTarget();
    let mutated = 0;
    fc.assert(
      fc.property(stsInputArb(target), fc.array(fc.nat(), { maxLength: 2 }), (input, subtrees) => {
        const dom: XmlMutation[] = input.mutations.filter(isDomMutation);
        const plain = buildStsMessage({ ...input, mutations: [] }, target).request.body;
        const doc = parseXml(plain);
        applyDomMutations(doc, dom);
        if (dom.length) mutated++;
        expectSame(doc, subtrees, JSON.stringify(dom));
      }),
      { numRuns: 300, seed: 20261124 },
    );
    expect(mutated).toBeGreaterThan(50);
  });

  it("for the namespace cases xmldom fixes up, one by one", () => {
    const doc = parseXml('<a:r xmlns:a="urn:a" xmlns="urn:d"><x/><a:y b="1"/></a:r>');
    const r = doc.documentElement!;
    // an unprefixed element in a namespace bound only to a prefix borrows that prefix
    r.appendChild(doc.createElementNS("urn:a", "z"));
    // a prefix bound to another namespace in scope is declared again
    r.appendChild(doc.createElementNS("urn:b", "a:w"));
    // an element in no namespace under a default namespace: xmldom writes no xmlns="" (its meaning changes)
    r.appendChild(doc.createElementNS(null, "n"));
    // an attribute whose prefix is unbound gets its declaration right after it
    (r.firstChild as Element).setAttributeNS("urn:c", "c:at", "1");
    const text = serializeDom(doc);
    expect(text).toBe(xmldom(doc));
    expect(text).toBe('<a:r xmlns:a="urn:a" xmlns="urn:d"><x xmlns:c="urn:c" c:at="1"/><a:y b="1"/><a:z/><a:w xmlns:a="urn:b"/><n/></a:r>');
    // a subtree carries the declarations its names need, wherever the ancestors declared them
    expect(serializeDom(r.childNodes[1]!)).toBe('<a:y b="1" xmlns:a="urn:a"/>');
    expect(serializeDom(r.childNodes[1]!)).toBe(xmldom(r.childNodes[1]!));
  });

  it("escapes text, attribute values and CDATA ends as xmldom does", () => {
    const doc = parseXml('<r a="x"/>');
    const r = doc.documentElement!;
    r.setAttribute("a", 'tab\there\nnl\rcr <lt> &amp "q"');
    r.appendChild(doc.createTextNode("a<b>c&d]]>e\"'"));
    // createCDATASection refuses "]]>", a DOM edit can still put it there: both split the section
    const cdata = doc.createCDATASection("x");
    cdata.appendData("]]>y");
    r.appendChild(cdata);
    r.appendChild(doc.createComment(" c "));
    r.appendChild(doc.createProcessingInstruction("pi", "data"));
    expect(serializeDom(doc)).toBe(xmldom(doc));
    expect(serializeDom(doc)).toBe('<r a="tab&#9;here&#10;nl&#13;cr &lt;lt&gt; &amp;amp &quot;q&quot;">a&lt;b&gt;c&amp;d]]&gt;e"\'<![CDATA[x]]]]><![CDATA[>y]]><!-- c --><?pi data?></r>');
  });
});
