// Building complete WS-Trust request messages as a requestor sends them: SOAP envelope, WS-Addressing headers,
// a WS-Security header (Timestamp, UsernameToken, BinarySecurityTokens) and the RST/RSTC body. Pure: the caller
// passes time, nonces and ids, so a test can reproduce a message byte for byte.
import { TRUST, type Binding, type TrustVersion } from "../namespaces.ts";
import { buildEnvelope, type SoapVersion } from "../soap.ts";
import { buildAddressingHeaders } from "../wsa.ts";
import { buildSecurityHeader, type BinarySecurityToken, type UsernameTokenSpec } from "../wss.ts";
import type { XNode } from "../xml/writer.ts";
import type { RequestSecurityToken, RequestSecurityTokenCollection } from "./model.ts";
import { serializeRequestSecurityToken, serializeRequestSecurityTokenCollection, trustPrefixes } from "./serialize.ts";

export interface RequestMessageOptions {
  soapVersion: SoapVersion;
  trustVersion: TrustVersion;
  /** The RST (or RSTC) to send. */
  body: RequestSecurityToken | RequestSecurityTokenCollection;
  /** ms since epoch: Timestamp Created. */
  now: number;
  /** Timestamp lifetime in seconds (WCF sends 5 minutes). Undefined Timestamp when null. */
  timestampSeconds?: number | null;
  usernameToken?: UsernameTokenSpec;
  binarySecurityTokens?: BinarySecurityToken[];
  messageId: string;
  to?: string;
  /** Override the WS-Addressing Action (default: the binding's request action). */
  action?: string;
  /** Give the Body a wsu:Id so it can be signed. */
  bodyId?: string;
  /** Extra SOAP header blocks. */
  extraHeaders?: XNode[];
}

export function requestAction(trustVersion: TrustVersion, binding: Binding): string {
  return TRUST[trustVersion].requestAction(binding);
}

function bindingOf(trustVersion: TrustVersion, rst: RequestSecurityToken): Binding {
  const base = TRUST[trustVersion].base;
  const b = rst.requestType.startsWith(`${base}/`) ? rst.requestType.slice(base.length + 1) : "Issue";
  return (["Issue", "Renew", "Cancel", "Validate", "STSCancel", "KET"].includes(b) ? b : "Issue") as Binding;
}

/** The complete request message as a string. */
export function buildRequestMessage(o: RequestMessageOptions): string {
  const isCollection = "requests" in o.body;
  const action =
    o.action ?? requestAction(o.trustVersion, isCollection ? "Issue" : bindingOf(o.trustVersion, o.body as RequestSecurityToken));
  const seconds = o.timestampSeconds === undefined ? 300 : o.timestampSeconds;
  const headers: XNode[] = [
    ...buildAddressingHeaders({ action, messageId: o.messageId, to: o.to }, { soapVersion: o.soapVersion }),
    buildSecurityHeader({
      version: o.soapVersion,
      timestamp: seconds === null ? undefined : { id: "_ts", created: o.now, expires: o.now + seconds * 1000 },
      usernameToken: o.usernameToken,
      binarySecurityTokens: o.binarySecurityTokens,
      mustUnderstand: true,
    }),
    ...(o.extraHeaders ?? []),
  ];
  const bodyNode = isCollection
    ? serializeRequestSecurityTokenCollection(o.body as RequestSecurityTokenCollection)
    : serializeRequestSecurityToken(o.body as RequestSecurityToken);
  return buildEnvelope({
    version: o.soapVersion,
    headers,
    body: bodyNode,
    prefixes: trustPrefixes(o.trustVersion),
    bodyAttributes: o.bodyId ? { "wsu:Id": o.bodyId } : undefined,
  });
}
