// Compares a tree built by protocol/xml/safe-parse.ts with one @xmldom/xmldom's DOMParser built from the same
// text: every own property of every node (positions excepted: the safe parser keeps no line numbers), the
// sibling/parent links and childNodes lists, attribute maps and the namespace lookups that read xmldom's _nsMap.
// Returns the first difference as a path and a message, or undefined when the trees are the same.
import { DOMParser, XMLSerializer } from "@xmldom/xmldom";

const IGNORED = new Set(["lineNumber", "columnNumber", "_inc"]);
const LINKS = new Set(["parentNode", "previousSibling", "nextSibling", "firstChild", "lastChild", "ownerDocument", "ownerElement", "documentElement", "childNodes", "attributes", "_ownerElement", "_nsMap", "implementation", "doctype"]);

/** xmldom's own parse: XML 1.0 line ends, any error thrown. */
export function xmldomParse(text: string): Document {
  let failure: string | undefined;
  const doc = new DOMParser({
    normalizeLineEndings: (s: string) => s.replace(/\r\n?/g, "\n"),
    onError: (level: string, message: string) => {
      if (level === "warning") return;
      failure ??= message;
      throw new Error(message);
    },
  }).parseFromString(text, "text/xml") as unknown as Document;
  if (failure) throw new Error(failure);
  return doc;
}

type Any = Record<string, unknown> & Node;

function ownKeys(n: object): string[] {
  return Object.keys(n).filter((k) => !IGNORED.has(k)).sort();
}

/** Document-level children that count: xmldom also reports the XML declaration as a PI and whitespace as text. */
function documentChildren(doc: Document): Node[] {
  const out: Node[] = [];
  for (let c = doc.firstChild; c; c = c.nextSibling) {
    if (c.nodeType === 7 && (c as ProcessingInstruction).target === "xml") continue;
    if (c.nodeType === 3 && !(c as Text).data.trim()) continue;
    out.push(c);
  }
  return out;
}

export function compareTrees(ours: Document, theirs: Document): string | undefined {
  const a = documentChildren(ours);
  const b = documentChildren(theirs);
  if (a.length !== b.length) return `document: ${a.length} children vs ${b.length}`;
  if (ours.contentType !== theirs.contentType || (ours as unknown as Any).type !== (theirs as unknown as Any).type) return "document: content type";
  if (documentChildren(ours).length !== ours.childNodes.length) return "document: the safe parser left whitespace or a declaration PI";
  for (let i = 0; i < a.length; i++) {
    const d = compareNode(a[i]! as Any, b[i]! as Any, ours, `/${i}`);
    if (d) return d;
  }
  if ((ours.documentElement === a.find((n) => n.nodeType === 1)) !== true) return "document: documentElement";
  const sa = new XMLSerializer().serializeToString(ours.documentElement! as unknown as Parameters<XMLSerializer["serializeToString"]>[0]);
  const sb = new XMLSerializer().serializeToString(theirs.documentElement! as unknown as Parameters<XMLSerializer["serializeToString"]>[0]);
  if (sa !== sb) return `serialization differs:\n${sa.slice(0, 300)}\n${sb.slice(0, 300)}`;
  return undefined;
}

function compareNode(x: Any, y: Any, doc: Document, path: string): string | undefined {
  const kx = ownKeys(x);
  const ky = ownKeys(y);
  if (kx.join() !== ky.join()) return `${path}: own properties [${kx}] vs [${ky}]`;
  if (Object.getPrototypeOf(x) !== Object.getPrototypeOf(y)) return `${path}: prototype`;
  for (const k of kx) {
    if (LINKS.has(k)) continue;
    // xmldom stores an absent PI data as undefined, the safe parser as "": both read as "" through `data`.
    if (k === "_data" && x.data === y.data) continue;
    if (x[k] !== y[k]) return `${path}: ${k} ${JSON.stringify(x[k])} vs ${JSON.stringify(y[k])}`;
  }
  if (x.ownerDocument !== doc) return `${path}: ownerDocument`;
  if (x.nodeType === 1) {
    const ex = x as unknown as Element;
    const ey = y as unknown as Element;
    const nx = (x as unknown as { _nsMap: object })._nsMap;
    const ny = (y as unknown as { _nsMap: object })._nsMap;
    if (JSON.stringify(Object.entries(nx).sort()) !== JSON.stringify(Object.entries(ny).sort())) return `${path}: _nsMap`;
    if (Object.getPrototypeOf(nx) !== Object.getPrototypeOf(ny)) return `${path}: _nsMap prototype`;
    if (ex.attributes.length !== ey.attributes.length) return `${path}: ${ex.attributes.length} attributes vs ${ey.attributes.length}`;
    if (ownKeys(ex.attributes).join() !== ownKeys(ey.attributes).join()) return `${path}: attribute map properties`;
    if ((ex.attributes as unknown as Any)._ownerElement !== ex) return `${path}: attribute map owner`;
    for (let i = 0; i < ex.attributes.length; i++) {
      const ax = ex.attributes.item(i)! as unknown as Any;
      const ay = ey.attributes.item(i)! as unknown as Any;
      const d = compareNode(ax, ay, doc, `${path}@${i}`);
      if (d) return d;
      if (ax.ownerElement !== ex) return `${path}@${i}: ownerElement`;
      const attr = ax as unknown as Attr;
      if (ex.getAttributeNodeNS(attr.namespaceURI, attr.localName!) !== (ax as unknown as Attr)) return `${path}@${i}: getAttributeNodeNS`;
      if (ex.getAttributeNode(attr.name) !== (ax as unknown as Attr)) return `${path}@${i}: getAttributeNode`;
      if (attr.prefix && ex.lookupNamespaceURI(attr.prefix) !== ey.lookupNamespaceURI(attr.prefix)) return `${path}@${i}: lookupNamespaceURI(${attr.prefix})`;
    }
    for (const p of [ex.prefix, null, "xml"]) {
      if (ex.lookupNamespaceURI(p) !== ey.lookupNamespaceURI(p)) return `${path}: lookupNamespaceURI(${p})`;
    }
  }
  const cx = x.childNodes;
  const cy = y.childNodes;
  if ((cx?.length ?? 0) !== (cy?.length ?? 0)) return `${path}: ${cx?.length} children vs ${cy?.length}`;
  if (cx && ownKeys(cx).join() !== ownKeys(cy!).join()) return `${path}: childNodes properties`;
  let prev: Node | null = null;
  let c = x.firstChild;
  for (let i = 0; i < (cx?.length ?? 0); i++, prev = c, c = c!.nextSibling) {
    if (cx![i] !== c) return `${path}/${i}: childNodes and nextSibling disagree`;
    if (c!.previousSibling !== prev || (c!.parentNode as unknown) !== x) return `${path}/${i}: previousSibling or parentNode`;
    const d = compareNode(c as unknown as Any, cy![i] as unknown as Any, doc, `${path}/${i}`);
    if (d) return d;
  }
  if (c !== null || x.lastChild !== prev) return `${path}: lastChild`;
  return undefined;
}
