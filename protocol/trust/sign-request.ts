// X.509 message signature of a request, as WCF's "certificatemixed" clients send it: a BinarySecurityToken with
// the certificate, and a detached signature over Timestamp and Body referencing that token by an STR.
import { serializeDom } from "../xml/dom-serialize.ts";
import type { KeyObject } from "node:crypto";
import { signReferences, type SignatureOptions } from "../dsig/sign.ts";
import { NS, WSS } from "../namespaces.ts";
import { parseXml } from "../xml/safe-parse.ts";
import { children, descendants } from "../xml/dom.ts";
import { el } from "../xml/writer.ts";

export interface RequestSigner {
  privateKey: KeyObject;
  certDer: Buffer;
  options?: SignatureOptions;
  /** Id of the ds:Signature (what wst:UseKey/@Sig points at). */
  signatureId?: string;
  /** What the signature covers (default both); a test can leave one out. */
  covers?: { timestamp?: boolean; body?: boolean; messageId?: boolean };
}

/** Add BinarySecurityToken + signature over Timestamp and Body to a built request (Body must carry wsu:Id). */
export function signRequestMessage(xml: string, signer: RequestSigner): string {
  const doc = parseXml(xml);
  const sec = descendants(doc, NS.wsse, "Security")[0];
  if (!sec) throw new Error("the message has no wsse:Security header to sign into");
  const body = children(doc.documentElement!).find((e) => e.localName === "Body");
  const ts = children(sec, NS.wsu, "Timestamp")[0];
  // Sign the MessageID too (as WCF's asymmetric bindings do): two requests with the same body and Timestamp are
  // then still distinct messages, and only a true replay repeats a signature.
  const header = children(doc.documentElement!).find((e) => e.localName === "Header");
  const messageId = header ? [...children(header, NS.wsa, "MessageID"), ...children(header, NS.wsa2004, "MessageID")][0] : undefined;
  if (messageId && !messageId.getAttributeNS(NS.wsu, "Id")) messageId.setAttributeNS(NS.wsu, "wsu:Id", "_mid");
  if (!body || !body.getAttributeNS(NS.wsu, "Id")) throw new Error("the Body needs a wsu:Id to be signed");
  const bst = doc.createElementNS(NS.wsse, "wsse:BinarySecurityToken");
  bst.setAttributeNS(NS.wsu, "wsu:Id", "_bst");
  bst.setAttribute("ValueType", WSS.x509v3);
  bst.setAttribute("EncodingType", WSS.base64Binary);
  bst.appendChild(doc.createTextNode(signer.certDer.toString("base64")));
  sec.insertBefore(bst, ts ? ts.nextSibling : sec.firstChild);
  signReferences({
    doc,
    parent: sec,
    references: [
      ...(ts && signer.covers?.timestamp !== false ? [ts] : []),
      ...(messageId && signer.covers?.messageId !== false ? [messageId] : []),
      ...(signer.covers?.body !== false ? [body] : []),
    ],
    key: { privateKey: signer.privateKey, certDer: signer.certDer },
    keyInfo: el("wsse:SecurityTokenReference", [el("wsse:Reference", { URI: "#_bst", ValueType: WSS.x509v3 })]),
    options: signer.options,
    signatureId: signer.signatureId,
  });
  return serializeDom(doc);
}
