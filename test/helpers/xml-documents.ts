// A generator of namespace-well-formed XML documents for differential tests against @xmldom/xmldom (the safe
// parser, the DOM serializer): prefixes rebound and undeclared, default namespaces set and unset, every escape and
// node kind, attributes in the xml namespace.
import fc from "fast-check";


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

/** Namespace-well-formed documents (XML declaration, comments and PIs around the root, every node kind). */
export const documentArb: fc.Arbitrary<string> = fc
  .record({
    decl: fc.constantFrom("", '<?xml version="1.0"?>', "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n"),
    before: fc.constantFrom("", "<!-- first -->", "<?pi x?>\n"),
    root: elementArb,
    after: fc.constantFrom("", "\n", "<!--last-->", " <?end?> "),
  })
  .map((d) => `${d.decl}${d.before}${render(d.root, new Map())}${d.after}`);
