// SOAP 1.1 / 1.2 envelopes and faults. Envelopes are written with the canonical writer; parsing goes through the
// safe parser and then checks the envelope structure strictly, because a harness must notice malformed envelopes
// rather than guess.
import { NS } from "./namespaces.ts";
import { parseXml, type XmlLimits } from "./xml/safe-parse.ts";
import { ELEMENT_NODE, ModelError, TEXT_NODE, CDATA_SECTION_NODE, children, isElement, textOf } from "./xml/dom.ts";
import { PREFIXES, XmlWriteError, el, escapeAttr, escapeText, raw, serialize, type XNode } from "./xml/writer.ts";
import { buildAddressingHeaders } from "./wsa.ts";

export type SoapVersion = "1.1" | "1.2";

export function soapNamespace(v: SoapVersion): string {
  return v === "1.2" ? NS.s12 : NS.s11;
}

/** The prefix this module binds the SOAP namespace to (PREFIXES has both). */
export function soapPrefix(v: SoapVersion): string {
  return v === "1.2" ? "s" : "s11";
}

export function soapVersionOfNamespace(ns: string | null | undefined): SoapVersion | undefined {
  if (ns === NS.s12) return "1.2";
  if (ns === NS.s11) return "1.1";
  return undefined;
}

/**
 * A message that is not a usable SOAP envelope. `versionMismatch` is set when the root is an Envelope in an
 * unknown namespace: SOAP asks for a VersionMismatch fault then, not a Sender/Client fault.
 */
export class SoapError extends ModelError {
  constructor(
    message: string,
    readonly versionMismatch = false,
  ) {
    super(message, "Envelope");
    // ModelError types `name` as a literal; set it at run time so logs say which kind of error this is.
    Object.defineProperty(this, "name", { value: "SoapError" });
  }
}

/** Prefix map with the SOAP namespace bound: reuse a prefix already bound to it, else bind the default one. */
function withSoapPrefix(version: SoapVersion, prefixes: Readonly<Record<string, string>>): [string, Readonly<Record<string, string>>] {
  const ns = soapNamespace(version);
  const preferred = soapPrefix(version);
  if (prefixes[preferred] === ns) return [preferred, prefixes];
  for (const [p, uri] of Object.entries(prefixes)) if (uri === ns) return [p, prefixes];
  if (prefixes[preferred] !== undefined) {
    throw new XmlWriteError(`prefix ${preferred} is bound to ${prefixes[preferred]}, not to the SOAP ${version} namespace`);
  }
  return [preferred, { ...prefixes, [preferred]: ns }];
}

export function buildEnvelope(args: {
  version: SoapVersion;
  headers?: XNode[];
  body: XNode | XNode[];
  prefixes?: Record<string, string>;
  /** Attributes on Body, e.g. {"wsu:Id": "_body"} so that a signature can reference it. */
  bodyAttributes?: Record<string, string>;
}): string {
  const [p, prefixes] = withSoapPrefix(args.version, args.prefixes ?? PREFIXES);
  const content: XNode[] = [];
  if (args.headers && args.headers.length) content.push(el(`${p}:Header`, args.headers));
  content.push(el(`${p}:Body`, args.bodyAttributes ?? {}, ...(Array.isArray(args.body) ? args.body : [args.body])));
  return serialize(el(`${p}:Envelope`, content), prefixes);
}

export interface ParsedEnvelope {
  version: SoapVersion;
  doc: Document;
  envelope: Element;
  header?: Element;
  headers: Element[];
  body: Element;
  /** The single element child of Body (parseEnvelope refuses a Body with several); undefined for an empty Body. */
  bodyChild?: Element;
}

/** Element children only; any non-whitespace text is a structural error (SOAP allows only elements here). */
function elementChildren(parent: Element, what: string): Element[] {
  const out: Element[] = [];
  for (let c = parent.firstChild; c; c = c.nextSibling) {
    if (c.nodeType === ELEMENT_NODE) out.push(c as Element);
    else if ((c.nodeType === TEXT_NODE || c.nodeType === CDATA_SECTION_NODE) && (c as CharacterData).data.trim() !== "") {
      throw new SoapError(`${what} holds character data; only elements are allowed`);
    }
  }
  return out;
}

const PROCESSING_INSTRUCTION_NODE = 7;

/** SOAP 1.2 (Part 1 §5) and WS-I BP 1.1 R1009 for SOAP 1.1 forbid processing instructions anywhere. */
function refuseProcessingInstructions(doc: Document): void {
  const stack: Node[] = [];
  for (let c = doc.lastChild; c; c = c.previousSibling) stack.push(c);
  while (stack.length) {
    const n = stack.pop()!;
    if (n.nodeType === PROCESSING_INSTRUCTION_NODE) {
      throw new SoapError("a SOAP message must not contain processing instructions");
    }
    if (isElement(n)) for (let c = n.lastChild; c; c = c.previousSibling) stack.push(c);
  }
}

/**
 * Parse and structurally check a SOAP envelope: root Envelope in the 1.1 or 1.2 namespace, at most one Header,
 * then exactly one Body, nothing else. Throws XmlError (not well-formed / limits / DTD) or SoapError.
 */
export function parseEnvelope(input: string | Uint8Array, limits?: Partial<XmlLimits>): ParsedEnvelope {
  const doc = parseXml(input, limits);
  refuseProcessingInstructions(doc);
  const envelope = doc.documentElement;
  if (!envelope) throw new SoapError("no root element");
  const version = soapVersionOfNamespace(envelope.namespaceURI);
  if (envelope.localName !== "Envelope") {
    throw new SoapError(`root element is {${envelope.namespaceURI ?? ""}}${envelope.localName}, not a SOAP Envelope`);
  }
  if (!version) {
    throw new SoapError(`Envelope is in namespace ${envelope.namespaceURI ?? "(none)"}, neither SOAP 1.1 nor 1.2`, true);
  }
  const ns = soapNamespace(version);
  const parts = elementChildren(envelope, "Envelope");
  let i = 0;
  let header: Element | undefined;
  if (parts[i]?.namespaceURI === ns && parts[i]?.localName === "Header") header = parts[i++];
  const body = parts[i++];
  if (!body || body.namespaceURI !== ns || body.localName !== "Body") {
    const what = body ? `{${body.namespaceURI ?? ""}}${body.localName}` : "nothing";
    throw new SoapError(`Envelope must hold an optional Header then a Body; found ${what} where Body was expected`);
  }
  if (i < parts.length) {
    const extra = parts[i]!;
    throw new SoapError(`Envelope holds {${extra.namespaceURI ?? ""}}${extra.localName} after Body; nothing may follow Body`);
  }
  const headers = header ? elementChildren(header, "Header") : [];
  const bodyChildren = elementChildren(body, "Body");
  if (bodyChildren.length > 1) {
    throw new ModelError(`Body holds ${bodyChildren.length} elements; exactly one is expected`, "Body");
  }
  return { version, doc, envelope, header, headers, body, bodyChild: bodyChildren[0] };
}

/** Whether a header block carries mustUnderstand="1"/"true" in the envelope's SOAP namespace. */
export function isMustUnderstand(header: Element, version: SoapVersion): boolean {
  const v = header.getAttributeNodeNS(soapNamespace(version), "mustUnderstand")?.value.trim();
  return v === "1" || v === "true";
}

// ---------------------------------------------------------------------------------------------------------------
// Faults

export interface FaultCode {
  ns: string;
  local: string;
}

export interface SoapFault {
  code: FaultCode;
  reason: string;
  /** SOAP 1.2: Code/Value Receiver instead of Sender. Ignored in SOAP 1.1 (the faultcode is the QName itself). */
  receiver?: boolean;
  detail?: XNode;
}

/** The WS-Addressing Action of a fault message. */
export const WSA_FAULT_ACTION = "http://www.w3.org/2005/08/addressing/soap/fault";

/** SOAP-level codes: 1.2 names; SOAP 1.1 writes Sender as Client and Receiver as Server. */
export type SoapCodeName = "Sender" | "Receiver" | "VersionMismatch" | "MustUnderstand" | "DataEncodingUnknown";

export function soapCode(version: SoapVersion, name: SoapCodeName): FaultCode {
  if (version === "1.1") {
    const local = name === "Sender" ? "Client" : name === "Receiver" ? "Server" : name;
    return { ns: NS.s11, local };
  }
  return { ns: NS.s12, local: name };
}

/** A fault whose only code is a SOAP one (envelope errors, VersionMismatch, MustUnderstand). */
export function soapFault(version: SoapVersion, name: SoapCodeName, reason: string): SoapFault {
  return { code: soapCode(version, name), reason, receiver: name === "Receiver" };
}

const LOCAL = /^[A-Za-z_][A-Za-z0-9._-]*$/;

/**
 * An element whose content is a QName, with the prefix declared on the element itself. The writer cannot do this
 * (it only declares prefixes that are visibly used, as exc-c14n does), so it is emitted as raw XML.
 */
function qnameElement(tag: string, code: FaultCode, soapPrefixName: string, soapNs: string): XNode {
  if (!LOCAL.test(code.local)) throw new XmlWriteError(`fault code local name ${JSON.stringify(code.local)} is not an NCName`);
  if (code.ns === soapNs) return raw(`<${tag}>${soapPrefixName}:${code.local}</${tag}>`);
  let p = "q";
  for (const [k, uri] of Object.entries(PREFIXES)) {
    if (uri === code.ns && k !== "xml" && k !== soapPrefixName) {
      p = k;
      break;
    }
  }
  return raw(`<${tag} xmlns:${p}="${escapeAttr(code.ns)}">${p}:${escapeText(code.local)}</${tag}>`);
}

export function buildFaultEnvelope(
  version: SoapVersion,
  fault: SoapFault,
  opts: { action?: string; relatesTo?: string; prefixes?: Record<string, string> } = {},
): string {
  const [p, prefixes] = withSoapPrefix(version, opts.prefixes ?? PREFIXES);
  const ns = soapNamespace(version);
  let body: XNode;
  if (version === "1.1") {
    const c: XNode[] = [qnameElement("faultcode", fault.code, p, ns), el("faultstring", [fault.reason])];
    if (fault.detail !== undefined) c.push(el("detail", [fault.detail]));
    body = el(`${p}:Fault`, c);
  } else {
    const top = fault.code.ns === ns ? fault.code.local : fault.receiver ? "Receiver" : "Sender";
    const code: XNode[] = [el(`${p}:Value`, [`${p}:${top}`])];
    if (fault.code.ns !== ns) code.push(el(`${p}:Subcode`, [qnameElement(`${p}:Value`, fault.code, p, ns)]));
    const c: XNode[] = [
      el(`${p}:Code`, code),
      el(`${p}:Reason`, [el(`${p}:Text`, { "xml:lang": "en" }, fault.reason)]),
    ];
    if (fault.detail !== undefined) c.push(el(`${p}:Detail`, [fault.detail]));
    body = el(`${p}:Fault`, c);
  }
  const headers =
    opts.action !== undefined || opts.relatesTo !== undefined
      ? buildAddressingHeaders({ action: opts.action, relatesTo: opts.relatesTo }, { soapVersion: version })
      : undefined;
  return buildEnvelope({ version, headers, body, prefixes: { ...prefixes } });
}

/** Resolve a prefix against the namespace declarations in scope (iterative walk up the ancestors). */
export function lookupNamespace(from: Element, prefix: string): string | undefined {
  if (prefix === "xml") return NS.xml;
  for (let n: Node | null = from; n && isElement(n); n = n.parentNode) {
    const a = prefix === "" ? n.getAttributeNode("xmlns") : n.getAttributeNodeNS(NS.xmlns, prefix);
    if (a) return a.value === "" ? undefined : a.value;
  }
  return undefined;
}

/** Parse the text of a QName-valued element into {ns, local}; ModelError when malformed or the prefix is unbound. */
export function resolveQName(elem: Element, text: string): FaultCode {
  const m = /^(?:([A-Za-z_][A-Za-z0-9._-]*):)?([A-Za-z_][A-Za-z0-9._-]*)$/.exec(text);
  if (!m) throw new ModelError(`${elem.localName} holds ${JSON.stringify(text.slice(0, 100))}, which is not a QName`, elem.localName);
  const prefix = m[1] ?? "";
  const ns = lookupNamespace(elem, prefix);
  if (ns === undefined && prefix !== "") {
    throw new ModelError(`${elem.localName} uses the undeclared prefix ${prefix}`, elem.localName);
  }
  return { ns: ns ?? "", local: m[2]! };
}

export interface ParsedFault extends SoapFault {
  /** The code text exactly as sent (the Subcode's in SOAP 1.2 when present). */
  codeText: string;
  /** SOAP 1.2: the top-level Code/Value (Sender, Receiver, ...); SOAP 1.1: the faultcode itself. */
  topCode: FaultCode;
  /** SOAP 1.2: every Subcode/Value, outermost first. */
  subcodes: FaultCode[];
  /** The detail / Detail element as received. */
  detailElement?: Element;
  /** SOAP 1.2 Reason/Text xml:lang of the text used. */
  lang?: string;
}

function single(parent: Element, ns: string | null, local: string, required: true): Element;
function single(parent: Element, ns: string | null, local: string, required: false): Element | undefined;
function single(parent: Element, ns: string | null, local: string, required: boolean): Element | undefined {
  const found = children(parent).filter((c) => (c.namespaceURI ?? null) === ns && c.localName === local);
  if (found.length > 1) throw new ModelError(`${local} occurs ${found.length} times in ${parent.localName}`, local);
  if (required && !found[0]) throw new ModelError(`${parent.localName} lacks the required ${local}`, local);
  return found[0];
}

/**
 * The fault carried by an envelope, or undefined when the body is not a Fault. `code` is the most specific code:
 * SOAP 1.2's first Subcode (where WS-Trust and WSS put theirs), else the top-level value.
 */
export function parseFault(env: ParsedEnvelope): ParsedFault | undefined {
  const f = env.bodyChild;
  const ns = soapNamespace(env.version);
  if (!f || f.namespaceURI !== ns || f.localName !== "Fault") return undefined;
  if (env.version === "1.1") {
    // SOAP 1.1 fault children are unqualified.
    const codeEl = single(f, null, "faultcode", true);
    const codeText = textOf(codeEl);
    const code = resolveQName(codeEl, codeText);
    const reason = textOf(single(f, null, "faultstring", true));
    const detailElement = single(f, null, "detail", false);
    return {
      code,
      codeText,
      topCode: code,
      subcodes: [],
      reason,
      receiver: code.ns === NS.s11 && code.local === "Server",
      detailElement,
    };
  }
  const codeEl = single(f, ns, "Code", true);
  const topEl = single(codeEl, ns, "Value", true);
  const topText = textOf(topEl);
  const topCode = resolveQName(topEl, topText);
  const subcodes: FaultCode[] = [];
  let firstSubText: string | undefined;
  // Subcodes nest; walk them iteratively (depth is bounded by the parser's limits anyway).
  for (let sc = single(codeEl, ns, "Subcode", false); sc; sc = single(sc, ns, "Subcode", false)) {
    const v = single(sc, ns, "Value", true);
    const t = textOf(v);
    firstSubText ??= t;
    subcodes.push(resolveQName(v, t));
  }
  const reasonEl = single(f, ns, "Reason", true);
  const texts = children(reasonEl, ns, "Text");
  if (!texts.length) throw new ModelError("Reason holds no Text", "Reason");
  const chosen = texts.find((t) => (t.getAttributeNS(NS.xml, "lang") ?? "").toLowerCase().startsWith("en")) ?? texts[0]!;
  return {
    code: subcodes[0] ?? topCode,
    codeText: firstSubText ?? topText,
    topCode,
    subcodes,
    reason: textOf(chosen),
    lang: chosen.getAttributeNS(NS.xml, "lang") || undefined,
    receiver: topCode.ns === NS.s12 && topCode.local === "Receiver",
    detailElement: single(f, ns, "Detail", false),
  };
}
