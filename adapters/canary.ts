// A canary listener on loopback: an HTTP server that answers every request with a tiny page and remembers it. A
// suite hands its URL to a target where no request should ever go (a foreign wreply, an external entity) and then
// asks whether anything arrived. Bounded: it keeps at most 1,000 hits and reads no request body.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface CanaryHit {
  method: string;
  url: string;
  /** Monotonic order of arrival (no wall clock needed). */
  seq: number;
}

export interface Canary {
  /** Base URL, e.g. http://127.0.0.1:41234/ */
  url: string;
  hits(): CanaryHit[];
  close(): Promise<void>;
}

const MAX_HITS = 1_000;

export async function startCanary(host = "127.0.0.1"): Promise<Canary> {
  const hits: CanaryHit[] = [];
  let seq = 0;
  const server: Server = createServer((req, res) => {
    if (hits.length < MAX_HITS) hits.push({ method: req.method ?? "", url: req.url ?? "", seq: ++seq });
    req.resume();
    const body = "<!doctype html><title>canary</title><p>wsconform canary: this request should not have happened.</p>";
    res.writeHead(200, { "content-type": "text/html; charset=utf-8", "content-length": Buffer.byteLength(body), connection: "close" });
    res.end(body);
  });
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, () => resolve());
  });
  const a = server.address() as AddressInfo;
  return {
    url: `http://${a.family === "IPv6" ? `[${a.address}]` : a.address}:${a.port}/`,
    hits: () => [...hits],
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
