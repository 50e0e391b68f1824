// Small, strict DOM navigation helpers. They never look at prefixes, only at namespace URIs and local names.

// DOM node types (the numbers of the DOM standard's Node interface).
export const ELEMENT_NODE = 1;
export const ATTRIBUTE_NODE = 2;
export const TEXT_NODE = 3;
export const CDATA_SECTION_NODE = 4;
export const ENTITY_REFERENCE_NODE = 5;
export const PROCESSING_INSTRUCTION_NODE = 7;
export const COMMENT_NODE = 8;
export const DOCUMENT_NODE = 9;
export const DOCUMENT_TYPE_NODE = 10;
export const DOCUMENT_FRAGMENT_NODE = 11;

/** A structural problem in a message that parsed as XML but does not fit the expected model. */
export class ModelError extends Error {
  override readonly name = "ModelError";
  constructor(
    message: string,
    /** The element (namespace URI + local name) or field the problem is about. */
    readonly where?: string,
  ) {
    // A refusal of hostile input, which is the normal case, not a bug: no stack walk (see reference/fault.ts).
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
  }
}

export function isElement(n: Node | null | undefined): n is Element {
  return !!n && n.nodeType === ELEMENT_NODE;
}

export function qn(el: Element): string {
  return `{${el.namespaceURI ?? ""}}${el.localName}`;
}

export function is(el: Element | null | undefined, ns: string | readonly string[], local: string): boolean {
  if (!el) return false;
  const nsOk = typeof ns === "string" ? el.namespaceURI === ns : ns.includes(el.namespaceURI ?? "");
  return nsOk && el.localName === local;
}

/** Child elements, optionally filtered by namespace (one or several) and local name. */
export function children(parent: Node, ns?: string | readonly string[], local?: string): Element[] {
  const out: Element[] = [];
  for (let c = parent.firstChild; c; c = c.nextSibling) {
    if (!isElement(c)) continue;
    if (ns !== undefined && local !== undefined && !is(c, ns, local)) continue;
    out.push(c);
  }
  return out;
}

/** The single child with that name, undefined when absent; a ModelError when it occurs more than once. */
export function optionalChild(parent: Element, ns: string | readonly string[], local: string): Element | undefined {
  const found = children(parent, ns, local);
  if (found.length > 1) throw new ModelError(`${local} occurs ${found.length} times in ${parent.localName}`, local);
  return found[0];
}

/** The single child with that name; a ModelError when absent or repeated. */
export function requiredChild(parent: Element, ns: string | readonly string[], local: string): Element {
  const el = optionalChild(parent, ns, local);
  if (!el) throw new ModelError(`${parent.localName} lacks the required ${local}`, local);
  return el;
}

/** Text content of an element's own text/CDATA children (not descendants'), with outer whitespace trimmed. */
export function textOf(el: Element): string {
  let s = "";
  for (let c = el.firstChild; c; c = c.nextSibling) {
    if (c.nodeType === TEXT_NODE || c.nodeType === CDATA_SECTION_NODE) s += (c as CharacterData).data;
    else if (isElement(c)) throw new ModelError(`${el.localName} must hold text only`, el.localName);
  }
  return s.trim();
}

/** An attribute by local name in no namespace (ns undefined) or in a namespace. */
export function attr(el: Element, local: string, ns?: string): string | undefined {
  const v = ns === undefined ? el.getAttributeNode(local) : el.getAttributeNodeNS(ns, local);
  return v ? v.value : undefined;
}

/** All descendants (document order) matching namespace and local name. Iterative: safe for deep input. */
export function descendants(root: Node, ns: string, local: string): Element[] {
  const out: Element[] = [];
  const stack: Node[] = [];
  for (let c = root.lastChild; c; c = c.previousSibling) stack.push(c);
  while (stack.length) {
    const n = stack.pop()!;
    if (!isElement(n)) continue;
    if (n.namespaceURI === ns && n.localName === local) out.push(n);
    for (let c = n.lastChild; c; c = c.previousSibling) stack.push(c);
  }
  return out;
}

/** Every element carrying an attribute named `ID`, `AssertionID`, `Id` or wsu:Id with this value. */
export function elementsById(root: Node, id: string, wsuNs: string): Element[] {
  const out: Element[] = [];
  const stack: Node[] = [root];
  while (stack.length) {
    const n = stack.pop()!;
    if (isElement(n)) {
      if (
        n.getAttribute("ID") === id ||
        n.getAttribute("AssertionID") === id ||
        n.getAttribute("Id") === id ||
        n.getAttributeNS(wsuNs, "Id") === id
      ) {
        out.push(n);
      }
    }
    for (let c = n.lastChild; c; c = c.previousSibling) stack.push(c);
  }
  return out;
}
