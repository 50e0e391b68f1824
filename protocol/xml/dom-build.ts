// Construction of an @xmldom/xmldom tree from names and values the safe parser has already checked.
//
// xmldom's own parser builds through createElementNS/createAttributeNS (a Unicode QName RegExp per name) and
// appendChild (pre-insertion checks that walk the ancestors); together with its tokenizer that was a third of a
// fuzz case's CPU. Here the nodes come from xmldom's own factories and the one step they check, linking a new last
// child, is done directly on xmldom's layout: the sibling/parent links, the `childNodes` list and the document's
// modification counter `_inc`, exactly as xmldom's `_insertBefore` leaves them when appending. The layout is
// that of the pinned 0.9.12 (package.json has no range); test/protocol/safe-parse-differential.test.ts compares
// every own property of every node against a tree xmldom's parser built, so an upgrade that changes it fails there.
import { DOMImplementation } from "@xmldom/xmldom";

const implementation = new DOMImplementation();

export const XML_NS = "http://www.w3.org/XML/1998/namespace";
export const XMLNS_NS = "http://www.w3.org/2000/xmlns/";

/** A new, empty XML document, as xmldom's DOMParser starts one. */
export function newDocument(): Document {
  return implementation.createDocument(null, "") as unknown as Document;
}

/** Append a node created in `doc` and not yet in any tree as the last child of the element `parent`. */
function appendNew(doc: Document, parent: Node, node: Node): void {
  const p = parent as unknown as { firstChild: Node | null; lastChild: Node | null; childNodes: { length: number; [i: number]: Node } };
  const n = node as unknown as { parentNode: Node; previousSibling: Node | null; nextSibling: Node | null };
  const last = p.lastChild;
  n.previousSibling = last;
  n.nextSibling = null;
  if (last) (last as unknown as { nextSibling: Node }).nextSibling = node;
  else p.firstChild = node;
  p.lastChild = node;
  n.parentNode = parent;
  const list = p.childNodes;
  list[list.length++] = node;
  (doc as unknown as { _inc: number })._inc++;
}

/** Append to the document itself (root element, comments and PIs outside it): rare, so xmldom's checked path. */
function appendToDocument(doc: Document, node: Node): void {
  doc.appendChild(node);
}

export function appendChild(doc: Document, parent: Node | null, node: Node): void {
  if (parent) appendNew(doc, parent, node);
  else appendToDocument(doc, node);
}

/** An element with its namespace already resolved; `prefix` is null when the name has none. */
export function createElement(doc: Document, qname: string, namespaceURI: string | null, prefix: string | null, localName: string): Element {
  const el = doc.createElement(qname) as unknown as { namespaceURI: string | null; prefix: string | null; localName: string };
  el.namespaceURI = namespaceURI;
  el.prefix = prefix;
  el.localName = localName;
  return el as unknown as Element;
}

/** Set an attribute (namespace already resolved, value already normalised) on an element. */
export function addAttribute(doc: Document, el: Element, qname: string, namespaceURI: string | null, prefix: string | null, localName: string, value: string): void {
  const attr = (doc as unknown as { _createAttribute(n: string): Attr })._createAttribute(qname) as unknown as {
    namespaceURI: string | null;
    prefix: string | null;
    localName: string;
    value: string;
    nodeValue: string;
  };
  attr.namespaceURI = namespaceURI;
  attr.prefix = prefix;
  attr.localName = localName;
  attr.value = attr.nodeValue = value;
  // setAttributeNode keeps xmldom's attribute index and, for a namespace declaration, the element's _nsMap
  // (lookupNamespaceURI reads it) in step.
  el.setAttributeNode(attr as unknown as Attr);
}

export function createText(doc: Document, data: string): Node {
  return doc.createTextNode(data);
}

export function createCData(doc: Document, data: string): Node {
  return doc.createCDATASection(data);
}

export function createComment(doc: Document, data: string): Node {
  return doc.createComment(data);
}

export function createProcessingInstruction(doc: Document, target: string, data: string): Node {
  return doc.createProcessingInstruction(target, data);
}
