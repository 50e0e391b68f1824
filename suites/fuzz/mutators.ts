// Mutation operators on a serialized message. A mutation is data ({op, at, variant}) so fast-check can generate and
// shrink it and a regression vector can store it; `at` picks an element in document order (modulo the count) and
// `variant` picks among an operator's forms. DOM operators run on the parsed message (our own, parsed with the safe
// parser); text operators (encodings, DOCTYPE, comments and PIs outside the tree) run on the string afterwards.
import fc from "fast-check";
import { serializeDom } from "../../protocol/xml/dom-serialize.ts";
import { NS } from "../../protocol/namespaces.ts";
import { ELEMENT_NODE, TEXT_NODE, CDATA_SECTION_NODE } from "../../protocol/xml/dom.ts";

export const DOM_OPS = [
  "drop",
  "duplicate",
  "reorder",
  "wrong-namespace",
  "prefix",
  "comment",
  "whitespace",
  "cdata",
  "unknown-child",
  "unknown-attribute",
  "empty-text",
  "huge-text",
  "invalid-base64",
  "unicode",
] as const;
export const TEXT_OPS = ["encoding", "doctype-xxe", "leading-comment", "processing-instruction"] as const;
export type MutationOp = (typeof DOM_OPS)[number] | (typeof TEXT_OPS)[number];

export interface XmlMutation {
  op: MutationOp;
  at: number;
  variant: number;
}

export const mutationArb: fc.Arbitrary<XmlMutation> = fc.record({
  op: fc.oneof({ arbitrary: fc.constantFrom<MutationOp>(...DOM_OPS), weight: 6 }, { arbitrary: fc.constantFrom<MutationOp>(...TEXT_OPS), weight: 1 }),
  at: fc.nat({ max: 200 }),
  variant: fc.nat({ max: 7 }),
});

export const FUZZ_NS = "urn:wsconform:fuzz";
/** Replaced by the XXE canary's URL for this case when the message is sent. */
export const CANARY_PLACEHOLDER = "{{xxe-canary}}";

function elements(doc: Document): Element[] {
  const out: Element[] = [];
  const stack: Element[] = doc.documentElement ? [doc.documentElement] : [];
  // Iterative pre-order walk (documents are bounded by the safe parser's limits).
  while (stack.length) {
    const e = stack.pop()!;
    out.push(e);
    const kids: Element[] = [];
    for (let c = e.firstChild; c; c = c.nextSibling) if (c.nodeType === ELEMENT_NODE) kids.push(c as Element);
    for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]!);
  }
  return out;
}

function isLeaf(e: Element): boolean {
  for (let c = e.firstChild; c; c = c.nextSibling) if (c.nodeType === ELEMENT_NODE) return false;
  return true;
}

function setText(e: Element, text: string): void {
  while (e.firstChild) e.removeChild(e.firstChild);
  if (text) e.appendChild(e.ownerDocument!.createTextNode(text));
}

function textOfLeaf(e: Element): string {
  let s = "";
  for (let c = e.firstChild; c; c = c.nextSibling) if (c.nodeType === TEXT_NODE || c.nodeType === CDATA_SECTION_NODE) s += (c as CharacterData).data;
  return s;
}

/** The same element under another name: children and attributes move over. */
function rename(e: Element, ns: string | null, qname: string): Element {
  const doc = e.ownerDocument!;
  const n = doc.createElementNS(ns, qname);
  for (let i = 0; i < e.attributes.length; i++) {
    const a = e.attributes.item(i)!;
    n.setAttributeNS(a.namespaceURI, a.name, a.value);
  }
  while (e.firstChild) n.appendChild(e.firstChild);
  if (e.parentNode) e.parentNode.replaceChild(n, e);
  return n;
}

const HUGE = [1_000, 65_536, 1_100_000];
const OTHER_NS = [FUZZ_NS, NS.wst2005, NS.wst13, NS.wst14, NS.wsse11, ""];

/** Fullwidth forms fold back to ASCII under NFKC: a target that normalizes before comparing would be fooled. */
function fullwidth(s: string): string {
  return s.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
}

function applyDom(doc: Document, m: XmlMutation): void {
  const all = elements(doc);
  if (!all.length) return;
  const e = all[m.at % all.length]!;
  const root = e === doc.documentElement;
  const parent = e.parentNode;
  switch (m.op) {
    case "drop":
      if (!root) parent!.removeChild(e);
      return;
    case "duplicate":
      if (!root) parent!.insertBefore(e.cloneNode(true), e.nextSibling);
      return;
    case "reorder": {
      if (root) return;
      let prev = e.previousSibling;
      while (prev && prev.nodeType !== ELEMENT_NODE) prev = prev.previousSibling;
      if (prev) parent!.insertBefore(e, prev);
      else {
        let next = e.nextSibling;
        while (next && next.nodeType !== ELEMENT_NODE) next = next.nextSibling;
        if (next) parent!.insertBefore(next, e);
      }
      return;
    }
    case "wrong-namespace": {
      const ns = OTHER_NS[m.variant % OTHER_NS.length]!;
      rename(e, ns || null, ns ? `fz:${e.localName}` : e.localName!);
      return;
    }
    case "prefix": {
      // Same namespace under a fresh prefix (or as the default namespace): the message means the same thing. An
      // element in no namespace cannot take a prefix; it gets an explicit xmlns="" instead.
      const p = m.variant % 2 && e.namespaceURI ? `p${m.variant}` : "";
      const n = rename(e, e.namespaceURI, p ? `${p}:${e.localName}` : e.localName!);
      n.setAttributeNS(NS.xmlns, p ? `xmlns:${p}` : "xmlns", e.namespaceURI ?? "");
      return;
    }
    case "comment":
      e.insertBefore(doc.createComment(m.variant % 2 ? "" : " fuzz "), e.firstChild);
      return;
    case "whitespace":
      e.insertBefore(doc.createTextNode(["\n", " ", "\t\r\n  ", "\u00a0"][m.variant % 4]!), m.variant % 2 ? null : e.firstChild);
      return;
    case "cdata": {
      if (!isLeaf(e)) return;
      const t = textOfLeaf(e);
      setText(e, "");
      e.appendChild(doc.createCDATASection(t));
      return;
    }
    case "unknown-child": {
      const x = doc.createElementNS(m.variant % 3 === 2 ? e.namespaceURI : FUZZ_NS, m.variant % 3 === 2 ? `${e.prefix ? `${e.prefix}:` : ""}FuzzExtension` : "fz:Fuzz");
      x.appendChild(doc.createTextNode("x"));
      e.appendChild(x);
      return;
    }
    case "unknown-attribute":
      if (m.variant % 2) e.setAttribute("Fuzz", "1");
      else e.setAttributeNS(FUZZ_NS, "fz:fuzz", "1");
      return;
    case "empty-text":
      setText(e, "");
      return;
    case "huge-text":
      if (isLeaf(e)) setText(e, "A".repeat(HUGE[m.variant % HUGE.length]!));
      return;
    case "invalid-base64":
      if (isLeaf(e)) setText(e, ["!!!not-base64!!!", "QUJD", "QUJDRA", "QU JD\nRA==", "=="][m.variant % 5]!);
      return;
    case "unicode": {
      if (!isLeaf(e)) return;
      const t = textOfLeaf(e);
      const forms = [fullwidth(t), `${t}\u0301`, `${t.slice(0, 1)}\u200b${t.slice(1)}`, t.normalize("NFD").replace(/e/g, "e\u0301"), `\ufeff${t}`];
      setText(e, forms[m.variant % forms.length]!);
      return;
    }
    default:
      return;
  }
}

const ENCODINGS = ['<?xml version="1.0" encoding="UTF-8"?>', '\ufeff<?xml version="1.0" encoding="utf-8"?>', '<?xml version="1.0" encoding="ISO-8859-1"?>', '<?xml version="1.0" encoding="UTF-16"?>', '<?xml version="1.0" encoding="x-fuzz"?>', '<?xml version="1.1"?>'];

function applyText(xml: string, m: XmlMutation): string {
  switch (m.op) {
    case "encoding":
      return ENCODINGS[m.variant % ENCODINGS.length]! + xml;
    case "doctype-xxe": {
      // External parameter entity (fetched while reading the DTD) or external general entity used in content.
      if (m.variant % 2) {
        const at = xml.indexOf("</");
        const withRef = at < 0 ? xml : `${xml.slice(0, at)}&xxe;${xml.slice(at)}`;
        return `<!DOCTYPE Envelope [<!ENTITY xxe SYSTEM "${CANARY_PLACEHOLDER}">]>${withRef}`;
      }
      return `<!DOCTYPE Envelope [<!ENTITY % xxe SYSTEM "${CANARY_PLACEHOLDER}"> %xxe;]>${xml}`;
    }
    case "leading-comment":
      return `<!-- fuzz -->\n${xml}`;
    case "processing-instruction": {
      const end = xml.indexOf(">");
      return end < 0 ? xml : `${xml.slice(0, end + 1)}<?fuzz x?>${xml.slice(end + 1)}`;
    }
    default:
      return xml;
  }
}

export function isDomMutation(m: XmlMutation): boolean {
  return (DOM_OPS as readonly string[]).includes(m.op);
}

export function applyDomMutations(doc: Document, ms: XmlMutation[]): void {
  for (const m of ms) if (isDomMutation(m)) applyDom(doc, m);
}

export function applyTextMutations(xml: string, ms: XmlMutation[]): string {
  let out = xml;
  for (const m of ms) if (!isDomMutation(m)) out = applyText(out, m);
  return out;
}

export function serializeDoc(doc: Document): string {
  return serializeDom(doc);
}
