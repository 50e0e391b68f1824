// The reference Security Token Service: one request in (bytes + path + transport headers), one response out.
// Transport-free, so the in-process adapter and the HTTP server share every rule. Every failure is a SOAP fault
// of the request's SOAP version: never a stack trace, never a 500 without a fault body (unless a defect says so).
import { systemClock, type Clock } from "../protocol/clock.ts";
import { buildFaultEnvelope, buildEnvelope, isMustUnderstand, parseEnvelope, soapFault, WSA_FAULT_ACTION, type ParsedEnvelope, type SoapFault, type SoapVersion } from "../protocol/soap.ts";
import { NS, TRUST, bindingOfRequestType, type Binding, type TrustVersion } from "../protocol/namespaces.ts";
import { parseTrustMessage } from "../protocol/trust/parse.ts";
import {
  serializeRequestSecurityTokenResponse,
  serializeRequestSecurityTokenResponseCollection,
  trustPrefixes,
} from "../protocol/trust/serialize.ts";
import type { RequestSecurityToken, RequestSecurityTokenResponse } from "../protocol/trust/model.ts";
import { buildAddressingHeaders, parseAddressingHeaders, WSA_NAMESPACES, type AddressingHeaders } from "../protocol/wsa.ts";
import { buildSecurityHeader } from "../protocol/wss.ts";
import { XmlError } from "../protocol/xml/safe-parse.ts";
import { ModelError } from "../protocol/xml/dom.ts";
import type { XNode } from "../protocol/xml/writer.ts";
import { authenticate, type Requestor } from "./authn.ts";
import { cancel } from "./cancel.ts";
import { resolveConfig, type ReferenceConfig } from "./config.ts";
import { buildContext, type StsContext } from "./context.ts";
import { Defects } from "./defects.ts";
import { endpointFor, type StsEndpoint } from "./endpoints.ts";
import { StsFault, wst } from "./fault.ts";
import { trustFault } from "../protocol/faults.ts";
import { issue } from "./issue.ts";
import { DEMO_ENCRYPTING_REALMS, loadOrCreateKeys, type ReferenceKeys } from "./keys.ts";
import { renew } from "./renew.ts";
import { ReplayCache } from "../protocol/replay-cache.ts";
import { TokenStore } from "./token-store.ts";
import { validate } from "./validate.ts";

export interface StsRequest {
  /** Request path, e.g. /adfs/services/trust/13/usernamemixed. */
  path: string;
  /** HTTP Content-Type (decides the SOAP version of a fault when the envelope cannot be read). */
  contentType?: string;
  /** HTTP SOAPAction header (SOAP 1.1), unquoted or quoted. */
  soapAction?: string;
  body: Uint8Array | string;
  /** Whether the request arrived over TLS. */
  secure?: boolean;
}

export interface StsResponse {
  status: number;
  contentType: string;
  body: string;
  /** For logs and reports: the fault code when the answer is a fault. */
  fault?: { ns: string; local: string; reason: string };
}

export interface ReferenceOptions {
  config?: ReferenceConfig | unknown;
  /** Folder where keys persist; without it keys are generated in memory. */
  dataDir?: string;
  clock?: Clock;
  keys?: ReferenceKeys;
  defects?: Iterable<string>;
}

function soapVersionFromContentType(ct: string | undefined): SoapVersion {
  return ct && /application\/soap\+xml/i.test(ct) ? "1.2" : "1.1";
}

function contentTypeOf(v: SoapVersion, action?: string): string {
  return v === "1.2"
    ? `application/soap+xml; charset=utf-8${action ? `; action="${action}"` : ""}`
    : "text/xml; charset=utf-8";
}

/** The action a client put in the transport (SOAPAction header or the SOAP 1.2 action media-type parameter). */
function transportAction(req: StsRequest): string | undefined {
  const fromHeader = req.soapAction?.trim().replace(/^"(.*)"$/, "$1");
  if (fromHeader) return fromHeader;
  const m = /;\s*action\s*=\s*"?([^";]*)"?/i.exec(req.contentType ?? "");
  return m?.[1] || undefined;
}

const UNDERSTOOD_HEADER_NAMESPACES = new Set<string>([NS.wsse, NS.wsu, ...WSA_NAMESPACES]);

export class ReferenceSts {
  readonly config: ReferenceConfig;
  readonly keys: ReferenceKeys;
  readonly clock: Clock;
  readonly defects: Defects;
  readonly context: StsContext;

  constructor(opts: ReferenceOptions = {}) {
    this.clock = opts.clock ?? systemClock;
    const cfg = resolveConfig(opts.config ?? {});
    this.keys = opts.keys ?? loadOrCreateKeys(this.clock, opts.dataDir);
    // The demo relying parties get the generated encryption certificates unless the config names its own.
    cfg.relyingParties = cfg.relyingParties.map((rp) => {
      const k = this.keys.relyingParties.get(rp.realm);
      return !rp.encryptionCertificate && k && DEMO_ENCRYPTING_REALMS.includes(rp.realm as never)
        ? { ...rp, encryptionCertificate: k.certPem }
        : rp;
    });
    if (!cfg.clientCertificates.some((c) => c.name === "demo-client")) {
      cfg.clientCertificates = [
        ...cfg.clientCertificates,
        { name: "demo-client", certificate: this.keys.demoClient.certPem, claims: { "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name": "demo-client" } },
      ];
    }
    this.config = cfg;
    this.defects = new Defects([...cfg.defects, ...(opts.defects ?? [])]);
    this.context = buildContext({
      config: cfg,
      keys: this.keys,
      clock: this.clock,
      defects: this.defects,
      replay: new ReplayCache(this.clock, cfg.replayCacheCapacity),
      store: new TokenStore(this.clock, cfg.tokenStoreCapacity),
    });
  }

  /** Handle one SOAP request. Never rejects: every failure is an answer. */
  async handle(req: StsRequest): Promise<StsResponse> {
    let version: SoapVersion = soapVersionFromContentType(req.contentType);
    let relatesTo: string | undefined;
    try {
      const endpoint = endpointFor(req.path);
      if (!endpoint) return { status: 404, contentType: "text/plain; charset=utf-8", body: "no STS endpoint at this path\n" };
      let env: ParsedEnvelope;
      try {
        env = parseEnvelope(req.body, { maxBytes: this.config.maxMessageBytes });
      } catch (e) {
        if (e instanceof XmlError) throw wst(endpoint.version, "InvalidRequest", `the message was refused: ${e.kind}: ${e.message}`);
        if (e instanceof ModelError) throw wst(endpoint.version, "InvalidRequest", `not a SOAP envelope: ${e.message}`);
        throw e;
      }
      version = env.version;
      const declared = soapVersionFromContentType(req.contentType);
      if (req.contentType && declared !== version) {
        return this.fault(version, soapFault(version, "VersionMismatch", `Content-Type says SOAP ${declared} but the envelope is SOAP ${version}`));
      }
      for (const h of env.headers) {
        if (isMustUnderstand(h, version) && !UNDERSTOOD_HEADER_NAMESPACES.has(h.namespaceURI ?? "")) {
          return this.fault(version, soapFault(version, "MustUnderstand", `header {${h.namespaceURI ?? ""}}${h.localName} is not understood`));
        }
      }
      let wsa: AddressingHeaders;
      try {
        wsa = parseAddressingHeaders(env.headers);
      } catch (e) {
        if (e instanceof ModelError) throw wst(endpoint.version, "InvalidRequest", e.message);
        throw e;
      }
      relatesTo = wsa.messageId;
      return await this.process(req, endpoint, env, wsa);
    } catch (e) {
      if (e instanceof StsFault) return this.fault(version, e.fault, relatesTo);
      // Anything unexpected: a generic receiver fault. Details stay out of the response (and out of logs: the
      // message may hold passwords).
      const tv = endpointFor(req.path)?.version ?? "1.3";
      return this.fault(version, { ...trustFault(tv, "RequestFailed"), receiver: true }, relatesTo);
    }
  }

  private async process(req: StsRequest, endpoint: StsEndpoint, env: ParsedEnvelope, wsa: AddressingHeaders, defaultedRequestType = false): Promise<StsResponse> {
    const tv = endpoint.version;
    const T = TRUST[tv];
    const body = env.bodyChild;
    if (!body) throw wst(tv, "InvalidRequest", "the Body is empty");
    if (body.namespaceURI !== T.ns) {
      throw wst(tv, "InvalidRequest", `this endpoint speaks WS-Trust ${tv === "2005" ? "February 2005" : "1.3/1.4"}; the body is in ${body.namespaceURI ?? "no namespace"}`);
    }
    let parsed;
    try {
      parsed = parseTrustMessage(body);
    } catch (e) {
      if (e instanceof ModelError) {
        // One retry only: an RST that still fails (e.g. two RequestTypes) must not recurse (found by the fuzzer).
        if (this.defects.has("missing-request-type-accepted") && !defaultedRequestType && /RequestType/.test(e.message)) {
          return this.processWithDefaultRequestType(req, endpoint, env, wsa, body);
        }
        throw wst(tv, "InvalidRequest", e.message);
      }
      throw e;
    }
    if (parsed.kind !== "RST" && parsed.kind !== "RSTC") throw wst(tv, "InvalidRequest", `a ${parsed.kind} is not a request`);
    const requests = parsed.kind === "RST" ? [parsed.message] : parsed.message.requests;
    // In a batch, each RST may say Issue or BatchIssue (the 200512 namespace defines Batch* request types, and
    // CXF's STS accepts only those); both mean Issue here.
    const bindings = requests.map((r) => (parsed.kind === "RSTC" && r.requestType === `${T.base}/BatchIssue` ? "Issue" : this.bindingOf(tv, r)));

    // Action (T18): WS-Addressing Action is required, must match the RequestType, and the transport action must
    // agree with it (SOAPAction spoofing).
    if (!wsa.action) throw wst(tv, "InvalidRequest", "the wsa:Action header is required");
    const expected = parsed.kind === "RST" ? T.requestAction(bindings[0]!) : wsa.action === `${T.base}/BatchIssue` ? wsa.action : T.requestAction("Issue");
    if (parsed.kind === "RSTC" && bindings.some((b) => b !== "Issue")) {
      throw wst(tv, "BadRequest", "a batch (RSTC) here may only hold Issue requests");
    }
    if (wsa.action !== expected) throw wst(tv, "InvalidRequest", `wsa:Action ${wsa.action} does not match the request (${expected})`);
    const ta = transportAction(req);
    if (ta !== undefined && ta !== wsa.action) throw wst(tv, "InvalidRequest", `the transport action ${ta} differs from wsa:Action ${wsa.action}`);

    const requestor = authenticate(this.context, env, endpoint.credential, tv);
    const responses: RequestSecurityTokenResponse[] = [];
    for (let i = 0; i < requests.length; i++) responses.push(await this.dispatch(bindings[i]!, requests[i]!, requestor, tv));

    if (parsed.kind === "RSTC") {
      return this.respond(env.version, T.finalResponseAction("Issue"), wsa, serializeRequestSecurityTokenResponseCollection({ version: tv, responses }), tv);
    }
    const binding = bindings[0]!;
    const rstr = responses[0]!;
    if (binding === "Issue" && T.issueResponseIsCollection) {
      const action = this.defects.has("wrong-response-action") ? `${T.base}/RSTR/Issue` : T.finalResponseAction("Issue");
      const bodyNode = this.defects.has("rstr-not-in-collection")
        ? serializeRequestSecurityTokenResponse(rstr)
        : serializeRequestSecurityTokenResponseCollection({ version: tv, responses: [rstr] });
      return this.respond(env.version, action, wsa, bodyNode, tv);
    }
    return this.respond(env.version, T.finalResponseAction(binding), wsa, serializeRequestSecurityTokenResponse(rstr), tv);
  }

  /** The missing-request-type-accepted defect: treat an RST without RequestType as Issue. */
  private processWithDefaultRequestType(req: StsRequest, endpoint: StsEndpoint, env: ParsedEnvelope, wsa: AddressingHeaders, body: Element): Promise<StsResponse> {
    const T = TRUST[endpoint.version];
    const rt = body.ownerDocument!.createElementNS(T.ns, "RequestType");
    rt.appendChild(body.ownerDocument!.createTextNode(T.requestType("Issue")));
    body.appendChild(rt);
    return this.process(req, endpoint, env, wsa, true);
  }

  private bindingOf(tv: TrustVersion, rst: RequestSecurityToken): Binding {
    const b = bindingOfRequestType(tv, rst.requestType);
    if (!b) throw wst(tv, "InvalidRequest", `RequestType ${rst.requestType} is not a ${tv === "2005" ? "February 2005" : "1.3"} binding`);
    if (b === "STSCancel") throw wst(tv, "BadRequest", "STSCancel is sent by an STS, not to it");
    if (b === "KET") throw wst(tv, "BadRequest", "the key exchange token binding is not supported");
    return b;
  }

  private async dispatch(binding: Binding, rst: RequestSecurityToken, requestor: Requestor, tv: TrustVersion): Promise<RequestSecurityTokenResponse> {
    switch (binding) {
      case "Issue":
        return (await issue(this.context, rst, requestor, tv)).rstr;
      case "Validate":
        return validate(this.context, rst, tv);
      case "Renew":
        return renew(this.context, rst, requestor, tv);
      case "Cancel":
        return cancel(this.context, rst, requestor, tv);
      default:
        throw wst(tv, "BadRequest", `${binding} is not supported`);
    }
  }

  private respond(version: SoapVersion, action: string, wsa: AddressingHeaders, body: XNode, tv: TrustVersion): StsResponse {
    const now = this.clock.now();
    const headers: XNode[] = [
      ...buildAddressingHeaders({ action, relatesTo: wsa.messageId }, { soapVersion: version, mustUnderstandTo: false }),
      buildSecurityHeader({
        version,
        timestamp: { id: "_0", created: now, expires: now + 5 * 60_000 },
        mustUnderstand: true,
      }),
    ];
    const xml = buildEnvelope({ version, headers, body, prefixes: trustPrefixes(tv) });
    return { status: 200, contentType: contentTypeOf(version, action), body: xml };
  }

  private fault(version: SoapVersion, fault: SoapFault, relatesTo?: string): StsResponse {
    const summary = { ns: fault.code.ns, local: fault.code.local, reason: fault.reason };
    if (this.defects.has("fault-as-html-500")) {
      return {
        status: 500,
        contentType: "text/html; charset=utf-8",
        body: "<html><body><h1>Server Error</h1><p>The request could not be processed.</p></body></html>",
        fault: summary,
      };
    }
    const xml = buildFaultEnvelope(version, fault, { action: WSA_FAULT_ACTION, relatesTo });
    // SOAP 1.1 HTTP binding: faults travel with 500. SOAP 1.2: Sender faults 400, Receiver faults 500.
    const status = version === "1.1" ? 500 : fault.receiver || fault.code.local === "Receiver" ? 500 : 400;
    return { status, contentType: contentTypeOf(version), body: xml, fault: summary };
  }
}

