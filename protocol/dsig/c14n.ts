// Canonicalization of DOM subtrees (from @xmldom/xmldom) on top of xml-crypto's canonicalizers.
//
// xml-crypto 6.3.2 is used for the namespace-axis logic, with fixes for what it gets wrong on xmldom 0.9 nodes
// (each one checked by a test in test/protocol/c14n.test.ts):
//  - an element in no namespace under a default namespace: xmldom reports namespaceURI null, and xml-crypto then
//    re-emits xmlns="" on every descendant; the default is normalized to "" here;
//  - processing instructions were rendered as text, and empty text nodes threw; rendered per c14n here;
//  - comments were escaped; c14n renders comment text as is;
//  - namespace declarations are sorted by code point, attributes by (namespace URI, local name) as c14n says,
//    where xml-crypto used localeCompare and a concatenated key;
//  - the InclusiveNamespaces prefix list was honoured by writing declarations into the caller's element; here
//    a clone receives them, so the caller's DOM is never changed.
// What still cannot be rendered faithfully (#default in a PrefixList with a default namespace in play, xml:*
// attributes inherited by an inclusive-c14n apex, namespace URIs that would need escaping) throws C14nError, so a
// verifier fails closed instead of digesting something other than what the signer saw.
import { C14nCanonicalization, ExclusiveCanonicalization } from "xml-crypto";
import { NS, DSIG } from "../namespaces.ts";
import { CDATA_SECTION_NODE, COMMENT_NODE, DOCUMENT_NODE, ELEMENT_NODE, PROCESSING_INSTRUCTION_NODE, TEXT_NODE } from "../xml/dom.ts";

export class C14nError extends Error {
  override readonly name = "C14nError";
}

export interface C14nOptions {
  /** InclusiveNamespaces PrefixList (exc-c14n only): prefixes treated as in inclusive c14n. */
  inclusivePrefixes?: string[];
  withComments?: boolean;
  /** A descendant to leave out with its subtree: what the enveloped-signature transform removes. */
  exclude?: Node;
}

function escapeText(s: string): string {
  return s.replace(/[&<>\r]/g, (c) => (c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : "&#xD;"));
}

const NEEDS_ESCAPE = /[&<"\t\n\r]/;

function checkNamespaces(node: Element): void {
  if (node.namespaceURI && NEEDS_ESCAPE.test(node.namespaceURI)) {
    throw new C14nError("a namespace URI contains characters that canonicalization would have to escape");
  }
  const attrs = node.attributes;
  for (let i = 0; i < attrs.length; i++) {
    const a = attrs.item(i)!;
    const uri = a.prefix === "xmlns" || a.name === "xmlns" ? a.value : a.namespaceURI;
    if (uri && NEEDS_ESCAPE.test(uri)) {
      throw new C14nError("a namespace URI contains characters that canonicalization would have to escape");
    }
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function attrCompare(a: Attr, b: Attr): number {
  const ua = a.namespaceURI ?? "";
  const ub = b.namespaceURI ?? "";
  // Attributes in no namespace come first, then by namespace URI, then by local name (c14n 1.0 §2.2).
  if (!ua && ub) return -1;
  if (ua && !ub) return 1;
  return cmp(ua, ub) || cmp(a.localName ?? a.name, b.localName ?? b.name);
}

function nsCompare(a: { prefix: string }, b: { prefix: string }): number {
  return cmp(a.prefix ?? "", b.prefix ?? "");
}

/** Render the non-element nodes ourselves; returns undefined for elements (left to xml-crypto). */
function renderLeaf(node: Node, includeComments: boolean): string | undefined {
  switch (node.nodeType) {
    case TEXT_NODE:
    case CDATA_SECTION_NODE:
      return escapeText((node as CharacterData).data);
    case PROCESSING_INSTRUCTION_NODE: {
      const pi = node as ProcessingInstruction;
      return `<?${pi.target}${pi.data ? ` ${pi.data}` : ""}?>`;
    }
    case COMMENT_NODE:
      return includeComments ? `<!--${(node as Comment).data}-->` : "";
    case ELEMENT_NODE:
      checkNamespaces(node as Element);
      return undefined;
    default:
      throw new C14nError(`cannot canonicalize node type ${node.nodeType}`);
  }
}

class ExcC14n extends ExclusiveCanonicalization {
  constructor(
    withComments: boolean,
    private readonly exclude?: Node,
  ) {
    super();
    this.includeComments = withComments;
  }
  override attrCompare(a: Attr, b: Attr): 1 | 0 | -1 {
    return attrCompare(a, b) as 1 | 0 | -1;
  }
  override nsCompare(a: { prefix: string }, b: { prefix: string }): number {
    return nsCompare(a, b);
  }
  override processInner(
    node: Node,
    prefixesInScope: unknown,
    defaultNs: string | null,
    defaultNsForPrefix: unknown,
    inclusive: string[],
  ): string {
    if (node === this.exclude) return "";
    const leaf = renderLeaf(node, this.includeComments);
    if (leaf !== undefined) return leaf;
    return super.processInner(node, prefixesInScope, defaultNs ?? "", defaultNsForPrefix, inclusive);
  }
}

class IncC14n extends C14nCanonicalization {
  constructor(
    withComments: boolean,
    private readonly exclude?: Node,
  ) {
    super();
    this.includeComments = withComments;
  }
  override attrCompare(a: Attr, b: Attr): 1 | 0 | -1 {
    return attrCompare(a, b) as 1 | 0 | -1;
  }
  override nsCompare(a: { prefix: string }, b: { prefix: string }): number {
    return nsCompare(a, b);
  }
  override processInner(
    node: Node,
    prefixesInScope: unknown,
    defaultNs: string | null,
    defaultNsForPrefix: unknown,
    ancestorNamespaces: unknown,
    namespacesInScope?: { prefix: string; namespaceURI: string }[],
  ): string {
    if (node === this.exclude) return "";
    const leaf = renderLeaf(node, this.includeComments);
    if (leaf !== undefined) return leaf;
    return super.processInner(node, prefixesInScope, defaultNs ?? "", defaultNsForPrefix, ancestorNamespaces, namespacesInScope);
  }
}

/** The node at the same position in `clone` as `node` is in `original` (clone = original.cloneNode(true)). */
function counterpart(original: Element, clone: Element, node: Node): Node | undefined {
  const path: number[] = [];
  let n: Node = node;
  while (n !== original) {
    const parent = n.parentNode;
    if (!parent) return undefined; // not inside the apex: nothing to exclude
    let i = 0;
    for (let c = parent.firstChild; c && c !== n; c = c.nextSibling) i++;
    path.unshift(i);
    n = parent;
  }
  let m: Node = clone;
  for (const i of path) {
    let c = m.firstChild;
    for (let k = 0; k < i && c; k++) c = c.nextSibling;
    if (!c) return undefined;
    m = c;
  }
  return m;
}

function apexOf(node: Node): Element {
  if (node.nodeType === ELEMENT_NODE) return node as Element;
  if (node.nodeType === DOCUMENT_NODE) {
    const doc = node as Document;
    for (let c = doc.firstChild; c; c = c.nextSibling) {
      if (c.nodeType === PROCESSING_INSTRUCTION_NODE || c.nodeType === COMMENT_NODE) {
        throw new C14nError("canonicalizing a whole document with nodes outside the root is not supported");
      }
    }
    if (!doc.documentElement) throw new C14nError("document has no root");
    return doc.documentElement;
  }
  throw new C14nError("only elements (or a document) can be canonicalized");
}

/** Namespace bindings in scope at `el` from its ancestors (nearest wins); "" is the default namespace. */
function ancestorBindings(el: Element): Map<string, string> {
  const out = new Map<string, string>();
  for (let p = el.parentNode; p && p.nodeType === ELEMENT_NODE; p = p.parentNode) {
    const attrs = (p as Element).attributes;
    for (let i = 0; i < attrs.length; i++) {
      const a = attrs.item(i)!;
      if (a.name === "xmlns") {
        if (!out.has("")) out.set("", a.value);
      } else if (a.prefix === "xmlns") {
        if (!out.has(a.localName!)) out.set(a.localName!, a.value);
      }
    }
  }
  return out;
}

function declaresOn(el: Element, prefix: string): boolean {
  return prefix === "" ? el.hasAttribute("xmlns") : el.hasAttributeNS(NS.xmlns, prefix);
}

function subtreeDeclaresDefault(el: Element): boolean {
  const stack: Element[] = [el];
  while (stack.length) {
    const e = stack.pop()!;
    if (e.hasAttribute("xmlns")) return true;
    for (let c = e.firstChild; c; c = c.nextSibling) if (c.nodeType === ELEMENT_NODE) stack.push(c as Element);
  }
  return false;
}

/**
 * Exclusive XML Canonicalization 1.0 of an element subtree (a document means its root element). The caller's
 * DOM is never modified.
 */
export function excC14n(node: Node, opts: C14nOptions = {}): string {
  let apex = apexOf(node);
  let exclude = opts.exclude;
  if (exclude === apex) throw new C14nError("cannot exclude the apex itself");
  const prefixes = (opts.inclusivePrefixes ?? []).filter((p) => p.length > 0);
  let list: string[] = [];
  if (prefixes.length) {
    for (const p of prefixes) {
      if (p !== "#default" && !/^[A-Za-z_][\w.-]*$/.test(p)) throw new C14nError(`bad prefix ${p} in PrefixList`);
    }
    const inherited = ancestorBindings(apex);
    if (prefixes.includes("#default")) {
      const d = apex.hasAttribute("xmlns") ? apex.getAttribute("xmlns") : inherited.get("");
      if (d || subtreeDeclaresDefault(apex)) {
        throw new C14nError("#default in an InclusiveNamespaces PrefixList is not supported with a default namespace");
      }
    }
    list = prefixes.filter((p) => p !== "#default");
    // Inclusive prefixes declared by ancestors render on the apex: put them on a clone, never on the caller's node.
    const missing = list.filter((p) => inherited.has(p) && !declaresOn(apex, p));
    if (missing.length) {
      const clone = apex.cloneNode(true) as Element;
      for (const p of missing) clone.setAttributeNS(NS.xmlns, `xmlns:${p}`, inherited.get(p)!);
      if (exclude) exclude = counterpart(apex, clone, exclude);
      apex = clone;
    }
  }
  const c = new ExcC14n(!!opts.withComments, exclude);
  // process() only reads a PrefixList from the element when none is given; pass a non-empty list or a sentinel.
  return c.process(apex, { inclusiveNamespacesPrefixList: list.length ? list : [" "] });
}

/**
 * Inclusive Canonical XML 1.0 of an element subtree, for verifying signatures made by others (never used to
 * sign). Namespace declarations in scope from ancestors are rendered on the apex.
 */
export function inclusiveC14n(node: Node, opts: { withComments?: boolean; exclude?: Node } = {}): string {
  const apex = apexOf(node);
  if (opts.exclude === apex) throw new C14nError("cannot exclude the apex itself");
  for (let p = apex.parentNode; p && p.nodeType === ELEMENT_NODE; p = p.parentNode) {
    const attrs = (p as Element).attributes;
    for (let i = 0; i < attrs.length; i++) {
      if (attrs.item(i)!.namespaceURI === NS.xml) {
        throw new C14nError("inherited xml:* attributes are not supported by inclusive c14n here");
      }
    }
  }
  const ancestors: { prefix: string; namespaceURI: string }[] = [];
  for (const [prefix, uri] of ancestorBindings(apex)) {
    if (declaresOn(apex, prefix)) continue;
    if (prefix === "" && !uri) continue;
    if (uri && NEEDS_ESCAPE.test(uri)) throw new C14nError("a namespace URI needs escaping");
    ancestors.push({ prefix, namespaceURI: uri });
  }
  const c = new IncC14n(!!opts.withComments, opts.exclude);
  return c.process(apex, { ancestorNamespaces: ancestors });
}

/** Canonicalization algorithms by URI. */
export const C14N_ALGORITHMS = [DSIG.excC14n, DSIG.excC14nWithComments, DSIG.c14n, `${DSIG.c14n}#WithComments`] as const;

/** Canonicalize with the algorithm named by URI; C14nError for an unknown URI. */
export function canonicalize(
  node: Node,
  algorithm: string,
  opts: { inclusivePrefixes?: string[]; exclude?: Node } = {},
): string {
  const { inclusivePrefixes, exclude } = opts;
  switch (algorithm) {
    case DSIG.excC14n:
      return excC14n(node, { inclusivePrefixes, exclude });
    case DSIG.excC14nWithComments:
      return excC14n(node, { inclusivePrefixes, exclude, withComments: true });
    case DSIG.c14n:
      return inclusiveC14n(node, { exclude });
    case `${DSIG.c14n}#WithComments`:
      return inclusiveC14n(node, { exclude, withComments: true });
    default:
      throw new C14nError(`unknown canonicalization algorithm ${algorithm}`);
  }
}
