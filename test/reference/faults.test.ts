// Every refusal of the reference is a SOAP fault of the request's SOAP version with a WS-Trust, WS-Security or
// WS-Federation code (T78), and each code of the digest has a trigger.
import { describe, expect, it } from "vitest";
import { generateSelfSignedCertificate } from "../../protocol/x509/certificate.ts";
import { CLAIMS_DIALECT, DSIG, NS, TOKEN_TYPES, TRUST, type TrustVersion } from "../../protocol/namespaces.ts";
import { el } from "../../protocol/xml/writer.ts";
import { DEMO_REALMS } from "../../reference/config.ts";
import { START, clientFor, makeReference, pathFor, rstrOf } from "../helpers/reference.ts";

const T13 = TRUST["1.3"];
const bearer = (tv: TrustVersion = "1.3") => ({
  version: tv,
  requestType: TRUST[tv].requestType("Issue"),
  keyType: TRUST[tv].keyType("Bearer"),
  appliesTo: { address: DEMO_REALMS.saml20 },
});

describe("fault encoding (T78)", () => {
  it("SOAP 1.2: Code Sender, Subcode = the wst QName in the version's namespace, HTTP 400", async () => {
    const ref = makeReference();
    for (const tv of ["1.3", "2005"] as const) {
      const ex = await clientFor(ref, tv, "1.2").send({ ...bearer(tv), appliesTo: { address: "urn:unknown:rp" } });
      expect(ex.response!.status).toBe(400);
      expect(ex.fault?.code).toEqual({ ns: TRUST[tv].ns, local: "InvalidScope" });
      expect(ex.envelope!.version).toBe("1.2");
    }
  });

  it("SOAP 1.1: faultcode = the QName, HTTP 500, text/xml", async () => {
    const ref = makeReference();
    const ex = await clientFor(ref, "1.3", "1.1").send({ ...bearer(), appliesTo: { address: "urn:unknown:rp" } });
    expect(ex.response!.status).toBe(500);
    expect(ex.response!.contentType).toMatch(/^text\/xml/);
    expect(ex.fault?.code).toEqual({ ns: NS.wst13, local: "InvalidScope" });
  });

  it("the fault carries the WS-Addressing fault action and RelatesTo", async () => {
    const ref = makeReference();
    const ex = await clientFor(ref, "1.3").send({ ...bearer(), appliesTo: { address: "urn:unknown:rp" } });
    expect(ex.action).toBe("http://www.w3.org/2005/08/addressing/soap/fault");
  });
});

describe("fault triggers", () => {
  const cases: [string, string, string, (r: ReturnType<typeof makeReference>) => Promise<import("../../adapters/sts-client.ts").Exchange>][] = [
    ["wrong password (T80)", NS.wsse, "FailedAuthentication", (r) => clientFor(r, "1.3", "1.2", { username: "alice", password: "nope" }).send(bearer())],
    ["unknown user", NS.wsse, "FailedAuthentication", (r) => clientFor(r, "1.3", "1.2", { username: "mallory", password: "x" }).send(bearer())],
    ["missing RequestType (T03)", NS.wst13, "InvalidRequest", (r) => clientFor(r, "1.3").send(bearer(), { mutate: (x) => x.replace(/<wst:RequestType>[^<]*<\/wst:RequestType>/, "") })],
    ["unknown RequestType (T04)", NS.wst13, "InvalidRequest", (r) => clientFor(r, "1.3").send({ ...bearer(), requestType: "urn:bogus" }, { action: T13.requestAction("Issue") })],
    ["Action that does not match the RequestType (T18)", NS.wst13, "InvalidRequest", (r) => clientFor(r, "1.3").send(bearer(), { action: T13.requestAction("Validate") })],
    ["SOAPAction differing from wsa:Action", NS.wst13, "InvalidRequest", (r) => clientFor(r, "1.3", "1.1").send(bearer(), { transportAction: T13.requestAction("Cancel") })],
    ["unknown RST child element (T08)", NS.wst13, "InvalidRequest", (r) => clientFor(r, "1.3").send(bearer(), { mutate: (x) => x.replace("</wst:RequestSecurityToken>", '<x:Unknown xmlns:x="urn:t"/></wst:RequestSecurityToken>') })],
    ["a 2005 RST at a 1.3 endpoint (T01)", NS.wst13, "InvalidRequest", (r) => clientFor(r, "1.3").sendRaw(clientFor(r, "2005").build(bearer("2005")).xml, TRUST["2005"].requestAction("Issue"))],
    ["DOCTYPE in the request", NS.wst13, "InvalidRequest", (r) => clientFor(r, "1.3").send(bearer(), { mutate: (x) => `<!DOCTYPE x [<!ENTITY e SYSTEM "http://127.0.0.1:9/">]>${x}` })],
    ["unknown AppliesTo (T33)", NS.wst13, "InvalidScope", (r) => clientFor(r, "1.3").send({ ...bearer(), appliesTo: { address: "urn:unknown:rp" } })],
    ["missing AppliesTo", NS.wst13, "InvalidRequest", (r) => clientFor(r, "1.3").send({ ...bearer(), appliesTo: undefined })],
    ["Lifetime that ends before it begins (T23)", NS.wst13, "InvalidTimeRange", (r) => clientFor(r, "1.3").send({ ...bearer(), lifetime: { created: START + 60_000, expires: START } })],
    ["Lifetime in the future without AllowPostdating", NS.wst13, "InvalidTimeRange", (r) => clientFor(r, "1.3").send({ ...bearer(), lifetime: { created: START + 3600_000, expires: START + 7200_000 } })],
    ["unsupported token type", NS.wst13, "BadRequest", (r) => clientFor(r, "1.3").send({ ...bearer(), tokenType: TOKEN_TYPES.x509v3 })],
    ["unsupported KeyType", NS.wst13, "BadRequest", (r) => clientFor(r, "1.3").send({ ...bearer(), keyType: "urn:bogus:keytype" })],
    ["symmetric key for an RP without an encryption certificate", NS.wst13, "BadRequest", (r) => clientFor(r, "1.3").send({ ...bearer(), keyType: T13.keyType("SymmetricKey"), appliesTo: { address: DEMO_REALMS.bearerOnly } })],
    ["weak requestor entropy", NS.wst13, "InvalidRequest", (r) => clientFor(r, "1.3").send({ ...bearer(), keyType: T13.keyType("SymmetricKey"), entropy: { binarySecret: { type: T13.binarySecretType.Nonce, value: Buffer.alloc(8, 1) } } })],
    ["unsupported claims dialect (T25)", NS.fed, "UnsupportedClaimsDialect", (r) => clientFor(r, "1.3").send({ ...bearer(), claims: { dialect: "urn:bogus", claimTypes: [] } })],
    ["a required claim that cannot be supplied (T26)", NS.wst13, "InvalidRequest", (r) => clientFor(r, "1.3").send({ ...bearer(), claims: { dialect: CLAIMS_DIALECT.identity, claimTypes: [{ uri: "urn:not-there" }] } })],
    ["no Security header", NS.wsse, "InvalidSecurity", (r) => clientFor(r, "1.3").send(bearer(), { mutate: (x) => x.replace(/<wsse:Security[\s\S]*<\/wsse:Security>/, "") })],
    ["no Timestamp", NS.wsse, "InvalidSecurity", (r) => clientFor(r, "1.3").send(bearer(), { timestampSeconds: null })],
    ["expired Timestamp", NS.wsse, "MessageExpired", (r) => clientFor(r, "1.3").send(bearer(), { timeShiftMs: -3600_000 })],
    ["Timestamp from the future", NS.wsse, "MessageExpired", (r) => clientFor(r, "1.3").send(bearer(), { timeShiftMs: 3600_000 })],
    ["unknown password type", NS.wsse, "UnsupportedSecurityToken", (r) => clientFor(r, "1.3").send(bearer(), { mutate: (x) => x.replace(/Type="[^"]*#PasswordText"/, 'Type="urn:bogus"') })],
    ["PasswordDigest without Nonce", NS.wsse, "InvalidSecurityToken", (r) => clientFor(r, "1.3", "1.2", { username: "alice", password: "ecila", passwordType: "digest" }).send(bearer(), { mutate: (x) => x.replace(/<wsse:Nonce[^>]*>[^<]*<\/wsse:Nonce>/, "") })],
    ["stale UsernameToken Created", NS.wst13, "ExpiredData", (r) => clientFor(r, "1.3", "1.2", { username: "alice", password: "ecila", passwordType: "digest" }).send(bearer(), { usernameTokenShiftMs: -3600_000 })],
    ["KET binding", NS.wst13, "BadRequest", (r) => clientFor(r, "1.3").send({ ...bearer(), requestType: T13.requestType("KET") })],
    ["ActAs (a 1.4 element) in a 2005 RST", NS.wst2005, "InvalidRequest", async (r) => clientFor(r, "2005").send(bearer("2005"), { mutate: (x) => x.replace("</t:RequestSecurityToken>", '<wst14:ActAs xmlns:wst14="http://docs.oasis-open.org/ws-sx/ws-trust/200802"><x:y xmlns:x="urn:x"/></wst14:ActAs></t:RequestSecurityToken>') })],
  ];
  for (const [name, ns, local, run] of cases) {
    it(`${name} -> ${local}`, async () => {
      const ref = makeReference();
      const ex = await run(ref);
      expect(ex.response, "the target answered").toBeDefined();
      expect(ex.parseError, "the answer is a readable SOAP message").toBeUndefined();
      expect(ex.fault?.code, `${ex.fault?.reason}`).toEqual({ ns, local });
      expect(rstrOf(ex)).toBeUndefined();
    });
  }

  it("a replayed UsernameToken nonce -> wsse:FailedAuthentication (T81)", async () => {
    const ref = makeReference();
    const c = clientFor(ref, "1.3", "1.2", { username: "alice", password: "ecila", passwordType: "digest" });
    const nonce = Buffer.alloc(16, 9);
    const first = await c.send(bearer(), { nonce });
    expect(first.fault).toBeUndefined();
    const again = await c.send(bearer(), { nonce });
    expect(again.fault?.code).toEqual({ ns: NS.wsse, local: "FailedAuthentication" });
  });

  it("a replayed X.509-signed message -> wsse:FailedAuthentication (T81)", async () => {
    const ref = makeReference();
    const demo = ref.sts.keys.demoClient;
    const c = clientFor(ref, "1.3", "1.2", { signer: { privateKey: demo.privateKey, certDer: demo.certDer } });
    const { xml, action } = c.build(bearer());
    expect((await c.sendRaw(xml, action)).fault).toBeUndefined();
    expect((await c.sendRaw(xml, action)).fault?.code).toEqual({ ns: NS.wsse, local: "FailedAuthentication" });
  });

  it("an untrusted client certificate at certificatemixed -> wsse:FailedAuthentication", async () => {
    const ref = makeReference();
    const stranger = generateSelfSignedCertificate({ commonName: "stranger", notBeforeMs: START - 3600_000, notAfterMs: START + 86400_000 });
    const ex = await clientFor(ref, "1.3", "1.2", { signer: { privateKey: stranger.privateKey, certDer: stranger.certDer } }).send(bearer());
    expect(ex.fault?.code).toEqual({ ns: NS.wsse, local: "FailedAuthentication" });
  });

  it("a tampered signed body at certificatemixed -> wsse:FailedCheck", async () => {
    const ref = makeReference();
    const demo = ref.sts.keys.demoClient;
    const ex = await clientFor(ref, "1.3", "1.2", { signer: { privateKey: demo.privateKey, certDer: demo.certDer } }).send(bearer(), {
      mutate: (x) => x.replace(DEMO_REALMS.saml20, DEMO_REALMS.saml11),
    });
    expect(ex.fault?.code).toEqual({ ns: NS.wsse, local: "FailedCheck" });
  });

  it("a signature that does not cover the Body at certificatemixed -> wst:AuthenticationBadElements", async () => {
    const ref = makeReference();
    const demo = ref.sts.keys.demoClient;
    const ex = await clientFor(ref, "1.3", "1.2", { signer: { privateKey: demo.privateKey, certDer: demo.certDer, covers: { body: false } } }).send(bearer());
    expect(ex.fault?.code).toEqual({ ns: NS.wst13, local: "AuthenticationBadElements" });
  });

  it("a message signed with rsa-sha1 -> wsse:UnsupportedAlgorithm", async () => {
    const ref = makeReference();
    const demo = ref.sts.keys.demoClient;
    const signer = { privateKey: demo.privateKey, certDer: demo.certDer, options: { signatureAlgorithm: DSIG.rsaSha1, digestAlgorithm: DSIG.sha1 } };
    const ex = await clientFor(ref, "1.3", "1.2", { signer }).send(bearer());
    expect(ex.fault?.code).toEqual({ ns: NS.wsse, local: "UnsupportedAlgorithm" });
  });

  it("a signature whose token reference points nowhere -> wsse:SecurityTokenUnavailable", async () => {
    const ref = makeReference();
    const demo = ref.sts.keys.demoClient;
    const ex = await clientFor(ref, "1.3", "1.2", { signer: { privateKey: demo.privateKey, certDer: demo.certDer } }).send(bearer(), {
      mutate: (x) => x.replace('URI="#_bst"', 'URI="#_missing"'),
    });
    expect(ex.fault?.code).toEqual({ ns: NS.wsse, local: "SecurityTokenUnavailable" });
  });

  it("a full replay cache fails closed -> wst:RequestFailed (Receiver, HTTP 500)", async () => {
    const ref = makeReference({ config: { replayCacheCapacity: 1 } });
    const c = clientFor(ref, "1.3", "1.2", { username: "alice", password: "ecila", passwordType: "digest" });
    expect((await c.send(bearer())).fault).toBeUndefined();
    const ex = await c.send(bearer());
    expect(ex.fault?.code).toEqual({ ns: NS.wst13, local: "RequestFailed" });
    expect(ex.response?.status).toBe(500);
  });

  it("a UseKey without proof of possession -> wst:FailedAuthentication", async () => {
    const ref = makeReference();
    const other = generateSelfSignedCertificate({ commonName: "k", notBeforeMs: START - 3600_000, notAfterMs: START + 86400_000 });
    const useKey = { key: { node: el("wsse:BinarySecurityToken", { ValueType: "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3", EncodingType: "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary" }, other.certDer.toString("base64")) } };
    const ex = await clientFor(ref, "1.3").send({ ...bearer(), keyType: T13.keyType("PublicKey"), useKey });
    expect(ex.fault?.code).toEqual({ ns: NS.wst13, local: "FailedAuthentication" });
  });

  it("an endpoint path that does not exist -> 404, not a crash", async () => {
    const ref = makeReference();
    const out = await ref.sts.handle({ path: "/nope", body: "<x/>" });
    expect(out.status).toBe(404);
  });

  it("garbage bytes -> a SOAP fault, never an exception", async () => {
    const ref = makeReference();
    for (const body of ["", "not xml", "<a>", Buffer.from([0xff, 0xfe, 0x00]), "<s:Envelope xmlns:s='urn:x'/>"]) {
      const out = await ref.sts.handle({ path: pathFor("1.3"), contentType: "application/soap+xml", body });
      expect(out.status).toBe(400);
      expect(out.body).toContain("InvalidRequest");
    }
  });

  it("SOAP 1.2 envelope sent as text/xml -> VersionMismatch", async () => {
    const ref = makeReference();
    const xml = clientFor(ref, "1.3", "1.2").build(bearer()).xml;
    const out = await ref.sts.handle({ path: pathFor("1.3"), contentType: "text/xml", body: xml });
    expect(out.body).toContain("VersionMismatch");
  });
});
