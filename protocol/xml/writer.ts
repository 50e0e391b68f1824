// A small XML writer whose output is already in Exclusive XML Canonicalization form (exc-c14n 1.0, without
// comments): namespace declarations are emitted exactly where a prefix is visibly used and not yet declared by
// an output ancestor, attributes are sorted as c14n orders them, no element is self-closed, and text and
// attribute values are escaped as c14n escapes them. An issuer that writes its tokens this way can digest its
// own bytes instead of re-parsing and canonicalizing them (the fast path measured in bench/issue).
import { NS } from "../namespaces.ts";

export interface XElement {
  /** Namespace prefix ("" for an element in no namespace). */
  p: string;
  /** Local name. */
  n: string;
  /** Attributes: "local" or "prefix:local" → value. Order does not matter. */
  a?: Record<string, string | undefined>;
  c?: XNode[];
}

/** Pre-serialized XML inserted verbatim (for example a signed token). It is not re-checked or canonicalized. */
export interface RawXml {
  raw: string;
}

export type XNode = XElement | RawXml | string;

/** Prefix → namespace URI used by every writer call unless a document passes its own. */
export const PREFIXES: Readonly<Record<string, string>> = {
  s: NS.s12,
  s11: NS.s11,
  wst: NS.wst13,
  t: NS.wst2005,
  wst14: NS.wst14,
  wsse: NS.wsse,
  wsse11: NS.wsse11,
  wsu: NS.wsu,
  wsp: NS.wsp,
  wsp15: NS.wsp15,
  wsa: NS.wsa,
  fed: NS.fed,
  auth: NS.auth,
  md: NS.md,
  saml: NS.saml11,
  saml2: NS.saml2,
  ic: NS.ic,
  ds: NS.ds,
  xenc: NS.xenc,
  xsi: NS.xsi,
  xs: NS.xs,
  xml: NS.xml,
};

export class XmlWriteError extends Error {
  override readonly name = "XmlWriteError";
}

// XML 1.0 Char production: refuse what no XML document can carry, even escaped.
const INVALID_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function checkChars(s: string): void {
  if (INVALID_CHARS.test(s)) throw new XmlWriteError("value contains a character that XML cannot carry");
}

// Fast path: most values (URIs, ids, base64, times) contain nothing to escape and nothing suspicious. Anything
// outside printable ASCII goes through the full check.
const PLAIN_TEXT = /^[\x20-\x25\x27-\x3b\x3d\x3f-\x7e\n\t]*$/;
const PLAIN_ATTR = /^[\x20\x21\x23-\x25\x27-\x3b\x3d-\x7e]*$/;
const TEXT_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#xD;" };
const ATTR_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", '"': "&quot;", "\t": "&#x9;", "\n": "&#xA;", "\r": "&#xD;" };
const textEscape = (c: string): string => TEXT_ESCAPES[c]!;
const attrEscape = (c: string): string => ATTR_ESCAPES[c]!;

/** Escape character data as exc-c14n renders it. */
export function escapeText(s: string): string {
  if (PLAIN_TEXT.test(s)) return s;
  checkChars(s);
  return s.replace(/[&<>\r]/g, textEscape);
}

/** Escape an attribute value as exc-c14n renders it. */
export function escapeAttr(s: string): string {
  if (PLAIN_ATTR.test(s)) return s;
  checkChars(s);
  return s.replace(/[&<"\t\n\r]/g, attrEscape);
}

const NAME = /^[A-Za-z_][A-Za-z0-9._-]*$/;
// Element and attribute names come from a small fixed vocabulary: remember the ones already checked.
const checkedNames = new Set<string>();
function goodName(n: string): boolean {
  if (checkedNames.has(n)) return true;
  if (!NAME.test(n)) return false;
  if (checkedNames.size < 10_000) checkedNames.add(n);
  return true;
}

function prefixOf(qname: string): [string, string] {
  const i = qname.indexOf(":");
  return i < 0 ? ["", qname] : [qname.slice(0, i), qname.slice(i + 1)];
}

export function el(qname: string, a?: Record<string, string | undefined> | XNode[], ...c: XNode[]): XElement {
  const [p, n] = prefixOf(qname);
  if (Array.isArray(a)) return { p, n, c: [...a, ...c] };
  return { p, n, a, c };
}

export function raw(xml: string): RawXml {
  return { raw: xml };
}

/**
 * Serialize in exc-c14n form. `rendered` holds the declarations an output ancestor already emitted (for
 * serializing a fragment that will sit inside them).
 */
export function serialize(
  node: XNode,
  prefixes: Readonly<Record<string, string>> = PREFIXES,
  rendered: ReadonlyMap<string, string> = new Map(),
): string {
  const out: string[] = [];
  write(node, prefixes, rendered, out);
  return out.join("");
}

function uriOf(prefixes: Readonly<Record<string, string>>, p: string): string {
  if (p === "xml") return NS.xml;
  const uri = prefixes[p];
  if (uri === undefined) throw new XmlWriteError(`prefix ${p} is not bound`);
  return uri;
}

function write(
  node: XNode,
  prefixes: Readonly<Record<string, string>>,
  rendered: ReadonlyMap<string, string>,
  out: string[],
): void {
  out.push(render(node, prefixes, rendered));
}

const byFirst = (x: [string, string], y: [string, string]) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0);
const byUriThenLocal = (x: [string, string, string, string], y: [string, string, string, string]) =>
  x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : 0;

// String concatenation (V8 ropes) with a fast path for the common element without attributes: this runs for every
// element of every token and response, so it is kept allocation-light.
function render(node: XNode, prefixes: Readonly<Record<string, string>>, rendered: ReadonlyMap<string, string>): string {
  if (typeof node === "string") return escapeText(node);
  if ("raw" in node) return node.raw;
  if (!goodName(node.n) || (node.p && !goodName(node.p))) throw new XmlWriteError(`bad element name ${node.p}:${node.n}`);
  const tag = node.p ? `${node.p}:${node.n}` : node.n;
  let open = `<${tag}`;
  let inner = rendered;
  const attrs = node.a;
  let hasAttrs = false;
  if (attrs) for (const k in attrs) if (attrs[k] !== undefined) { hasAttrs = true; break; }
  if (!hasAttrs) {
    if (node.p) {
      const uri = uriOf(prefixes, node.p);
      if (rendered.get(node.p) !== uri) {
        open += ` xmlns:${node.p}="${escapeAttr(uri)}"`;
        const m = new Map(rendered);
        m.set(node.p, uri);
        inner = m;
      }
    }
  } else {
    const used = new Map<string, string>();
    if (node.p) used.set(node.p, uriOf(prefixes, node.p));
    const plain: [string, string][] = [];
    const qualified: [string, string, string, string][] = []; // uri, local, qname, value
    for (const k in attrs) {
      const v = attrs![k];
      if (v === undefined) continue;
      if (k.startsWith("xmlns")) throw new XmlWriteError("namespace declarations are emitted by the writer");
      const [ap, al] = prefixOf(k);
      if (!goodName(al)) throw new XmlWriteError(`bad attribute name ${k}`);
      if (ap) {
        const uri = uriOf(prefixes, ap);
        if (ap !== "xml") used.set(ap, uri);
        qualified.push([uri, al, k, v]);
      } else {
        plain.push([k, v]);
      }
    }
    const decls: [string, string][] = [];
    for (const [p, uri] of used) if (rendered.get(p) !== uri) decls.push([p, uri]);
    if (decls.length > 1) decls.sort(byFirst);
    if (plain.length > 1) plain.sort(byFirst);
    if (qualified.length > 1) qualified.sort(byUriThenLocal);
    for (const [p, uri] of decls) open += ` xmlns:${p}="${escapeAttr(uri)}"`;
    for (const [k, v] of plain) open += ` ${k}="${escapeAttr(v)}"`;
    for (const [, , k, v] of qualified) open += ` ${k}="${escapeAttr(v)}"`;
    if (decls.length) {
      const m = new Map(rendered);
      for (const [p, uri] of decls) m.set(p, uri);
      inner = m;
    }
  }
  let body = "";
  if (node.c) for (const child of node.c) body += render(child, prefixes, inner);
  return `${open}>${body}</${tag}>`;
}

/**
 * A parsed element back as writer nodes (to re-emit it canonically inside a new token, e.g. a holder-of-key
 * KeyInfo on renewal). Every namespace must be one PREFIXES binds; the element's own prefix is kept when it binds
 * the same namespace there. Comments and processing instructions are dropped (exc-c14n without comments).
 */
export function fromDom(e: Element, prefixes: Readonly<Record<string, string>> = PREFIXES): XElement {
  const prefixFor = (ns: string | null, own: string | null): string => {
    if (!ns) return "";
    if (own && prefixes[own] === ns) return own;
    for (const [p, uri] of Object.entries(prefixes)) if (uri === ns) return p;
    throw new XmlWriteError(`namespace ${ns} has no prefix in the writer's map`);
  };
  const a: Record<string, string> = {};
  for (let i = 0; i < e.attributes.length; i++) {
    const at = e.attributes.item(i)!;
    if (at.name === "xmlns" || at.name.startsWith("xmlns:")) continue;
    const p = at.namespaceURI ? prefixFor(at.namespaceURI, at.prefix) : "";
    a[p ? `${p}:${at.localName}` : at.localName!] = at.value;
  }
  const c: XNode[] = [];
  for (let n = e.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 1) c.push(fromDom(n as Element, prefixes));
    else if (n.nodeType === 3 || n.nodeType === 4) c.push((n as CharacterData).data);
  }
  return { p: prefixFor(e.namespaceURI, e.prefix), n: e.localName!, a, c };
}
