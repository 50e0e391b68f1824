// Serialization of an @xmldom/xmldom tree, byte-identical to xmldom 0.9.12's `new XMLSerializer().serializeToString(node)`
// (no options: not "require well-formed", CDATA sections split at "]]>").
//
// Why our own: the fuzzer serializes every DOM-mutated message, and xmldom's serializer copies the list of visible
// namespaces for every element and walks the tree through a frame object per node; that was 4% of a fuzz case. Here
// one namespace stack is shared by the whole walk (an element's declarations are popped when it closes), which
// gives the same lookups as xmldom's per-element copies, since both search from the innermost declaration out.
//
// The rules kept from xmldom, because the messages (and so the seeds of saved vectors) depend on them:
// - a serialized subtree starts with no visible namespace besides, for an unprefixed namespaced root whose
//   namespace has no prefix in scope, that namespace (with a null prefix, which matches no declaration);
// - an element or attribute whose prefix is not bound to its namespace in scope gets a declaration, placed after
//   the attribute it was needed for (the element's own comes after all attributes);
// - an unprefixed element whose namespace is not the default one in scope borrows the innermost prefix bound to it;
// - text escapes < & >, attribute values < > & " and tab, LF, CR (as &#9; &#10; &#13;).
// test/protocol/dom-serialize.test.ts compares the output with xmldom's on generated and mutated documents.

import { NS } from "../namespaces.ts";
import {
  ATTRIBUTE_NODE,
  CDATA_SECTION_NODE,
  COMMENT_NODE,
  DOCUMENT_FRAGMENT_NODE,
  DOCUMENT_NODE,
  DOCUMENT_TYPE_NODE,
  ELEMENT_NODE,
  ENTITY_REFERENCE_NODE,
  PROCESSING_INSTRUCTION_NODE,
  TEXT_NODE,
} from "./dom.ts";

const HTML_NS = "http://www.w3.org/1999/xhtml";
const HTML_VOID = new Set(["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"]);

/** A visible namespace declaration; `prefix` null is the serialized root's own namespace (see above). */
interface Visible {
  prefix: string | null;
  namespace: string | null;
}

const TEXT_SPECIAL = /[<&>]/;
const TEXT_SPECIAL_G = /[<&>]/g;
const ATTR_SPECIAL = /[<>&"\t\n\r]/;
const ATTR_SPECIAL_G = /[<>&"\t\n\r]/g;

function encode(c: string): string {
  switch (c) {
    case "<":
      return "&lt;";
    case ">":
      return "&gt;";
    case "&":
      return "&amp;";
    case '"':
      return "&quot;";
    default:
      return `&#${c.charCodeAt(0)};`;
  }
}

const escapeText = (s: string) => (TEXT_SPECIAL.test(s) ? s.replace(TEXT_SPECIAL_G, encode) : s);
const attribute = (name: string, value: string) => ` ${name}="${ATTR_SPECIAL.test(value) ? value.replace(ATTR_SPECIAL_G, encode) : value}"`;

/** Whether `node` (an element or attribute) needs a namespace declaration, given the declarations in scope. */
function needsDeclaration(prefix: string, uri: string | null, visible: Visible[]): boolean {
  if (!uri) return false;
  if ((prefix === "xml" && uri === NS.xml) || uri === NS.xmlns) return false;
  for (let i = visible.length - 1; i >= 0; i--) if (visible[i]!.prefix === prefix) return visible[i]!.namespace !== uri;
  return true;
}

interface XNodeLike {
  nodeType: number;
  nodeName: string;
  firstChild: XNodeLike | null;
  nextSibling: XNodeLike | null;
  parentNode: XNodeLike | null;
}

/** The same text as xmldom's `new XMLSerializer().serializeToString(node)`. */
export function serializeDom(node: Node): string {
  const n = node as unknown as XNodeLike;
  const doc = (node.nodeType === DOCUMENT_NODE ? node : node.ownerDocument) as unknown as { type?: string } | null;
  if (doc?.type === "html") throw new Error("serializeDom: HTML documents are not supported");
  const ref = ((node.nodeType === DOCUMENT_NODE && (node as Document).documentElement) || node) as Element;
  const visible: Visible[] = [];
  if (ref.namespaceURI && ref.prefix == null && ref.lookupPrefix(ref.namespaceURI) == null) visible.push({ namespace: ref.namespaceURI, prefix: null });
  const out: string[] = [];
  let cur = "";
  // Iterative depth-first walk; an open element leaves its closing tag and the namespace-stack height to restore.
  const closing: { tag: string; height: number; node: XNodeLike }[] = [];
  let at: XNodeLike | null = n;
  const root = n;
  while (at) {
    let descend = false;
    switch (at.nodeType) {
      case ELEMENT_NODE: {
        const e = at as unknown as Element;
        const attrs = e.attributes as unknown as { length: number; [i: number]: Attr };
        const len = attrs.length;
        const name = e.tagName;
        let tag = name;
        if (!e.prefix && e.namespaceURI) {
          let defaultNs: string | null | undefined;
          for (let i = 0; i < len; i++) {
            if (attrs[i]!.name === "xmlns") {
              defaultNs = attrs[i]!.value;
              break;
            }
          }
          if (!defaultNs) {
            for (let i = visible.length - 1; i >= 0; i--) {
              if (visible[i]!.prefix === "" && visible[i]!.namespace === e.namespaceURI) {
                defaultNs = visible[i]!.namespace;
                break;
              }
            }
          }
          if (defaultNs !== e.namespaceURI) {
            for (let i = visible.length - 1; i >= 0; i--) {
              if (visible[i]!.namespace === e.namespaceURI) {
                if (visible[i]!.prefix) tag = `${visible[i]!.prefix}:${name}`;
                break;
              }
            }
          }
        }
        cur += `<${tag}`;
        const height = visible.length;
        for (let i = 0; i < len; i++) {
          const a = attrs[i]!;
          if (a.prefix === "xmlns") visible.push({ prefix: a.localName, namespace: a.value });
          else if (a.nodeName === "xmlns") visible.push({ prefix: "", namespace: a.value });
        }
        for (let i = 0; i < len; i++) {
          const a = attrs[i]!;
          const p = a.prefix || "";
          if (needsDeclaration(p, a.namespaceURI, visible)) {
            cur += attribute(p ? `xmlns:${p}` : "xmlns", a.namespaceURI!);
            visible.push({ prefix: p, namespace: a.namespaceURI });
          }
          cur += attribute(a.name, a.value);
        }
        if (name === tag) {
          const p = e.prefix || "";
          if (needsDeclaration(p, e.namespaceURI, visible)) {
            cur += attribute(p ? `xmlns:${p}` : "xmlns", e.namespaceURI!);
            visible.push({ prefix: p, namespace: e.namespaceURI });
          }
        }
        if (!at.firstChild && (e.namespaceURI !== HTML_NS || HTML_VOID.has(name.toLowerCase()))) {
          // An empty element closes at once, except an XHTML one that is not a void element.
          cur += "/>";
          while (visible.length > height) visible.pop();
        } else if (!at.firstChild) {
          cur += `></${tag}>`;
          while (visible.length > height) visible.pop();
        } else {
          cur += ">";
          closing.push({ tag, height, node: at });
          descend = true;
        }
        break;
      }
      case DOCUMENT_NODE:
      case DOCUMENT_FRAGMENT_NODE:
        closing.push({ tag: "", height: visible.length, node: at });
        descend = at.firstChild !== null;
        if (!descend) closing.pop();
        break;
      case ATTRIBUTE_NODE: {
        const a = at as unknown as Attr;
        cur += attribute(a.name, a.value);
        break;
      }
      case TEXT_NODE:
        cur += escapeText((at as unknown as Text).data);
        break;
      case CDATA_SECTION_NODE:
        cur += `<![CDATA[${(at as unknown as CDATASection).data.replace(/]]>/g, "]]]]><![CDATA[>")}]]>`;
        break;
      case COMMENT_NODE:
        cur += `<!--${(at as unknown as Comment).data}-->`;
        break;
      case PROCESSING_INSTRUCTION_NODE: {
        const pi = at as unknown as ProcessingInstruction;
        cur += `<?${pi.target} ${pi.data}?>`;
        break;
      }
      case DOCUMENT_TYPE_NODE: {
        const dt = at as unknown as DocumentType & { internalSubset?: string };
        cur += `<!DOCTYPE ${dt.name}`;
        if (dt.publicId) {
          cur += ` PUBLIC ${dt.publicId}`;
          if (dt.systemId && dt.systemId !== ".") cur += ` ${dt.systemId}`;
        } else if (dt.systemId && dt.systemId !== ".") cur += ` SYSTEM ${dt.systemId}`;
        if (dt.internalSubset) cur += ` [${dt.internalSubset}]`;
        cur += ">";
        break;
      }
      case ENTITY_REFERENCE_NODE:
        cur += `&${at.nodeName};`;
        break;
      default:
        cur += `??${at.nodeName}`;
    }
    // Long messages: flush the rope now and then, so one string does not grow to thousands of pieces.
    if (cur.length > 8192) {
      out.push(cur);
      cur = "";
    }
    if (descend) {
      at = at.firstChild;
      continue;
    }
    // Next node: the next sibling, else close the open ancestors until one has a next sibling.
    if (at === root) break;
    let next: XNodeLike | null = at.nextSibling;
    while (!next) {
      const c = closing.pop();
      if (!c) break;
      if (c.tag) cur += `</${c.tag}>`;
      while (visible.length > c.height) visible.pop();
      if (c.node === root) break;
      next = c.node.nextSibling;
    }
    at = next;
  }
  out.push(cur);
  return out.join("");
}
