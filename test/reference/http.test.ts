// End to end over real HTTP on loopback: the reference served by reference/http.ts, driven by the harness client
// through undici. Issue/Validate/Renew/Cancel for SAML 1.1 and 2.0 x each key type x WS-Trust 1.3 and 2005.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeClock } from "../../protocol/clock.ts";
import { TOKEN_TYPES, TRUST, NS, type TrustVersion } from "../../protocol/namespaces.ts";
import { parseAssertion } from "../../protocol/saml/parse.ts";
import { generateSelfSignedCertificate } from "../../protocol/x509/certificate.ts";
import { el } from "../../protocol/xml/writer.ts";
import { httpTransport } from "../../adapters/transport.ts";
import { DEMO_REALMS } from "../../reference/config.ts";
import { serve, type RunningServer } from "../../reference/http.ts";
import { ReferenceSts } from "../../reference/sts.ts";
import { START, clientFor, rstrOf, testKeys } from "../helpers/reference.ts";

let running: RunningServer;
let transport: ReturnType<typeof httpTransport>;
const clock = new FakeClock(START);
let sts: ReferenceSts;

beforeAll(async () => {
  sts = new ReferenceSts({ clock, keys: testKeys() });
  running = await serve(sts, { port: 0 });
  transport = httpTransport(running.url, { timeoutMs: 10_000 });
});

afterAll(async () => {
  await transport.close();
  await running.close();
});

const target = () => ({ transport, clock });
const requestor = generateSelfSignedCertificate({ commonName: "http-test requestor", notBeforeMs: START - 3600_000, notAfterMs: START + 86400_000 });

describe("lifecycle over HTTP", () => {
  for (const tv of ["1.3", "2005"] as TrustVersion[]) {
    for (const samlV of ["1.1", "2.0"] as const) {
      for (const kt of ["Bearer", "SymmetricKey", "PublicKey"] as const) {
        it(`${tv} SAML ${samlV} ${kt}: Issue -> Validate valid -> Renew -> Cancel -> Validate invalid`, async () => {
          const T = TRUST[tv];
          const sv = tv === "2005" ? "1.1" : "1.2";
          const creds =
            kt === "PublicKey"
              ? { username: "alice", password: "ecila", signer: { privateKey: requestor.privateKey, certDer: requestor.certDer, signatureId: "_pop" } }
              : { username: "alice", password: "ecila" };
          const c = clientFor(target(), tv, sv, creds);
          const issueEx = await c.send({
            version: tv,
            requestType: T.requestType("Issue"),
            tokenType: samlV === "1.1" ? TOKEN_TYPES.saml11 : TOKEN_TYPES.saml20,
            keyType: T.keyType(kt),
            appliesTo: { address: DEMO_REALMS.saml20 },
            renewing: { allow: true, ok: false },
            useKey: kt === "PublicKey" ? { key: { node: el("wsse:SecurityTokenReference", [el("wsse:Reference", { URI: "#_bst" })]) }, sig: "_pop" } : undefined,
          });
          expect(issueEx.response?.status).toBe(200);
          expect(issueEx.response?.contentType).toMatch(sv === "1.2" ? /^application\/soap\+xml/ : /^text\/xml/);
          const tok = rstrOf(issueEx)?.requestedSecurityToken?.element;
          expect(tok, issueEx.fault?.reason).toBeDefined();
          expect(tok!.namespaceURI).toBe(samlV === "1.1" ? NS.saml11 : NS.saml2);
          expect(parseAssertion(tok!).confirmation.method).toBe(kt === "Bearer" ? "bearer" : "holder-of-key");

          // A signed request is accepted once (replay cache); a real client's Timestamp moves on between sends.
          const status = async () => {
            clock.advance(1000);
            const ex = await c.send({ version: tv, requestType: T.requestType("Validate"), tokenType: T.statusTokenType, validateTarget: { element: tok! } });
            return rstrOf(ex)?.status?.code;
          };
          expect(await status()).toBe(T.statusValid);
          const renewEx = await c.send({ version: tv, requestType: T.requestType("Renew"), renewTarget: { element: tok! } });
          expect(rstrOf(renewEx)?.requestedSecurityToken?.element, renewEx.fault?.reason).toBeDefined();
          const cancelEx = await c.send({ version: tv, requestType: T.requestType("Cancel"), cancelTarget: { element: tok! } });
          expect(rstrOf(cancelEx)?.requestedTokenCancelled).toBe(true);
          expect(await status()).toBe(T.statusInvalid);
        });
      }
    }
  }
});

describe("faults over HTTP", () => {
  const T = TRUST["1.3"];
  const bearer = { version: "1.3" as const, requestType: T.requestType("Issue"), keyType: T.keyType("Bearer"), appliesTo: { address: DEMO_REALMS.saml20 } };
  const cases: [string, string, () => Promise<import("../../adapters/sts-client.ts").Exchange>][] = [
    ["wrong password", "FailedAuthentication", () => clientFor(target(), "1.3", "1.2", { username: "alice", password: "x" }).send(bearer)],
    ["expired Timestamp", "MessageExpired", () => clientFor(target(), "1.3").send(bearer, { timeShiftMs: -7200_000 })],
    ["unknown AppliesTo", "InvalidScope", () => clientFor(target(), "1.3").send({ ...bearer, appliesTo: { address: "urn:nobody" } })],
    ["missing RequestType", "InvalidRequest", () => clientFor(target(), "1.3").send(bearer, { mutate: (x) => x.replace(/<wst:RequestType>[^<]*<\/wst:RequestType>/, "") })],
    ["DOCTYPE in the request", "InvalidRequest", () => clientFor(target(), "1.3").send(bearer, { mutate: (x) => `<!DOCTYPE s:Envelope>${x}` })],
  ];
  for (const [name, local, run] of cases) {
    it(`${name} -> ${local} as a SOAP 1.2 fault with HTTP 400`, async () => {
      const ex = await run();
      expect(ex.response?.status).toBe(400);
      expect(ex.fault?.code.local).toBe(local);
    });
  }

  it("replayed nonce -> FailedAuthentication", async () => {
    const c = clientFor(target(), "1.3", "1.2", { username: "alice", password: "ecila", passwordType: "digest" });
    const nonce = Buffer.from("0123456789abcdef");
    expect((await c.send(bearer, { nonce })).fault).toBeUndefined();
    expect((await c.send(bearer, { nonce })).fault?.code.local).toBe("FailedAuthentication");
  });

  it("a body over the size limit is refused before it is read whole (413)", async () => {
    const ex = await clientFor(target(), "1.3").send(bearer, { mutate: (x) => x.replace("</s:Body>", `<!--${"x".repeat(1_100_000)}--></s:Body>`) });
    expect(ex.response?.status).toBe(413);
  });

  it("GET / lists the endpoints; GET /health answers ok", async () => {
    const res = await fetch(`${running.url}/`);
    expect(await res.text()).toContain("/adfs/services/trust/13/usernamemixed");
    expect(await (await fetch(`${running.url}/health`)).text()).toBe("ok\n");
  });
});

describe("HTTPS", () => {
  it("serves the same endpoints over TLS with the reference's certificate (SAN 127.0.0.1), verified by the client", async () => {
    const tlsSts = new ReferenceSts({ clock, keys: testKeys() });
    const tls = await serve(tlsSts, { port: 0, tls: true });
    const secure = httpTransport(tls.url, { timeoutMs: 10_000, ca: testKeys().tls.certPem });
    try {
      expect(tls.url).toMatch(/^https:\/\/127\.0\.0\.1:/);
      const T = TRUST["1.3"];
      const ex = await clientFor({ transport: secure, clock }, "1.3").send({ version: "1.3", requestType: T.requestType("Issue"), keyType: T.keyType("Bearer"), appliesTo: { address: DEMO_REALMS.saml20 } });
      expect(ex.transportError).toBeUndefined();
      expect(rstrOf(ex)?.requestedSecurityToken?.element).toBeDefined();
      // Without the CA the client refuses the server: the certificate is not trusted by default.
      const untrusting = httpTransport(tls.url, { timeoutMs: 10_000 });
      const refused = await clientFor({ transport: untrusting, clock }, "1.3").send({ version: "1.3", requestType: T.requestType("Issue"), keyType: T.keyType("Bearer"), appliesTo: { address: DEMO_REALMS.saml20 } });
      expect(refused.transportError?.kind).toBe("connection");
      await untrusting.close();
    } finally {
      await secure.close();
      await tls.close();
    }
  });
});
