// HTTP(S) front of the reference STS (node:http / node:https). Bounded: request bodies over the configured size are
// refused before they are read whole, slow clients time out, and every answer comes from ReferenceSts.handle.
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { STS_ENDPOINTS } from "./endpoints.ts";
import { ReferenceIdp, type IdpResponse } from "./passive/idp.ts";
import { PASSIVE_PATH } from "./passive/metadata.ts";
import { ADFS_METADATA_ALIAS_PATH, FEDERATION_METADATA_PATH } from "../protocol/wsfed/metadata.ts";
import type { ReferenceSts } from "./sts.ts";

export interface ServeOptions {
  port?: number;
  host?: string;
  tls?: boolean;
  /** Milliseconds a client may take to send its request. */
  requestTimeoutMs?: number;
  /** The passive IdP to mount at /adfs/ls/ and the metadata paths (default: one on the STS's context). */
  idp?: ReferenceIdp;
}

/** Largest login form body accepted by the passive endpoint. */
const PASSIVE_FORM_LIMIT = 64 * 1024;

export interface RunningServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | "too-large"> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"] ?? "0");
    if (declared > limit) {
      req.resume();
      resolve("too-large");
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on("data", (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > limit) {
        done = true;
        req.resume();
        resolve("too-large");
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => {
      if (!done) resolve(Buffer.concat(chunks, size));
    });
    req.on("error", reject);
  });
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { "content-type": contentType, "content-length": Buffer.byteLength(body), "cache-control": "no-store" });
  res.end(body);
}

export function endpointListing(sts: ReferenceSts, base: string): string {
  const lines = [
    "wsconform reference STS",
    "",
    "WS-Trust endpoints (SOAP 1.1 and 1.2 on each):",
    ...STS_ENDPOINTS.map((e) => `  ${base}${e.path}    (WS-Trust ${e.version === "2005" ? "Feb 2005" : "1.3/1.4"}, ${e.credential})`),
    "",
    "WS-Federation passive requestor (wsignin1.0, wsignout1.0, wsignoutcleanup1.0):",
    `  ${base}${PASSIVE_PATH}`,
    "Federation metadata (signed):",
    `  ${base}${FEDERATION_METADATA_PATH}`,
    `  ${base}${ADFS_METADATA_ALIAS_PATH}`,
    "",
    `Issuer: ${sts.config.issuer}`,
    `Active signing key: ${sts.config.activeSigningKey}`,
    `Defects switched on: ${sts.defects.list().join(", ") || "none"}`,
    "",
  ];
  return lines.join("\n");
}

function sendIdp(res: ServerResponse, out: IdpResponse, head: boolean): void {
  const body = typeof out.body === "string" ? Buffer.from(out.body, "utf8") : out.body;
  res.writeHead(out.status, { ...out.headers, "content-length": body.length });
  res.end(head ? undefined : body);
}

// The Host header names the origin the browser used (metadata addresses, form actions). Only loopback names are
// believed: anything else could make the IdP sign metadata naming someone else's endpoints.
const LOOPBACK_HOST = /^(127\.0\.0\.1|localhost|\[::1\])(:\d{1,5})?$/i;

export async function serve(sts: ReferenceSts, opts: ServeOptions = {}): Promise<RunningServer> {
  const limit = sts.config.maxMessageBytes;
  const idp = opts.idp ?? new ReferenceIdp(sts.context);
  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    try {
      const path = req.url ?? "/";
      if (ReferenceIdp.handles(path)) {
        let body: Buffer | undefined;
        if (req.method === "POST") {
          const b = await readBody(req, PASSIVE_FORM_LIMIT);
          if (b === "too-large") {
            send(res, 413, "text/plain; charset=utf-8", `request larger than ${PASSIVE_FORM_LIMIT} bytes\n`);
            return;
          }
          body = b;
        }
        const host = req.headers.host;
        const origin = host && LOOPBACK_HOST.test(host) ? `${opts.tls ? "https" : "http"}://${host}` : baseUrl();
        const out = await idp.handle({
          method: req.method === "HEAD" ? "GET" : (req.method ?? "GET"),
          url: path,
          headers: { cookie: req.headers.cookie, "content-type": req.headers["content-type"], host },
          body,
          secure: !!opts.tls,
          origin,
        });
        sendIdp(res, out, req.method === "HEAD");
        return;
      }
      if (req.method === "GET") {
        if (path === "/" || path === "/health") {
          send(res, 200, "text/plain; charset=utf-8", path === "/health" ? "ok\n" : endpointListing(sts, baseUrl()));
          return;
        }
        send(res, 404, "text/plain; charset=utf-8", "not found\n");
        return;
      }
      if (req.method !== "POST") {
        res.setHeader("allow", "GET, POST");
        send(res, 405, "text/plain; charset=utf-8", "method not allowed\n");
        return;
      }
      const body = await readBody(req, limit);
      if (body === "too-large") {
        send(res, 413, "text/plain; charset=utf-8", `request larger than ${limit} bytes\n`);
        return;
      }
      const out = await sts.handle({
        path,
        contentType: req.headers["content-type"],
        soapAction: typeof req.headers.soapaction === "string" ? req.headers.soapaction : undefined,
        body,
        secure: !!opts.tls,
      });
      send(res, out.status, out.contentType, out.body);
    } catch {
      if (!res.headersSent) send(res, 500, "text/plain; charset=utf-8", "internal error\n");
      else res.destroy();
    }
  };
  const server: Server = opts.tls
    ? (createHttpsServer({ key: sts.keys.tls.keyPem, cert: sts.keys.tls.certPem }, handler) as unknown as Server)
    : createHttpServer(handler);
  server.requestTimeout = opts.requestTimeoutMs ?? 30_000;
  server.headersTimeout = Math.min(server.requestTimeout, 20_000);
  server.keepAliveTimeout = 5_000;
  const host = opts.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const baseUrl = () => {
    const a = server.address() as AddressInfo;
    const h = a.family === "IPv6" ? `[${a.address}]` : a.address;
    return `${opts.tls ? "https" : "http"}://${h}:${a.port}`;
  };
  return {
    server,
    url: baseUrl(),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
