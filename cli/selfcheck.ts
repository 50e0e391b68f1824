// `wsconform selfcheck`: the one-command smoke run of the main job until the suite runner lands. It starts the
// reference on a loopback port (or uses --target) and drives Issue, Validate, Renew and Cancel over real HTTP,
// checking what a demanding client checks: the response shape per version, the token's signature and audience,
// the proof key, and that a cancelled token stops validating.
import { systemClock } from "../protocol/clock.ts";
import { verifyEnvelopedSignature, trustAnchorFromCert } from "../protocol/dsig/verify.ts";
import { CLAIMS_DIALECT, TOKEN_TYPES, TRUST, type TrustVersion } from "../protocol/namespaces.ts";
import { psha1 } from "../protocol/psha1.ts";
import { parseAssertion } from "../protocol/saml/parse.ts";
import type { SoapVersion } from "../protocol/soap.ts";
import type { RequestSecurityTokenResponse } from "../protocol/trust/model.ts";
import { decryptEncryptedKey } from "../protocol/xmlenc.ts";
import { children } from "../protocol/xml/dom.ts";
import { NS } from "../protocol/namespaces.ts";
import { StsClient, type Exchange } from "../adapters/sts-client.ts";
import { httpTransport } from "../adapters/transport.ts";
import { DEMO_REALMS } from "../reference/config.ts";
import { serve } from "../reference/http.ts";
import { ReferenceSts } from "../reference/sts.ts";

interface Options {
  target?: string;
  defects?: string[];
  out: (line: string) => void;
}

function rstrOf(ex: Exchange): RequestSecurityTokenResponse | undefined {
  const m = ex.message;
  if (!m) return undefined;
  if (m.kind === "RSTR") return m.message;
  if (m.kind === "RSTRC") return m.message.responses[0];
  return undefined;
}

function describe(ex: Exchange): string {
  if (ex.transportError) return `transport: ${ex.transportError.message}`;
  if (ex.parseError) return `unreadable response (HTTP ${ex.response?.status}): ${ex.parseError}`;
  if (ex.fault) return `fault ${ex.fault.code.local}: ${ex.fault.reason}`;
  return `HTTP ${ex.response?.status}`;
}

export async function selfcheck(opts: Options): Promise<number> {
  let sts: ReferenceSts | undefined;
  let close: (() => Promise<void>) | undefined;
  let base = opts.target;
  if (!base) {
    sts = new ReferenceSts({ defects: opts.defects ?? [] });
    const running = await serve(sts, { port: 0 });
    base = running.url;
    close = running.close;
  }
  const transport = httpTransport(base, { timeoutMs: 10_000 });
  const results: boolean[] = [];
  const check = (name: string, ok: boolean, detail = "") => {
    results.push(ok);
    opts.out(`${ok ? "PASS" : "FAIL"}  ${name}${detail ? `  (${detail})` : ""}`);
  };
  const client = (tv: TrustVersion, sv: SoapVersion, password = "ecila") =>
    new StsClient({
      transport,
      clock: systemClock,
      path: `/adfs/services/trust/${tv === "2005" ? "2005" : "13"}/usernamemixed`,
      soapVersion: sv,
      trustVersion: tv,
      credentials: { username: "alice", password },
    });
  const anchors = sts ? [trustAnchorFromCert(sts.keys.signing.primary.certDer), trustAnchorFromCert(sts.keys.signing.secondary.certDer)] : [];
  opts.out(`wsconform selfcheck against ${base}${sts ? " (in-process reference on loopback)" : ""}`);
  try {
    // 1. Issue, WS-Trust 1.3, SOAP 1.2, SAML 2.0 bearer.
    const T13 = TRUST["1.3"];
    const c13 = client("1.3", "1.2");
    const ex1 = await c13.send({
      version: "1.3",
      requestType: T13.requestType("Issue"),
      context: "urn:uuid:selfcheck-1",
      tokenType: TOKEN_TYPES.saml20,
      keyType: T13.keyType("Bearer"),
      appliesTo: { address: DEMO_REALMS.saml20 },
      claims: { dialect: CLAIMS_DIALECT.identity, claimTypes: [{ uri: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress" }] },
    });
    const r1 = rstrOf(ex1);
    const token1 = r1?.requestedSecurityToken?.element;
    check("1.3 Issue answers an RSTRC under RSTRC/IssueFinal", ex1.message?.kind === "RSTRC" && ex1.action === T13.finalResponseAction("Issue"), describe(ex1));
    check("1.3 Issue echoes Context", r1?.context === "urn:uuid:selfcheck-1");
    if (token1) {
      const a = parseAssertion(token1);
      check("the SAML 2.0 token names the AppliesTo as its audience", a.audiences.includes(DEMO_REALMS.saml20));
      if (anchors.length) {
        const v = verifyEnvelopedSignature(token1, anchors);
        check("the token's signature verifies against the STS signing certificate", v.ok, v.ok ? "" : v.reason);
      }
    } else check("1.3 Issue returns a token", false, describe(ex1));

    // 2. Issue, WS-Trust 2005, SOAP 1.1, SAML 1.1 (NoProofKey bearer).
    const T05 = TRUST["2005"];
    const ex2 = await client("2005", "1.1").send({
      version: "2005",
      requestType: T05.requestType("Issue"),
      tokenType: TOKEN_TYPES.saml11,
      keyType: T05.keyType("Bearer"),
      appliesTo: { address: DEMO_REALMS.saml11 },
    });
    const t2 = rstrOf(ex2)?.requestedSecurityToken?.element;
    check("2005 Issue answers a bare RSTR under RSTR/Issue", ex2.message?.kind === "RSTR" && ex2.action === T05.finalResponseAction("Issue"), describe(ex2));
    check("2005 Issue returns a SAML 1.1 assertion", !!t2 && t2.namespaceURI === NS.saml11);

    // 3. Symmetric key with requestor entropy: the PSHA1 key equals the key encrypted to the RP.
    const entropy = Buffer.alloc(32, 7);
    const ex3 = await c13.send({
      version: "1.3",
      requestType: T13.requestType("Issue"),
      keyType: T13.keyType("SymmetricKey"),
      keySize: 256,
      entropy: { binarySecret: { type: T13.binarySecretType.Nonce, value: entropy } },
      appliesTo: { address: DEMO_REALMS.saml20 },
    });
    const r3 = rstrOf(ex3);
    const issuerEntropy = r3?.entropy?.binarySecret?.value;
    check("a symmetric request with entropy gets a PSHA1 ComputedKey", r3?.requestedProofToken?.kind === "ComputedKey" && !!issuerEntropy, describe(ex3));
    if (sts && issuerEntropy && r3?.requestedSecurityToken?.element) {
      const a = parseAssertion(r3.requestedSecurityToken.element);
      const ek = a.confirmationKeyInfo ? children(a.confirmationKeyInfo, NS.xenc, "EncryptedKey")[0] : undefined;
      const rpKey = sts.keys.relyingParties.get(DEMO_REALMS.saml20)!;
      const rpSees = ek ? decryptEncryptedKey(ek, rpKey.privateKey) : undefined;
      check("the client's PSHA1 key equals the proof key the RP decrypts", !!rpSees && rpSees.equals(psha1(entropy, issuerEntropy, 256)));
    }

    // 4–6. Validate, Renew, Cancel, Validate again.
    if (token1) {
      const status = async () => {
        const ex = await c13.send({ version: "1.3", requestType: T13.requestType("Validate"), tokenType: T13.statusTokenType, validateTarget: { element: token1 } });
        return { ex, code: rstrOf(ex)?.status?.code };
      };
      const v1 = await status();
      check("Validate says status/valid for a fresh token", v1.code === T13.statusValid, describe(v1.ex));
      const ren = await c13.send({ version: "1.3", requestType: T13.requestType("Renew"), renewTarget: { element: token1 } });
      check("Renew returns a new token under RSTR/RenewFinal", !!rstrOf(ren)?.requestedSecurityToken && ren.action === T13.finalResponseAction("Renew"), describe(ren));
      const can = await c13.send({ version: "1.3", requestType: T13.requestType("Cancel"), cancelTarget: { element: token1 } });
      check("Cancel answers RequestedTokenCancelled", rstrOf(can)?.requestedTokenCancelled === true, describe(can));
      const v2 = await status();
      check("a cancelled token validates status/invalid", v2.code === T13.statusInvalid, describe(v2.ex));
    }

    // 7. A wrong password is a fault, not a token.
    const ex7 = await client("1.3", "1.2", "wrong").send({ version: "1.3", requestType: T13.requestType("Issue"), keyType: T13.keyType("Bearer"), appliesTo: { address: DEMO_REALMS.saml20 } });
    check("a wrong password gets a FailedAuthentication fault", ex7.fault?.code.local === "FailedAuthentication", describe(ex7));
  } finally {
    await transport.close();
    await close?.();
  }
  const passed = results.filter(Boolean).length;
  opts.out(`${passed} passed, ${results.length - passed} failed`);
  return passed === results.length ? 0 : 1;
}
