// A small HTTP(S) client for the relying-party side: one request, no redirect following (the harness judges
// redirects itself), a time limit and a bounded response body. Loopback and configured targets only: the caller
// decides the URL.
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";

export interface HttpRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** PEM CA certificate(s) for a private TLS certificate. */
  ca?: string | string[];
  timeoutMs?: number;
  maxResponseBytes?: number;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** Set-Cookie headers as received. */
  setCookies: string[];
  location?: string;
  contentType?: string;
}

export class HttpClientError extends Error {
  override readonly name = "HttpClientError";
}

export function sendHttp(req: HttpRequest): Promise<HttpResponse> {
  const u = new URL(req.url);
  if (u.protocol !== "http:" && u.protocol !== "https:") return Promise.reject(new HttpClientError(`unsupported URL scheme ${u.protocol}`));
  const timeoutMs = req.timeoutMs ?? 10_000;
  const max = req.maxResponseBytes ?? 4 * 1024 * 1024;
  const body = req.body === undefined ? undefined : Buffer.isBuffer(req.body) ? req.body : Buffer.from(req.body, "utf8");
  const headers: Record<string, string> = { ...req.headers };
  if (body) headers["content-length"] = String(body.length);
  return new Promise((resolve, reject) => {
    const options = { method: req.method, headers, ...(u.protocol === "https:" && req.ca ? { ca: req.ca } : {}) };
    const r = (u.protocol === "https:" ? httpsRequest : httpRequest)(u, options, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (c: Buffer) => {
        size += c.length;
        if (size > max) {
          res.destroy();
          reject(new HttpClientError(`response from ${u.origin} exceeds ${max} bytes`));
          return;
        }
        chunks.push(c);
      });
      res.on("end", () => {
        const sc = res.headers["set-cookie"];
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks),
          setCookies: Array.isArray(sc) ? sc : sc ? [sc] : [],
          location: typeof res.headers.location === "string" ? res.headers.location : undefined,
          contentType: res.headers["content-type"],
        });
      });
      res.on("error", reject);
    });
    r.setTimeout(timeoutMs, () => r.destroy(new HttpClientError(`no answer from ${u.origin} within ${timeoutMs} ms`)));
    r.on("error", reject);
    r.end(body);
  });
}
