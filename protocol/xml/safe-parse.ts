// Parsing of hostile XML. A lexical pre-scan enforces the limits (size, depth, attributes, element count),
// refuses any DOCTYPE (SOAP forbids DTDs; this also rules out XXE and entity expansion), and refuses multiple
// roots and trailing content, before @xmldom/xmldom builds the tree in strict mode.
import { DOMParser } from "@xmldom/xmldom";
// @ts-expect-error: xmldom ships no types for its grammar module.
import xmldomGrammar from "@xmldom/xmldom/lib/grammar.js";

// @xmldom/xmldom 0.9 compiles a new (unicode) RegExp for every end tag it reads (`g.reg(...)` in sax.js); that was
// 9% of the reference's event-loop time per request in bench/issue. The expressions depend only on their
// arguments and carry no `g`/`y` flag (no lastIndex state), so one compiled copy per argument list is equivalent.
{
  const grammar = xmldomGrammar as { reg: (...parts: (RegExp | string)[]) => RegExp; __wsconformMemo?: true };
  if (!grammar.__wsconformMemo) {
    const original = grammar.reg;
    const memo = new Map<string, RegExp>();
    // Parts are short strings or the grammar's own RegExp constants: number them by identity for a cheap key.
    const ids = new Map<RegExp | string, number>();
    const idOf = (p: RegExp | string): number => {
      let id = ids.get(p);
      if (id === undefined) {
        if (ids.size >= 1024) return -1;
        id = ids.size;
        ids.set(p, id);
      }
      return id;
    };
    grammar.reg = function memoReg(this: unknown, ...parts: (RegExp | string)[]): RegExp {
      let key = "";
      for (const p of parts) {
        const id = idOf(p);
        if (id < 0) return original.apply(this, parts);
        key += `${id},`;
      }
      let re = memo.get(key);
      if (!re) {
        re = original.apply(this, parts);
        if (re.global || re.sticky) return re;
        if (memo.size < 256) memo.set(key, re);
      }
      return re;
    };
    grammar.__wsconformMemo = true;
  }
}

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
    super(message);
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

function isNameEnd(c: number): boolean {
  // whitespace, '/', '>'
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x2f || c === 0x3e;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/**
 * Lexical pre-scan. Linear, iterative (no recursion, so depth bombs cannot exhaust the stack), and it stops at
 * the first violated limit.
 */
export function prescanXml(text: string, limits: XmlLimits = DEFAULT_XML_LIMITS): void {
  // Byte length check without allocating: UTF-8 length is at least the UTF-16 length.
  if (text.length > limits.maxBytes || Buffer.byteLength(text, "utf8") > limits.maxBytes) {
    throw new XmlError("too-large", `document exceeds ${limits.maxBytes} bytes`);
  }
  let i = 0;
  const n = text.length;
  if (text.charCodeAt(0) === 0xfeff) i = 1;
  // XML declaration: only UTF-8 (or its subset US-ASCII) is accepted.
  if (text.startsWith("<?xml", i) && isSpace(text.charCodeAt(i + 5))) {
    const end = text.indexOf("?>", i);
    if (end < 0) throw new XmlError("not-well-formed", "unterminated XML declaration", i);
    const m = /encoding\s*=\s*["']([^"']*)["']/.exec(text.slice(i, end));
    if (m && !/^(utf-8|us-ascii)$/i.test(m[1] ?? "")) {
      throw new XmlError("encoding", `declared encoding ${m[1]} is not accepted (UTF-8 only)`, i);
    }
    i = end + 2;
  }
  let depth = 0;
  let elements = 0;
  let rootClosed = false;
  let sawRoot = false;
  while (i < n) {
    const lt = text.indexOf("<", i);
    const textEnd = lt < 0 ? n : lt;
    if (depth === 0) {
      for (let k = i; k < textEnd; k++) {
        if (!isSpace(text.charCodeAt(k))) {
          throw new XmlError(
            sawRoot ? "trailing-content" : "not-well-formed",
            sawRoot ? "content after the root element" : "text before the root element",
            k,
          );
        }
      }
    }
    if (lt < 0) break;
    i = lt;
    const c1 = text.charCodeAt(i + 1);
    if (c1 === 0x21 /* ! */) {
      if (text.startsWith("<!--", i)) {
        const end = text.indexOf("-->", i + 4);
        if (end < 0) throw new XmlError("not-well-formed", "unterminated comment", i);
        i = end + 3;
        continue;
      }
      if (text.startsWith("<![CDATA[", i)) {
        if (depth === 0) throw new XmlError("not-well-formed", "CDATA outside the root element", i);
        const end = text.indexOf("]]>", i + 9);
        if (end < 0) throw new XmlError("not-well-formed", "unterminated CDATA section", i);
        i = end + 3;
        continue;
      }
      if (text.startsWith("<!DOCTYPE", i) || text.startsWith("<!doctype", i)) {
        throw new XmlError("doctype", "a DOCTYPE is not allowed (SOAP forbids DTDs)", i);
      }
      throw new XmlError("not-well-formed", "markup declaration outside a DTD", i);
    }
    if (c1 === 0x3f /* ? */) {
      const end = text.indexOf("?>", i + 2);
      if (end < 0) throw new XmlError("not-well-formed", "unterminated processing instruction", i);
      if (/^<\?xml[\s?]/i.test(text.slice(i, i + 6))) {
        throw new XmlError("not-well-formed", "XML declaration not at the start of the document", i);
      }
      i = end + 2;
      continue;
    }
    if (c1 === 0x2f /* / */) {
      const end = text.indexOf(">", i + 2);
      if (end < 0) throw new XmlError("not-well-formed", "unterminated end tag", i);
      depth--;
      if (depth < 0) throw new XmlError("not-well-formed", "end tag without start tag", i);
      if (depth === 0) rootClosed = true;
      i = end + 1;
      continue;
    }
    // Start tag.
    if (rootClosed) throw new XmlError("multiple-roots", "more than one root element", i);
    sawRoot = true;
    elements++;
    if (elements > limits.maxElements) {
      throw new XmlError("too-many-elements", `more than ${limits.maxElements} elements`, i);
    }
    let j = i + 1;
    while (j < n && !isNameEnd(text.charCodeAt(j))) j++;
    if (j === i + 1) throw new XmlError("not-well-formed", "empty element name", i);
    let attrs = 0;
    let selfClosing = false;
    for (;;) {
      while (j < n && isSpace(text.charCodeAt(j))) j++;
      if (j >= n) throw new XmlError("not-well-formed", "unterminated start tag", i);
      const c = text.charCodeAt(j);
      if (c === 0x3e /* > */) {
        j++;
        break;
      }
      if (c === 0x2f /* / */) {
        if (text.charCodeAt(j + 1) !== 0x3e) throw new XmlError("not-well-formed", "stray '/' in start tag", j);
        selfClosing = true;
        j += 2;
        break;
      }
      const eq = text.indexOf("=", j);
      if (eq < 0) throw new XmlError("not-well-formed", "attribute without value", j);
      let q = eq + 1;
      while (q < n && isSpace(text.charCodeAt(q))) q++;
      const quote = text.charCodeAt(q);
      if (quote !== 0x22 && quote !== 0x27) throw new XmlError("not-well-formed", "unquoted attribute value", q);
      const close = text.indexOf(quote === 0x22 ? '"' : "'", q + 1);
      if (close < 0) throw new XmlError("not-well-formed", "unterminated attribute value", q);
      attrs++;
      if (attrs > limits.maxAttributes) {
        throw new XmlError("too-many-attributes", `an element has more than ${limits.maxAttributes} attributes`, i);
      }
      j = close + 1;
    }
    if (selfClosing) {
      if (depth === 0) rootClosed = true;
    } else {
      depth++;
      if (depth > limits.maxDepth) throw new XmlError("too-deep", `nesting deeper than ${limits.maxDepth}`, i);
    }
    i = j;
  }
  if (!sawRoot) throw new XmlError("no-root", "no root element");
  if (depth !== 0) throw new XmlError("not-well-formed", "unclosed element at end of document");
}

/**
 * Parse untrusted XML into a DOM. Throws XmlError on any limit, DTD, or well-formedness problem. Never resolves
 * entities beyond the five predefined ones and character references.
 */
export function parseXml(input: string | Uint8Array, limits: Partial<XmlLimits> = {}): Document {
  const lim: XmlLimits = { ...DEFAULT_XML_LIMITS, ...limits };
  const text = typeof input === "string" ? input : decodeXmlBytes(input, lim);
  prescanXml(text, lim);
  let failure: string | undefined;
  const parser = new DOMParser({
    // XML 1.0 line ends only: xmldom's default also folds U+0085/U+2028/U+2029 (XML 1.1 rules), which would make
    // us read (and verify) different text than other XML 1.0 implementations do.
    normalizeLineEndings: (s: string) => s.replace(/\r\n?/g, "\n"),
    onError: (level: string, message: string) => {
      if (level === "warning") return;
      failure ??= message;
      throw new Error(message);
    },
  });
  let doc: Document;
  try {
    doc = parser.parseFromString(text, "text/xml") as unknown as Document;
  } catch (e) {
    throw new XmlError("not-well-formed", `not well-formed: ${failure ?? (e as Error).message}`.slice(0, 500));
  }
  if (failure) throw new XmlError("not-well-formed", `not well-formed: ${failure}`.slice(0, 500));
  if (!doc || !doc.documentElement) throw new XmlError("no-root", "no root element");
  return doc;
}
