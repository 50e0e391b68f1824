// The safe parser (protocol/xml/safe-parse.ts) against @xmldom/xmldom's own parser, which it replaced: on what
// both accept they must build the same tree, node for node and property for property (the rest of the code and
// xml-crypto were written against xmldom's trees); what xmldom refuses, the safe parser must refuse too.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { parseXml, XmlError } from "../../protocol/xml/safe-parse.ts";
import { compareTrees, xmldomParse } from "../helpers/dom-compare.ts";
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

// ---- a generator of namespace-well-formed documents ------------------------------------------------------

const PREFIXES = ["p", "q", "wsse", "é"] as const;
const URIS = ["urn:a", "urn:b", "http://docs.oasis-open.org/ws-sx/ws-trust/200512"] as const;
const LOCALS = ["a", "b", "Envelope", "x-y.z", "_1", "é", "\u{10000}k", "Id"] as const;
const TEXTS = ["t", " ", "\n", "\r\n", "\r", "\t", "&amp;", "&lt;", "&gt;", "&quot;", "&apos;", "&#65;", "&#x1F600;", "&#13;", "&#x000041;", "]]x", "x]>", "é€𝄞", "'\"", "\u0085\u2028"];

interface GenElement {
  prefix: string | null;
  local: string;
  defaultNs: string | null | undefined; // undefined: no declaration; null: xmlns=""
  decls: [string, string][];
  attrs: [string | null, string, string][];
  children: GenNode[];
  selfClose: boolean;
  space: string;
  quote: string;
}
type GenNode = { t: "text"; v: string } | { t: "comment"; v: string } | { t: "cdata"; v: string } | { t: "pi"; v: string } | { t: "el"; e: GenElement };

const attrValueArb = fc.array(fc.constantFrom(...TEXTS, "<x>".slice(1, 2), ">", "a b"), { maxLength: 4 }).map((xs) => xs.join(""));
const { element: elementArb } = fc.letrec<{ element: GenElement; node: GenNode }>((tie) => ({
  element: fc.record({
    prefix: fc.option(fc.constantFrom(...PREFIXES), { freq: 2 }),
    local: fc.constantFrom(...LOCALS),
    defaultNs: fc.option(fc.option(fc.constantFrom(...URIS), { freq: 4 }), { freq: 2, nil: undefined }),
    decls: fc.array(fc.tuple(fc.constantFrom(...PREFIXES), fc.constantFrom(...URIS)), { maxLength: 2 }),
    attrs: fc.array(fc.tuple(fc.option(fc.constantFrom(...PREFIXES, "xml"), { freq: 2 }), fc.constantFrom(...LOCALS, "lang"), attrValueArb), { maxLength: 3 }),
    children: fc.array(tie("node"), { maxLength: 4 }),
    selfClose: fc.boolean(),
    space: fc.constantFrom("", " ", "\n\t", "\r\n"),
    quote: fc.constantFrom('"', "'"),
  }),
  node: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.array(fc.constantFrom(...TEXTS), { minLength: 1, maxLength: 4 }).map((xs) => ({ t: "text" as const, v: xs.join("") })),
    fc.constantFrom("", " c ", "a-b", "<&>").map((v) => ({ t: "comment" as const, v })),
    fc.constantFrom("", "x", "<a>&amp;]]", "]").map((v) => ({ t: "cdata" as const, v })),
    fc.constantFrom("pi", "pi data", "t  a?b").map((v) => ({ t: "pi" as const, v })),
    tie("element").map((e) => ({ t: "el" as const, e })),
  ),
}));

/** Serialize, adding the declarations a prefix needs and dropping attributes that would repeat a name. */
function render(e: GenElement, scope: Map<string, string>): string {
  const inner = new Map(scope);
  const decls: string[] = [];
  const declare = (p: string, uri: string) => {
    if (decls.some((d) => d.startsWith(`xmlns:${p}=`))) return;
    inner.set(p, uri);
    decls.push(`xmlns:${p}=${e.quote}${uri}${e.quote}`);
  };
  if (e.defaultNs !== undefined) decls.push(`xmlns=${e.quote}${e.defaultNs ?? ""}${e.quote}`);
  for (const [p, uri] of e.decls) declare(p, uri);
  if (e.prefix && !inner.has(e.prefix)) declare(e.prefix, URIS[0]);
  const seen = new Set<string>();
  const attrs: string[] = [];
  for (const [p, local, value] of e.attrs) {
    if (p && p !== "xml" && !inner.has(p)) declare(p, URIS[1]);
    const expanded = p ? `{${p === "xml" ? "xml" : inner.get(p)}}${local}` : local;
    if (seen.has(expanded)) continue;
    seen.add(expanded);
    attrs.push(`${p ? `${p}:` : ""}${local}${e.space ? " = " : "="}${e.quote}${value.replaceAll("<", "&lt;").replaceAll(e.quote, e.quote === '"' ? "&quot;" : "&apos;")}${e.quote}`);
  }
  const name = e.prefix ? `${e.prefix}:${e.local}` : e.local;
  const open = `<${name}${[...decls, ...attrs].map((a) => ` ${a}`).join("")}${e.space}`;
  if (e.selfClose && !e.children.length) return `${open}/>`;
  const body = e.children
    .map((c) => {
      switch (c.t) {
        case "text":
          return c.v;
        case "comment":
          return `<!--${c.v}-->`;
        case "cdata":
          return `<![CDATA[${c.v}]]>`;
        case "pi":
          return `<?${c.v}?>`;
        case "el":
          return render(c.e, inner);
      }
    })
    .join("");
  return `${open}>${body}</${name}${e.space}>`;
}

const documentArb = fc
  .record({
    decl: fc.constantFrom("", '<?xml version="1.0"?>', "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n"),
    before: fc.constantFrom("", "<!-- first -->", "<?pi x?>\n"),
    root: elementArb,
    after: fc.constantFrom("", "\n", "<!--last-->", " <?end?> "),
  })
  .map((d) => `${d.decl}${d.before}${render(d.root, new Map())}${d.after}`);

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
