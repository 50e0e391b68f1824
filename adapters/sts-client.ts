// The harness's WS-Trust requestor: builds a request as a real client would (UsernameToken or X.509 signature),
// sends it through a transport, and reads the answer without trusting it (hostile-input parser, no throw: every
// problem is reported in the result).
import { randomBytes, randomUUID } from "node:crypto";
import type { Clock } from "../protocol/clock.ts";
import { signRequestMessage, type RequestSigner } from "../protocol/trust/sign-request.ts";
import { TRUST, type Binding, type TrustVersion } from "../protocol/namespaces.ts";
import { parseEnvelope, parseFault, type ParsedEnvelope, type ParsedFault, type SoapVersion } from "../protocol/soap.ts";
import type { RequestSecurityToken, RequestSecurityTokenCollection, TrustMessage } from "../protocol/trust/model.ts";
import { parseTrustMessage } from "../protocol/trust/parse.ts";
import { buildRequestMessage } from "../protocol/trust/requestor.ts";
import { parseAddressingHeaders } from "../protocol/wsa.ts";
import { TransportError, type SoapExchangeResponse, type SoapTransport } from "./transport.ts";

export interface ClientCredentials {
  username?: string;
  password?: string;
  passwordType?: "text" | "digest";
  /** Sign Body and Timestamp with this key (certificatemixed endpoints, PublicKey proof of possession). */
  signer?: RequestSigner;
}

export interface StsClientOptions {
  transport: SoapTransport;
  clock: Clock;
  path: string;
  soapVersion: SoapVersion;
  trustVersion: TrustVersion;
  credentials: ClientCredentials;
}

export interface SendOptions {
  action?: string;
  /** HTTP SOAPAction (SOAP 1.1) / action parameter (1.2); default: the WS-Addressing Action. */
  transportAction?: string | null;
  /** Reuse a nonce (replay tests). */
  nonce?: Buffer;
  /** Shift the message's clock (skew tests), in ms. */
  timeShiftMs?: number;
  timestampSeconds?: number | null;
  /** Shift only the UsernameToken's Created (freshness tests), in ms. */
  usernameTokenShiftMs?: number;
  /** Last-moment edit of the serialized request (malformed-input tests). */
  mutate?: (xml: string) => string;
  /** Send exactly this text instead of building a message. */
  rawBody?: string;
}

export interface Exchange {
  request: string;
  response?: SoapExchangeResponse;
  transportError?: TransportError;
  envelope?: ParsedEnvelope;
  /** The response could not be read as SOAP: why. */
  parseError?: string;
  fault?: ParsedFault;
  action?: string;
  message?: TrustMessage;
}

export class StsClient {
  constructor(readonly opts: StsClientOptions) {}

  contentType(action?: string): string {
    return this.opts.soapVersion === "1.2"
      ? `application/soap+xml; charset=utf-8${action ? `; action="${action}"` : ""}`
      : "text/xml; charset=utf-8";
  }

  /** Build the request message text (exposed so tests can inspect or replay it). */
  build(body: RequestSecurityToken | RequestSecurityTokenCollection, o: SendOptions = {}): { xml: string; action: string } {
    const now = this.opts.clock.now() + (o.timeShiftMs ?? 0);
    const c = this.opts.credentials;
    const isCollection = "requests" in body;
    const binding = isCollection ? "Issue" : bindingOf(this.opts.trustVersion, (body as RequestSecurityToken).requestType);
    const action = o.action ?? TRUST[this.opts.trustVersion].requestAction(binding);
    let xml = buildRequestMessage({
      soapVersion: this.opts.soapVersion,
      trustVersion: this.opts.trustVersion,
      body,
      now,
      timestampSeconds: o.timestampSeconds,
      messageId: `urn:uuid:${randomUUID()}`,
      action,
      bodyId: c.signer ? "_body" : undefined,
      usernameToken: c.username
        ? {
            username: c.username,
            password: c.password,
            passwordType: c.passwordType ?? "text",
            nonce: c.passwordType === "digest" ? (o.nonce ?? randomBytes(16)) : o.nonce,
            created: c.passwordType === "digest" || o.nonce || o.usernameTokenShiftMs ? now + (o.usernameTokenShiftMs ?? 0) : undefined,
          }
        : undefined,
    });
    if (c.signer) xml = signRequestMessage(xml, c.signer);
    if (o.mutate) xml = o.mutate(xml);
    return { xml, action };
  }

  async send(body: RequestSecurityToken | RequestSecurityTokenCollection, o: SendOptions = {}): Promise<Exchange> {
    const { xml, action } = o.rawBody !== undefined ? { xml: o.rawBody, action: o.action ?? "" } : this.build(body, o);
    return this.sendRaw(xml, o.transportAction === null ? undefined : (o.transportAction ?? action));
  }

  async sendRaw(xml: string, transportAction?: string): Promise<Exchange> {
    const ex: Exchange = { request: xml };
    try {
      ex.response = await this.opts.transport({
        path: this.opts.path,
        contentType: this.contentType(this.opts.soapVersion === "1.2" ? transportAction : undefined),
        soapAction: this.opts.soapVersion === "1.1" ? (transportAction ?? "") : undefined,
        body: xml,
      });
    } catch (e) {
      if (e instanceof TransportError) {
        ex.transportError = e;
        return ex;
      }
      throw e;
    }
    return readResponse(ex);
  }
}

function bindingOf(tv: TrustVersion, requestType: string): Binding {
  const base = TRUST[tv].base;
  const b = requestType.startsWith(`${base}/`) ? requestType.slice(base.length + 1) : "Issue";
  return (["Issue", "Renew", "Cancel", "Validate", "STSCancel", "KET"].includes(b) ? b : "Issue") as Binding;
}

/** Interpret a response: envelope, fault, WS-Addressing Action and WS-Trust body. Never throws. */
export function readResponse(ex: Exchange): Exchange {
  if (!ex.response) return ex;
  try {
    ex.envelope = parseEnvelope(ex.response.body, { maxBytes: 4 * 1024 * 1024 });
  } catch (e) {
    ex.parseError = (e as Error).message;
    return ex;
  }
  try {
    ex.action = parseAddressingHeaders(ex.envelope.headers).action;
  } catch (e) {
    ex.parseError = `addressing headers: ${(e as Error).message}`;
  }
  try {
    ex.fault = parseFault(ex.envelope);
  } catch (e) {
    ex.parseError = `fault: ${(e as Error).message}`;
    return ex;
  }
  if (ex.fault || !ex.envelope.bodyChild) return ex;
  try {
    ex.message = parseTrustMessage(ex.envelope.bodyChild);
  } catch (e) {
    ex.parseError = `body: ${(e as Error).message}`;
  }
  return ex;
}
