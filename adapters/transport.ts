// How the harness moves one SOAP message to a target and back: in-process (a handle() function, e.g. the
// reference STS) or over HTTP(S) with undici. Every exchange is bounded in time and size, and a broken target
// yields a TransportError, never a hang.
import { Agent, request } from "undici";

export interface SoapExchangeRequest {
  path: string;
  contentType: string;
  soapAction?: string;
  body: string;
}

export interface SoapExchangeResponse {
  status: number;
  contentType: string;
  body: string;
}

export type SoapTransport = (req: SoapExchangeRequest) => Promise<SoapExchangeResponse>;

export class TransportError extends Error {
  override readonly name = "TransportError";
  constructor(
    readonly kind: "timeout" | "too-large" | "connection" | "protocol",
    message: string,
  ) {
    super(message);
  }
}

/** Anything with the reference STS's handle() shape (kept structural so adapters do not import reference/). */
export interface InProcessHandler {
  handle(req: { path: string; contentType?: string; soapAction?: string; body: string | Uint8Array }):
    | { status: number; contentType: string; body: string }
    | Promise<{ status: number; contentType: string; body: string }>;
}

export function inProcessTransport(target: InProcessHandler): SoapTransport {
  return async (req) => {
    const out = await target.handle(req);
    return { status: out.status, contentType: out.contentType, body: out.body };
  };
}

export interface HttpTransportOptions {
  timeoutMs?: number;
  maxResponseBytes?: number;
  /** PEM CA certificate(s) for a target with a private TLS certificate. */
  ca?: string | string[];
  /** Client certificate for TLS client authentication. */
  clientCert?: { certPem: string; keyPem: string };
  /** Accept any server certificate (only for targets the user vouches for). */
  insecure?: boolean;
}

export function httpTransport(baseUrl: string, opts: HttpTransportOptions = {}): SoapTransport & { close(): Promise<void> } {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const maxBytes = opts.maxResponseBytes ?? 4 * 1024 * 1024;
  const dispatcher = new Agent({
    connect: {
      ca: opts.ca,
      cert: opts.clientCert?.certPem,
      key: opts.clientCert?.keyPem,
      rejectUnauthorized: !opts.insecure,
      timeout: timeoutMs,
    },
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    connections: 8,
  });
  const fn = async (req: SoapExchangeRequest): Promise<SoapExchangeResponse> => {
    const url = new URL(req.path, baseUrl).toString();
    const headers: Record<string, string> = { "content-type": req.contentType };
    if (req.soapAction !== undefined) headers.soapaction = `"${req.soapAction}"`;
    const signal = AbortSignal.timeout(timeoutMs);
    let res;
    try {
      res = await request(url, { method: "POST", headers, body: req.body, dispatcher, signal });
    } catch (e) {
      const err = e as Error & { code?: string };
      if (err.name === "TimeoutError" || err.name === "AbortError" || /Timeout/i.test(err.code ?? "")) {
        throw new TransportError("timeout", `no answer within ${timeoutMs} ms`);
      }
      throw new TransportError("connection", `${err.code ?? err.name}: ${err.message}`);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const c of res.body) {
        size += (c as Buffer).length;
        if (size > maxBytes) {
          res.body.destroy();
          throw new TransportError("too-large", `response larger than ${maxBytes} bytes`);
        }
        chunks.push(c as Buffer);
      }
    } catch (e) {
      if (e instanceof TransportError) throw e;
      const err = e as Error;
      throw new TransportError(err.name === "TimeoutError" || err.name === "AbortError" ? "timeout" : "connection", err.message);
    }
    const ct = res.headers["content-type"];
    return {
      status: res.statusCode,
      contentType: Array.isArray(ct) ? ct.join(", ") : (ct ?? ""),
      body: Buffer.concat(chunks, size).toString("utf8"),
    };
  };
  return Object.assign(fn, { close: () => dispatcher.close() });
}
