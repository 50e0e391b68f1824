// WS-Addressing message headers. Written in the 2005/08 namespace; read in 2005/08 and the 2004/08 submission
// (old AD FS and WSE clients, digest §1.1).
import { NS } from "./namespaces.ts";
import type { SoapVersion } from "./soap.ts";
import { ModelError, children, textOf } from "./xml/dom.ts";
import { el, type XNode } from "./xml/writer.ts";

export interface AddressingHeaders {
  action?: string;
  messageId?: string;
  to?: string;
  relatesTo?: string;
  /** ReplyTo/Address. */
  replyTo?: string;
  /** When parsed: the addressing namespace the headers used. */
  namespace?: string;
}

export const WSA_ANONYMOUS = "http://www.w3.org/2005/08/addressing/anonymous";
export const WSA_NAMESPACES = [NS.wsa, NS.wsa2004] as const;

/**
 * Action, MessageID, ReplyTo, To, RelatesTo in that order. Action and To carry mustUnderstand="1" (in the SOAP
 * namespace of `soapVersion`, default 1.2) as WCF sends them, unless `mustUnderstandAction` / `mustUnderstandTo`
 * is false.
 */
export function buildAddressingHeaders(
  h: AddressingHeaders,
  opts: { mustUnderstandAction?: boolean; mustUnderstandTo?: boolean; soapVersion?: SoapVersion } = {},
): XNode[] {
  const mu = `${opts.soapVersion === "1.1" ? "s11" : "s"}:mustUnderstand`;
  const out: XNode[] = [];
  if (h.action !== undefined) {
    out.push(el("wsa:Action", opts.mustUnderstandAction === false ? {} : { [mu]: "1" }, h.action));
  }
  if (h.messageId !== undefined) out.push(el("wsa:MessageID", [h.messageId]));
  if (h.replyTo !== undefined) out.push(el("wsa:ReplyTo", [el("wsa:Address", [h.replyTo])]));
  if (h.to !== undefined) out.push(el("wsa:To", opts.mustUnderstandTo === false ? {} : { [mu]: "1" }, h.to));
  if (h.relatesTo !== undefined) out.push(el("wsa:RelatesTo", [h.relatesTo]));
  return out;
}

const FIELDS: Record<string, keyof AddressingHeaders> = {
  Action: "action",
  MessageID: "messageId",
  To: "to",
  RelatesTo: "relatesTo",
  ReplyTo: "replyTo",
};

/**
 * Read the addressing headers among the SOAP header blocks. A header repeated (in either namespace) or a mix of
 * the two addressing namespaces is a ModelError: which one applies would be a guess.
 */
export function parseAddressingHeaders(headers: Element[]): AddressingHeaders {
  const out: AddressingHeaders = {};
  for (const h of headers) {
    const ns = h.namespaceURI ?? "";
    if (!(WSA_NAMESPACES as readonly string[]).includes(ns)) continue;
    const field = FIELDS[h.localName];
    if (!field) continue; // FaultTo, From, reference parameters...: not needed by the harness
    if (out.namespace !== undefined && out.namespace !== ns) {
      throw new ModelError(`WS-Addressing headers mix the ${out.namespace} and ${ns} namespaces`, h.localName);
    }
    out.namespace = ns;
    if (out[field] !== undefined) throw new ModelError(`WS-Addressing ${h.localName} header occurs more than once`, h.localName);
    if (field === "replyTo") {
      const addr = children(h, ns, "Address");
      if (addr.length !== 1) throw new ModelError(`ReplyTo must hold exactly one Address, found ${addr.length}`, "ReplyTo");
      out.replyTo = textOf(addr[0]!);
    } else {
      out[field] = textOf(h);
    }
  }
  return out;
}
