// Parsing of hostile XML: one strict pass over the text that checks well-formedness (XML 1.0 fifth edition) and
// namespace well-formedness (Namespaces in XML 1.0), enforces the limits (size, depth, attributes, element count)
// as it goes, refuses any DOCTYPE (SOAP forbids DTDs; this also rules out XXE and entity expansion), and builds an
// @xmldom/xmldom tree (dom-build.ts), so the rest of the code and xml-crypto see the DOM they always saw.
//
// It replaced xmldom's own parser, which was a third of a fuzz case's CPU and accepted what XML forbids: control
// characters and character references to them, lone surrogates, `]]>` in text, a bare `&`, attributes without
// whitespace between them, `xmlns:p=""`, rebinding `xml`/`xmlns`, and two attributes with the same expanded name
// (it kept one of them silently, a parser differential). Every one of those is refused here.
import {
  addAttribute,
  appendChild,
  createCData,
  createComment,
  createElement,
  createProcessingInstruction,
  createText,
  newDocument,
  XML_NS,
  XMLNS_NS,
} from "./dom-build.ts";

export interface XmlLimits {
  /** Maximum size of the document in bytes (UTF-8). */
  maxBytes: number;
  /** Maximum element nesting depth (the root is depth 1). */
  maxDepth: number;
  /** Maximum number of attributes (namespace declarations included) on one element. */
  maxAttributes: number;
  /** Maximum number of elements in the document. */
  maxElements: number;
}

export const DEFAULT_XML_LIMITS: XmlLimits = {
  maxBytes: 1024 * 1024,
  maxDepth: 64,
  maxAttributes: 64,
  maxElements: 20_000,
};

export type XmlErrorKind =
  | "too-large"
  | "too-deep"
  | "too-many-attributes"
  | "too-many-elements"
  | "doctype"
  | "multiple-roots"
  | "trailing-content"
  | "no-root"
  | "encoding"
  | "not-well-formed";

/** Every refusal of the safe parser is an XmlError with a machine-readable kind. */
export class XmlError extends Error {
  override readonly name = "XmlError";
  constructor(
    readonly kind: XmlErrorKind,
    message: string,
    readonly offset?: number,
  ) {
    // A refusal of hostile input, which is the normal case, not a bug: no stack walk (see reference/fault.ts).
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Decode bytes as UTF-8 (the only encoding accepted), refusing invalid sequences. */
export function decodeXmlBytes(bytes: Uint8Array, limits: XmlLimits = DEFAULT_XML_LIMITS): string {
  if (bytes.length > limits.maxBytes) {
    throw new XmlError("too-large", `document is ${bytes.length} bytes; the limit is ${limits.maxBytes}`);
  }
  try {
    return utf8.decode(bytes);
  } catch {
    throw new XmlError("encoding", "document is not valid UTF-8");
  }
}


// ---- characters and names ------------------------------------------------------------------------------------

/** The first character outside XML 1.0's Char production (control characters, lone surrogates, U+FFFE/U+FFFF). */
const NOT_XML_CHAR = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/** ASCII name characters: 1 may start a name, 2 may only continue one. */
const ASCII_NAME = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z_:]/.test(ch)) ASCII_NAME[c] = 1;
  else if (/[-.0-9]/.test(ch)) ASCII_NAME[c] = 2;
}

/** NameStartChar beyond ASCII (XML 1.0 fifth edition [4]); a surrogate pair counts as one of #x10000-#xEFFFF. */
function isNameStartNonAscii(c: number): boolean {
  return (
    (c >= 0xc0 && c <= 0xd6) ||
    (c >= 0xd8 && c <= 0xf6) ||
    (c >= 0xf8 && c <= 0x2ff) ||
    (c >= 0x370 && c <= 0x37d) ||
    (c >= 0x37f && c <= 0x1fff) ||
    c === 0x200c ||
    c === 0x200d ||
    (c >= 0x2070 && c <= 0x218f) ||
    (c >= 0x2c00 && c <= 0x2fef) ||
    (c >= 0x3001 && c <= 0xd7ff) ||
    (c >= 0xd800 && c <= 0xdb7f) || // high surrogate of U+10000..U+EFFFF (pairs were checked with NOT_XML_CHAR)
    (c >= 0xf900 && c <= 0xfdcf) ||
    (c >= 0xfdf0 && c <= 0xfffd)
  );
}

/** NameChar beyond ASCII ([4a]); low surrogates only ever follow a high one here. */
function isNameCharNonAscii(c: number): boolean {
  return isNameStartNonAscii(c) || c === 0xb7 || (c >= 0x300 && c <= 0x36f) || c === 0x203f || c === 0x2040 || (c >= 0xdc00 && c <= 0xdfff);
}

function isNameStart(c: number): boolean {
  return c < 128 ? ASCII_NAME[c] === 1 : isNameStartNonAscii(c);
}

/** End of the run of name characters starting at i. */
function nameEnd(text: string, i: number): number {
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c < 128 ? ASCII_NAME[c] === 0 : !isNameCharNonAscii(c)) break;
    i++;
  }
  return i;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d;
}

function isXmlChar(cp: number): boolean {
  return cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

function predefinedEntity(name: string): string | undefined {
  switch (name) {
    case "lt":
      return "<";
    case "gt":
      return ">";
    case "amp":
      return "&";
    case "apos":
      return "'";
    case "quot":
      return '"';
    default:
      return undefined;
  }
}

/**
 * The XML declaration ([23]): version 1.x, then optional encoding and standalone, in that order. Line ends are
 * already LF here.
 */
const XML_DECL =
  /<\?xml[ \t\n]+version[ \t\n]*=[ \t\n]*(?:"1\.[0-9]+"|'1\.[0-9]+')(?:[ \t\n]+encoding[ \t\n]*=[ \t\n]*(?:"([A-Za-z][A-Za-z0-9._-]*)"|'([A-Za-z][A-Za-z0-9._-]*)'))?(?:[ \t\n]+standalone[ \t\n]*=[ \t\n]*(?:"(?:yes|no)"|'(?:yes|no)'))?[ \t\n]*\?>/y;

// ---- the reader ----------------------------------------------------------------------------------------------

const fail = (message: string, offset: number): never => {
  throw new XmlError("not-well-formed", message, offset);
};

/**
 * Replace references in text[start, end) (the five predefined entities and character references; anything else
 * is refused: there is no DTD to declare it). In an attribute value, literal tab and LF become spaces (3.3.3);
 * characters from references are kept as they are.
 */
function decode(text: string, start: number, end: number, attribute: boolean): string {
  let out = "";
  let run = start;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x26 /* & */) {
      out += text.slice(run, i);
      let semi: number;
      let ch: string;
      if (text.charCodeAt(i + 1) === 0x23 /* # */) {
        const hex = text.charCodeAt(i + 2) === 0x78; /* x */
        let k = i + (hex ? 3 : 2);
        const first = k;
        let cp = 0;
        for (; k < end; k++) {
          const d = text.charCodeAt(k);
          let v: number;
          if (d >= 0x30 && d <= 0x39) v = d - 0x30;
          else if (hex && d >= 0x61 && d <= 0x66) v = d - 0x57;
          else if (hex && d >= 0x41 && d <= 0x46) v = d - 0x37;
          else break;
          cp = Math.min(cp * (hex ? 16 : 10) + v, 0x110000); // saturates: leading zeros are allowed, overflow is not
        }
        if (k === first || k >= end || text.charCodeAt(k) !== 0x3b /* ; */) fail("malformed character reference", i);
        if (!isXmlChar(cp)) fail(`character reference ${text.slice(i, k + 1)} is not an XML character`, i);
        ch = String.fromCodePoint(cp);
        semi = k;
      } else {
        semi = nameEnd(text, i + 1);
        if (semi >= end || text.charCodeAt(semi) !== 0x3b) fail("'&' that does not start a reference", i);
        const v = predefinedEntity(text.slice(i + 1, semi));
        if (v === undefined) fail(`undeclared entity ${text.slice(i, semi + 1)} (no DTD is read)`, i);
        ch = v!;
      }
      out += ch;
      i = semi;
      run = semi + 1;
    } else if (attribute) {
      if (c === 0x3c /* < */) fail("'<' in an attribute value", i);
      if (c === 0x09 || c === 0x0a) {
        out += text.slice(run, i) + " ";
        run = i + 1;
      }
    }
  }
  return run === start ? text.slice(start, end) : out + text.slice(run, end);
}

/** Where the current element's namespace declarations begin in the undo log. */
interface Open {
  qname: string;
  el: Element;
  undoMark: number;
}

/**
 * Parse untrusted XML into a DOM. Throws XmlError on any limit, DTD, or well-formedness problem. Never resolves
 * entities beyond the five predefined ones and character references.
 */
export function parseXml(input: string | Uint8Array, limits: Partial<XmlLimits> = {}): Document {
  const lim: XmlLimits = { ...DEFAULT_XML_LIMITS, ...limits };
  let text: string;
  if (typeof input === "string") {
    // A UTF-16 unit is 1 to 3 bytes of UTF-8: count the bytes only when the length alone cannot decide.
    if (input.length > lim.maxBytes || (input.length * 3 > lim.maxBytes && Buffer.byteLength(input, "utf8") > lim.maxBytes)) {
      throw new XmlError("too-large", `document exceeds ${lim.maxBytes} bytes`);
    }
    text = input;
  } else {
    text = decodeXmlBytes(input, lim);
  }
  const bad = NOT_XML_CHAR.exec(text);
  if (bad) {
    const cp = bad[0].codePointAt(0)!;
    fail(`U+${cp.toString(16).toUpperCase().padStart(4, "0")} is not an XML character`, bad.index);
  }
  // 2.11: CR LF and lone CR are read as LF before anything else.
  if (text.indexOf("\r") >= 0) text = text.replace(/\r\n?/g, "\n");
  return read(text, lim);
}

function read(text: string, lim: XmlLimits): Document {
  const n = text.length;
  const doc = newDocument();
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;

  if (text.startsWith("<?xml", i) && (isSpace(text.charCodeAt(i + 5)) || text.charCodeAt(i + 5) === 0x3f)) {
    XML_DECL.lastIndex = i;
    const m = XML_DECL.exec(text);
    if (!m) fail("malformed XML declaration", i);
    const enc = m![1] ?? m![2];
    if (enc !== undefined && !/^(utf-8|us-ascii)$/i.test(enc)) {
      throw new XmlError("encoding", `declared encoding ${enc} is not accepted (UTF-8 only)`, i);
    }
    i = XML_DECL.lastIndex;
  }

  // Namespace bindings in scope: prefix ("" for the default) to URI ("" for none); an undo log restores them.
  const bindings = new Map<string, string>([["xml", XML_NS]]);
  const undoPrefix: string[] = [];
  const undoValue: (string | undefined)[] = [];
  /** Undo the declarations made since `mark` (the element that made them has ended). */
  const restoreBindings = (mark: number): void => {
    for (let u = undoPrefix.length - 1; u >= mark; u--) {
      const prev = undoValue[u];
      if (prev === undefined) bindings.delete(undoPrefix[u]!);
      else bindings.set(undoPrefix[u]!, prev);
    }
    undoPrefix.length = undoValue.length = mark;
  };
  const stack: Open[] = [];
  let parent: Element | null = null;
  let elements = 0;
  let sawRoot = false;
  // Next '&' and ']]>' at or after the text being read: found lazily, so text runs cost no scan of their own.
  let nextAmp = -1;
  let nextCdataEnd = -1;
  // Attribute scratch, reused (only the first attrCount entries are the current tag's).
  const attrNames: string[] = [];
  const attrValues: string[] = [];
  const attrStarts: number[] = [];

  while (i < n) {
    const lt = text.indexOf("<", i);
    const textEnd = lt < 0 ? n : lt;
    if (textEnd > i) {
      if (!parent) {
        for (let k = i; k < textEnd; k++) {
          if (!isSpace(text.charCodeAt(k))) {
            if (sawRoot) throw new XmlError("trailing-content", "content after the root element", k);
            fail("text before the root element", k);
          }
        }
      } else {
        if (nextCdataEnd < i) nextCdataEnd = text.indexOf("]]>", i) >>> 0; // -1 becomes 2^32-1: none
        if (nextCdataEnd < textEnd) fail("']]>' in text", nextCdataEnd);
        if (nextAmp < i) nextAmp = text.indexOf("&", i) >>> 0;
        const data = nextAmp < textEnd ? decode(text, i, textEnd, false) : text.slice(i, textEnd);
        // Text next to text (an empty CDATA section between them) is one node, as after xmldom's normalize().
        const last = parent.lastChild;
        if (last && last.nodeType === 3) (last as Text).appendData(data);
        else appendChild(doc, parent, createText(doc, data));
      }
    }
    if (lt < 0) break;
    i = lt;
    const c1 = text.charCodeAt(i + 1);

    if (c1 === 0x2f /* / */) {
      const open = stack.pop();
      if (!open) fail("end tag without a start tag", i);
      const qname = open!.qname;
      let j = i + 2 + qname.length;
      if (!text.startsWith(qname, i + 2) || !(text.charCodeAt(j) === 0x3e || isSpace(text.charCodeAt(j)))) {
        fail(`end tag does not match the start tag <${qname}>`, i);
      }
      while (j < n && isSpace(text.charCodeAt(j))) j++;
      if (text.charCodeAt(j) !== 0x3e) fail("malformed end tag", i);
      if (undoPrefix.length > open!.undoMark) restoreBindings(open!.undoMark);
      parent = stack.length ? stack[stack.length - 1]!.el : null;
      i = j + 1;
      continue;
    }

    if (c1 === 0x21 /* ! */) {
      if (text.startsWith("<!--", i)) {
        const dd = text.indexOf("--", i + 4);
        if (dd < 0) fail("unterminated comment", i);
        if (text.charCodeAt(dd + 2) !== 0x3e) fail("'--' inside a comment", dd);
        appendChild(doc, parent, createComment(doc, text.slice(i + 4, dd)));
        i = dd + 3;
        continue;
      }
      if (text.startsWith("<![CDATA[", i)) {
        if (!parent) fail("CDATA section outside the root element", i);
        const end = text.indexOf("]]>", i + 9);
        if (end < 0) fail("unterminated CDATA section", i);
        // An empty section leaves no node, as in xmldom.
        if (end > i + 9) appendChild(doc, parent, createCData(doc, text.slice(i + 9, end)));
        i = end + 3;
        continue;
      }
      if (text.startsWith("<!DOCTYPE", i) || text.startsWith("<!doctype", i)) {
        throw new XmlError("doctype", "a DOCTYPE is not allowed (SOAP forbids DTDs)", i);
      }
      fail("markup declaration outside a DTD", i);
    }

    if (c1 === 0x3f /* ? */) {
      const te = nameEnd(text, i + 2);
      const target = text.slice(i + 2, te);
      if (te === i + 2 || !isNameStart(text.charCodeAt(i + 2)) || target.includes(":")) fail("malformed processing instruction target", i);
      if (target.toLowerCase() === "xml") fail("XML declaration not at the start of the document", i);
      const end = text.indexOf("?>", te);
      if (end < 0) fail("unterminated processing instruction", i);
      let d = te;
      if (end > te) {
        if (!isSpace(text.charCodeAt(te))) fail("processing instruction target not followed by whitespace", te);
        while (d < end && isSpace(text.charCodeAt(d))) d++;
      }
      appendChild(doc, parent, createProcessingInstruction(doc, target, text.slice(d, end)));
      i = end + 2;
      continue;
    }

    // Start tag.
    if (!parent && sawRoot) throw new XmlError("multiple-roots", "more than one root element", i);
    if (++elements > lim.maxElements) throw new XmlError("too-many-elements", `more than ${lim.maxElements} elements`, i);
    if (stack.length + 1 > lim.maxDepth) throw new XmlError("too-deep", `nesting deeper than ${lim.maxDepth}`, i);
    const ne = nameEnd(text, i + 1);
    if (ne === i + 1 || !isNameStart(c1)) fail("malformed element name", i);
    const qname = text.slice(i + 1, ne);
    let j = ne;
    let selfClosing = false;
    let attrCount = 0;
    for (;;) {
      const before = j;
      while (j < n && isSpace(text.charCodeAt(j))) j++;
      if (j >= n) fail("unterminated start tag", i);
      const c = text.charCodeAt(j);
      if (c === 0x3e /* > */) {
        j++;
        break;
      }
      if (c === 0x2f /* / */) {
        if (text.charCodeAt(j + 1) !== 0x3e) fail("'/' not followed by '>' in a start tag", j);
        selfClosing = true;
        j += 2;
        break;
      }
      if (j === before) fail("attributes must be separated by whitespace", j);
      const ae = nameEnd(text, j);
      if (ae === j || !isNameStart(c)) fail("malformed attribute name", j);
      const aname = text.slice(j, ae);
      let q = ae;
      while (q < n && isSpace(text.charCodeAt(q))) q++;
      if (text.charCodeAt(q) !== 0x3d /* = */) fail(`attribute ${aname} has no value`, j);
      q++;
      while (q < n && isSpace(text.charCodeAt(q))) q++;
      const quote = text.charCodeAt(q);
      if (quote !== 0x22 && quote !== 0x27) fail("attribute value not in quotes", q);
      const close = text.indexOf(quote === 0x22 ? '"' : "'", q + 1);
      if (close < 0) fail("unterminated attribute value", q);
      if (attrCount >= lim.maxAttributes) {
        throw new XmlError("too-many-attributes", `an element has more than ${lim.maxAttributes} attributes`, i);
      }
      for (let k = 0; k < attrCount; k++) if (attrNames[k] === aname) fail(`attribute ${aname} occurs twice`, j);
      attrNames[attrCount] = aname;
      attrValues[attrCount] = decode(text, q + 1, close, true);
      attrStarts[attrCount++] = j;
      j = close + 1;
    }

    // Namespace declarations first: they apply to the element's own name and attributes.
    const undoMark = undoPrefix.length;
    for (let k = 0; k < attrCount; k++) {
      const a = attrNames[k]!;
      if (!a.startsWith("xmlns") || (a.length > 5 && a.charCodeAt(5) !== 0x3a)) continue;
      const uri = attrValues[k]!;
      let prefix = "";
      if (a.length > 5) {
        prefix = a.slice(6);
        if (!isNCName(prefix)) fail(`malformed namespace declaration ${a}`, attrStarts[k]!);
        if (prefix === "xmlns") fail("the prefix xmlns must not be declared", attrStarts[k]!);
        if (uri === "") fail(`${a}="" undeclares a prefix, which Namespaces in XML 1.0 does not allow`, attrStarts[k]!);
        if ((prefix === "xml") !== (uri === XML_NS)) fail("the prefix xml is bound to its namespace only, and that namespace to no other prefix", attrStarts[k]!);
      } else if (uri === XML_NS) {
        fail("the XML namespace must not be the default namespace", attrStarts[k]!);
      }
      if (uri === XMLNS_NS) fail("the xmlns namespace must not be declared", attrStarts[k]!);
      undoPrefix.push(prefix);
      undoValue.push(bindings.get(prefix));
      bindings.set(prefix, uri);
    }

    const [prefix, local] = splitQName(qname, i);
    let ns: string | null;
    if (prefix === null) {
      ns = bindings.get("") || null;
    } else {
      if (prefix === "xmlns") fail("an element name must not have the prefix xmlns", i);
      const bound = bindings.get(prefix);
      if (bound === undefined) fail(`the prefix ${prefix} is not declared`, i);
      ns = bound!;
    }
    const el = createElement(doc, qname, ns, prefix, local);
    appendChild(doc, parent, el);
    sawRoot = true;

    for (let k = 0; k < attrCount; k++) {
      const a = attrNames[k]!;
      const at = attrStarts[k]!;
      const [ap, al] = splitQName(a, at);
      let ans: string | null = null;
      if (ap === "xmlns" || (ap === null && al === "xmlns")) {
        ans = XMLNS_NS;
      } else if (ap !== null) {
        const bound = bindings.get(ap);
        if (bound === undefined) fail(`the prefix ${ap} is not declared`, at);
        ans = bound!;
        // Namespaces in XML 1.0 §6.3: no two attributes with the same namespace and local name. (Only prefixed
        // ones can clash here: unprefixed attributes are in no namespace, and qualified names are already unique.)
        const same = el.getAttributeNodeNS(ans, al);
        if (same) fail(`attributes ${same.name} and ${a} have the same expanded name`, at);
      }
      addAttribute(doc, el, a, ans, ap, al, attrValues[k]!);
    }

    if (selfClosing) {
      if (undoPrefix.length > undoMark) restoreBindings(undoMark);
    } else {
      stack.push({ qname, el, undoMark });
      parent = el;
    }
    i = j;
  }
  if (stack.length) fail(`unclosed element <${stack[stack.length - 1]!.qname}> at the end of the document`, n);
  if (!sawRoot) throw new XmlError("no-root", "no root element");
  return doc;
}

function isNCName(s: string): boolean {
  return s.length > 0 && isNameStart(s.charCodeAt(0)) && nameEnd(s, 0) === s.length && !s.includes(":");
}

/** [prefix or null, local part] of a name already scanned as a Name; a ModelError-free refusal if not a QName. */
function splitQName(name: string, offset: number): [string | null, string] {
  const colon = name.indexOf(":");
  if (colon < 0) return [null, name];
  if (colon === 0 || colon === name.length - 1 || name.indexOf(":", colon + 1) >= 0 || !isNameStart(name.charCodeAt(colon + 1))) {
    fail(`${name} is not a qualified name`, offset);
  }
  return [name.slice(0, colon), name.slice(colon + 1)];
}
