// The safe parser (protocol/xml/safe-parse.ts) against @xmldom/xmldom's own parser, which it replaced: on what
// both accept they must build the same tree, node for node and property for property (the rest of the code and
// xml-crypto were written against xmldom's trees); what xmldom refuses, the safe parser must refuse too.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { parseXml, XmlError } from "../../protocol/xml/safe-parse.ts";
import { compareTrees, xmldomParse } from "../helpers/dom-compare.ts";
import { documentArb } from "../helpers/xml-documents.ts";
import { referenceTargets } from "../helpers/targets.ts";
import { runCampaign } from "../../suites/fuzz/campaign.ts";
import { stsProfile } from "../../suites/fuzz/sts-profile.ts";

const openTarget = referenceTargets();

function ours(text: string): Document | XmlError {
  try {
    return parseXml(text, { maxBytes: 10_000_000 });
  } catch (e) {
    if (e instanceof XmlError) return e;
    throw e;
  }
}

function theirs(text: string): Document | Error {
  try {
    return xmldomParse(text);
  } catch (e) {
    return e as Error;
  }
}

/** Both accept and build the same tree, or xmldom refuses and so does the safe parser. */
function checkAgainstXmldom(text: string): void {
  const a = ours(text);
  // XML 1.0 §4.3.3 allows a byte order mark; xmldom refuses it in a string, so it reads the text after it.
  const b = theirs(text.startsWith("\uFEFF") ? text.slice(1) : text);
  if (b instanceof Error) {
    expect(a, `xmldom refused (${b.message.slice(0, 120)}); the safe parser accepted:\n${text.slice(0, 400)}`).toBeInstanceOf(XmlError);
    return;
  }
  if (a instanceof XmlError) return; // stricter than xmldom: the cases are listed below
  expect(compareTrees(a, b), text.slice(0, 400)).toBeUndefined();
}

// Edits that break documents in the ways hostile input does: cut, repeat, or insert markup-significant text.
const editArb = fc.record({
  at: fc.nat(),
  len: fc.nat({ max: 6 }),
  insert: fc.constantFrom("", "<", ">", "&", "&x;", "&#0;", "&#xD800;", "]]>", "</a>", "<a>", '"', "'", "=", ":", "xmlns:p=''", "<!DOCTYPE a>", "<!--", "-->", "--", "<?xml ?>", "<![CDATA[", "\u0001", "\uFFFE", "\uD800", " ", "p:", "/"),
});

describe("the safe parser and xmldom's parser on the same input", () => {
  it("build the same tree for generated namespace-well-formed documents (every own property of every node)", () => {
    fc.assert(
      fc.property(documentArb, (text) => {
        const a = ours(text);
        expect(a, text).not.toBeInstanceOf(XmlError);
        const b = theirs(text);
        expect(b, text).not.toBeInstanceOf(Error);
        expect(compareTrees(a as Document, b as Document), text).toBeUndefined();
      }),
      { numRuns: 400, seed: 20261121 },
    );
  });

  it("refuse whatever xmldom refuses, after random edits of those documents", () => {
    let refusedByBoth = 0;
    fc.assert(
      fc.property(documentArb, fc.array(editArb, { minLength: 1, maxLength: 3 }), (text, edits) => {
        let t = text;
        for (const e of edits) {
          const at = e.at % (t.length + 1);
          t = t.slice(0, at) + e.insert + t.slice(at + e.len);
        }
        checkAgainstXmldom(t);
        if (theirs(t) instanceof Error) refusedByBoth++;
      }),
      { numRuns: 1500, seed: 20261122 },
    );
    expect(refusedByBoth).toBeGreaterThan(300); // the edits do break documents
  });

  it("build the same tree for every request and response of a fuzz campaign against the reference", async () => {
    const t0 = await openTarget();
    const messages: string[] = [];
    const target = {
      ...t0,
      transport: async (req: Parameters<typeof t0.transport>[0]) => {
        const res = await t0.transport(req);
        messages.push(req.body, res.body);
        return res;
      },
    };
    const r = await runCampaign(stsProfile(target, { maxResponseMs: 30_000 }), { seed: 7, budget: { cases: 300 }, streams: 1 });
    expect(r.cases).toBe(300);
    let compared = 0;
    for (const m of messages) {
      checkAgainstXmldom(m);
      if (!(ours(m) instanceof XmlError)) compared++;
    }
    expect(compared).toBeGreaterThan(500);
  });
});

describe("what xmldom accepted although XML 1.0 or Namespaces in XML forbid it, the safe parser refuses", () => {
  const cases: [string, string][] = [
    ["a control character (XML 1.0 [2] Char)", "<a>\u0001</a>"],
    ["a reference to a control character (WFC: Legal Character)", "<a>&#1;</a>"],
    ["a reference to a surrogate", "<a>&#xD800;</a>"],
    ["a reference beyond U+10FFFF", "<a>&#x110000;</a>"],
    ["a lone surrogate", "<a>\uD800</a>"],
    ["U+FFFE", "<a>\uFFFE</a>"],
    ["']]>' in text ([14] CharData)", "<a>]]></a>"],
    ["a bare '&' ([14] CharData)", "<a>& b</a>"],
    ["attributes without whitespace between them ([40] STag)", '<a b="1"c="2"/>'],
    ["undeclaring a prefix (Namespaces 1.0 [NSC: No Prefix Undeclaring])", '<p:a xmlns:p="urn:x"><b xmlns:p=""/></p:a>'],
    ["binding the prefix xml to another namespace", '<a xmlns:xml="urn:x"/>'],
    ["binding another prefix to the XML namespace", '<a xmlns:p="http://www.w3.org/XML/1998/namespace"/>'],
    ["declaring the prefix xmlns", '<a xmlns:xmlns="urn:x"/>'],
    ["two attributes with the same expanded name (Namespaces 1.0 §6.3); xmldom kept one of them", '<a p:x="1" xmlns:p="u" q:x="2" xmlns:q="u"/>'],
  ];
  for (const [what, text] of cases) {
    it(what, () => {
      expect(ours(text)).toBeInstanceOf(XmlError);
      expect((ours(text) as XmlError).kind).toBe("not-well-formed");
    });
  }
});
