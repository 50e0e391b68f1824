// Hostile-XML payloads (issue 5 §2): a DTD with an external entity pointing at the loopback canary (XXE), an
// external DTD subset, an external parameter entity, internal entity expansion (a bounded "billion laughs": 10^6
// expansions, enough to show the parser expands, small enough not to knock a shared target over), 10,000 levels of
// nesting, an 8 MiB attribute, a 16 MiB body of large text nodes, 100,000 attributes and 100,000 namespace declarations on one element.
// Each payload is a change to a valid document: a DOCTYPE before its root and/or a probe element placed where it does
// not touch signed content (a SOAP header for the STS, the RSTR wrapper or samlp:Extensions for a consumer).
// Pure string building; nothing here parses the payloads.

export const PROBE_NS = "urn:wsconform:xml-probe";

export interface XmlPayload {
  /** A DOCTYPE to put before the root element (`ROOT` is replaced by the root's qualified name). */
  doctype?: string;
  /** An element to insert at the document's probe point. */
  probe?: string;
}

export interface XmlAttack {
  /** Case id part: security/xml/<face>-<name>. */
  name: string;
  title: string;
  /** A DTD is sent: a consumer must refuse (SAML-NO-DTD); nothing may be fetched. */
  dtd: boolean;
  /** The payload names the canary; any request it sees is an XXE/SSRF. */
  canary: boolean;
  /** What a vulnerable parser does. */
  risk: string;
  payload(canaryUrl: string): XmlPayload;
}

const probe = (inner: string, attrs = ""): string => `<wsc:Probe xmlns:wsc="${PROBE_NS}"${attrs}>${inner}</wsc:Probe>`;

const MIB = 1024 * 1024;

function laughs(levels: number): string {
  let d = `<!ENTITY lol0 "lol">`;
  for (let i = 1; i <= levels; i++) d += `<!ENTITY lol${i} "${`&lol${i - 1};`.repeat(10)}">`;
  return d;
}

function manyAttributes(n: number, prefix: string, value: (i: number) => string): string {
  const parts: string[] = [];
  for (let i = 0; i < n; i++) parts.push(` ${prefix}${i}="${value(i)}"`);
  return parts.join("");
}

export const XML_ATTACKS: XmlAttack[] = [
  {
    name: "xxe-external-entity",
    title: "An external general entity (XXE) naming a loopback canary is never fetched and the message is refused",
    dtd: true,
    canary: true,
    risk: "file disclosure and server-side request forgery through entity resolution",
    payload: (url) => ({ doctype: `<!DOCTYPE ROOT [<!ENTITY xxe SYSTEM "${url}xxe">]>`, probe: probe("&xxe;") }),
  },
  {
    name: "external-dtd",
    title: "A DOCTYPE with an external subset on a loopback canary is never fetched and the message is refused",
    dtd: true,
    canary: true,
    risk: "server-side request forgery when the parser loads external DTDs",
    payload: (url) => ({ doctype: `<!DOCTYPE ROOT SYSTEM "${url}dtd">` }),
  },
  {
    name: "external-parameter-entity",
    title: "An external parameter entity on a loopback canary is never fetched and the message is refused",
    dtd: true,
    canary: true,
    risk: "out-of-band XXE through parameter entities (works even when general entities are off)",
    payload: (url) => ({ doctype: `<!DOCTYPE ROOT [<!ENTITY % pe SYSTEM "${url}pe"> %pe;]>` }),
  },
  {
    name: "entity-expansion",
    title: "Nested internal entities (a bounded billion laughs: 10^6 expansions) are refused, not expanded",
    dtd: true,
    canary: false,
    risk: "memory and CPU exhaustion by entity expansion",
    payload: () => ({ doctype: `<!DOCTYPE ROOT [${laughs(6)}]>`, probe: probe("&lol6;") }),
  },
  {
    name: "deep-nesting",
    title: "An element nested 10,000 levels deep is refused within the time bound",
    dtd: false,
    canary: false,
    risk: "stack exhaustion in recursive parsers and tree walkers",
    payload: () => ({ probe: probe(`${"<wsc:d>".repeat(10_000)}${"</wsc:d>".repeat(10_000)}`) }),
  },
  {
    name: "huge-attribute",
    title: "An 8 MiB attribute value is refused within the time bound",
    dtd: false,
    canary: false,
    risk: "memory exhaustion and quadratic attribute handling",
    payload: () => ({ probe: probe("", ` v="${"A".repeat(8 * MIB)}"`) }),
  },
  {
    name: "huge-body",
    title: "A 16 MiB message (256 elements of 64 KiB text each) is refused within the time bound",
    dtd: false,
    canary: false,
    risk: "memory exhaustion when the whole message is buffered and built into a tree",
    // Mostly plain text, so building it (and form-encoding it for a relying party) costs the harness little.
    payload: () => ({ probe: probe(`<wsc:x>${"A".repeat(64 * 1024)}</wsc:x>`.repeat(256)) }),
  },
  {
    name: "many-attributes",
    title: "One element with 100,000 attributes is refused within the time bound",
    dtd: false,
    canary: false,
    risk: "quadratic duplicate-attribute checks (hash collisions) and memory exhaustion",
    payload: () => ({ probe: probe("", manyAttributes(100_000, "a", () => "x")) }),
  },
  {
    name: "many-namespaces",
    title: "One element with 100,000 namespace declarations is refused within the time bound",
    dtd: false,
    canary: false,
    risk: "quadratic namespace-scope handling and canonicalization blow-up",
    payload: () => ({ probe: probe("", manyAttributes(100_000, "xmlns:n", (i) => `urn:wsconform:n:${i}`)) }),
  },
];

/** Index and qualified name of the root element's start tag (skipping an XML declaration, comments and PIs). */
function rootStart(xml: string): { index: number; name: string } {
  let i = 0;
  for (;;) {
    i = xml.indexOf("<", i);
    if (i < 0) throw new Error("no root element");
    if (xml.startsWith("<?", i)) i = xml.indexOf("?>", i) + 2;
    else if (xml.startsWith("<!--", i)) i = xml.indexOf("-->", i) + 3;
    else break;
  }
  const m = /^<([^\s/>]+)/.exec(xml.slice(i, i + 256));
  if (!m) throw new Error("no root element");
  return { index: i, name: m[1]! };
}

/** End of the start tag beginning at `i` (our own documents carry no '>' inside attribute values). */
function startTagEnd(xml: string, i: number): number {
  const end = xml.indexOf(">", i);
  if (end < 0) throw new Error("unterminated start tag");
  return end + 1;
}

/**
 * Apply a payload to a valid document. `probeAfter` finds the start tag after which the probe element goes (default:
 * the root's). For an element that is empty (`<x/>`) the caller must pick another place.
 */
export function applyPayload(xml: string, p: XmlPayload, probeAfter?: RegExp): string {
  let out = xml;
  if (p.probe) {
    let at: number;
    if (probeAfter) {
      const m = probeAfter.exec(out);
      if (!m) throw new Error(`no insertion point ${probeAfter} in the document`);
      at = startTagEnd(out, m.index);
    } else at = startTagEnd(out, rootStart(out).index);
    out = out.slice(0, at) + p.probe + out.slice(at);
  }
  if (p.doctype) {
    const r = rootStart(out);
    out = out.slice(0, r.index) + p.doctype.replace("ROOT", r.name) + out.slice(r.index);
  }
  return out;
}

/** The SOAP Header start tag of a request (the STS probe point). */
export const SOAP_HEADER = /<([A-Za-z_][\w.-]*:)?Header[\s>]/;

/** Shorten a document for the report (payloads reach 16 MiB). */
export function shorten(s: string, n = 64 * 1024): string {
  return s.length > n ? `${s.slice(0, n)}…(${s.length} chars)` : s;
}
