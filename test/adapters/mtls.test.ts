// The HTTP transport speaks TLS with a custom CA and presents a client certificate for mutual TLS; without the
// certificate a server that requires one refuses the connection, which the harness reports as a transport error.
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { generateSelfSignedCertificate } from "../../protocol/x509/certificate.ts";
import { httpTransport, TransportError } from "../../adapters/transport.ts";

const NOW = Date.now();
const ca = generateSelfSignedCertificate({ commonName: "test CA", notBeforeMs: NOW - 3600_000, notAfterMs: NOW + 86400_000, isCA: true });
const server = generateSelfSignedCertificate({ commonName: "localhost", notBeforeMs: NOW - 3600_000, notAfterMs: NOW + 86400_000, issuer: ca, subjectAltNames: { ip: ["127.0.0.1"] } });
const client = generateSelfSignedCertificate({ commonName: "client", notBeforeMs: NOW - 3600_000, notAfterMs: NOW + 86400_000, issuer: ca, keyUsage: ["digitalSignature"] });

describe("HTTP transport over mutual TLS", () => {
  it("presents the client certificate; without it the exchange fails as a TransportError", async () => {
    const https = createServer({ key: server.keyPem, cert: server.certPem, ca: ca.certPem, requestCert: true, rejectUnauthorized: true }, (req, res) => {
      const peer = (req.socket as import("node:tls").TLSSocket).getPeerCertificate();
      res.writeHead(200, { "content-type": "text/plain" });
      res.end(`hello ${peer.subject?.CN}`);
    });
    await new Promise<void>((r) => https.listen(0, "127.0.0.1", () => r()));
    const url = `https://127.0.0.1:${(https.address() as AddressInfo).port}`;
    try {
      const withCert = httpTransport(url, { ca: ca.certPem, clientCert: { certPem: client.certPem, keyPem: client.keyPem }, timeoutMs: 5000 });
      const ok = await withCert({ path: "/", contentType: "text/xml", body: "<x/>" });
      expect(ok.body).toBe("hello client");
      await withCert.close();
      const without = httpTransport(url, { ca: ca.certPem, timeoutMs: 5000 });
      const err = await without({ path: "/", contentType: "text/xml", body: "<x/>" }).catch((e) => e);
      expect(err).toBeInstanceOf(TransportError);
      await without.close();
    } finally {
      https.closeAllConnections();
      await new Promise<void>((r) => https.close(() => r()));
    }
  });
});
