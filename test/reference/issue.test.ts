// Issue binding of the reference, in-process: every token type x key type x version, and the RSTR content.
import { describe, expect, it } from "vitest";
import { generateSelfSignedCertificate } from "../../protocol/x509/certificate.ts";
import { verifyEnvelopedSignature, trustAnchorFromCert } from "../../protocol/dsig/verify.ts";
import { CLAIMS_DIALECT, CONFIRMATION_METHOD, NS, TOKEN_TYPES, TRUST, type TrustVersion } from "../../protocol/namespaces.ts";
import { psha1 } from "../../protocol/psha1.ts";
import { parseAssertion } from "../../protocol/saml/parse.ts";
import { decryptEncryptedKey } from "../../protocol/xmlenc.ts";
import { children } from "../../protocol/xml/dom.ts";
import { el } from "../../protocol/xml/writer.ts";
import { CLAIM, DEMO_REALMS } from "../../reference/config.ts";
import { START, clientFor, makeReference, rstrOf, testKeys } from "../helpers/reference.ts";

const VERSIONS: TrustVersion[] = ["1.3", "2005"];
const TOKEN = { "1.1": TOKEN_TYPES.saml11, "2.0": TOKEN_TYPES.saml20 } as const;

function anchors() {
  const k = testKeys();
  return [trustAnchorFromCert(k.signing.primary.certDer), trustAnchorFromCert(k.signing.secondary.certDer)];
}

describe("Issue: response shape per version (T29, T82)", () => {
  for (const tv of VERSIONS) {
    it(`${tv}: ${tv === "2005" ? "bare RSTR under RSTR/Issue" : "RSTRC under RSTRC/IssueFinal"}`, async () => {
      const ref = makeReference();
      const T = TRUST[tv];
      const ex = await clientFor(ref, tv).send({ version: tv, requestType: T.requestType("Issue"), keyType: T.keyType("Bearer"), appliesTo: { address: DEMO_REALMS.saml20 } });
      expect(ex.fault).toBeUndefined();
      expect(ex.message?.kind).toBe(tv === "2005" ? "RSTR" : "RSTRC");
      expect(ex.action).toBe(T.finalResponseAction("Issue"));
      expect(ex.envelope?.bodyChild?.namespaceURI).toBe(T.ns);
    });
  }
});

describe("Issue: token type x key type x version", () => {
  for (const tv of VERSIONS) {
    for (const sv of ["1.1", "2.0"] as const) {
      const T = TRUST[tv];
      it(`${tv} SAML ${sv} Bearer: signed, bearer confirmation, audience = AppliesTo, no proof material (T69)`, async () => {
        const ref = makeReference();
        const ex = await clientFor(ref, tv).send({ version: tv, requestType: T.requestType("Issue"), tokenType: TOKEN[sv], keyType: T.keyType("Bearer"), appliesTo: { address: DEMO_REALMS.saml20 } });
        const r = rstrOf(ex)!;
        expect(ex.fault).toBeUndefined();
        expect(r.tokenType).toBe(TOKEN[sv]);
        expect(r.requestedProofToken).toBeUndefined();
        expect(r.entropy).toBeUndefined();
        const tok = r.requestedSecurityToken!.element!;
        expect(tok.namespaceURI).toBe(sv === "1.1" ? NS.saml11 : NS.saml2);
        const v = verifyEnvelopedSignature(tok, anchors());
        expect(v.ok).toBe(true);
        const a = parseAssertion(tok);
        expect(a.confirmation.method).toBe("bearer");
        expect(a.audiences).toEqual([DEMO_REALMS.saml20]);
        expect(a.subject.nameId).toBe("alice");
        expect(a.issuer).toBe(ref.sts.config.issuer);
      });

      it(`${tv} SAML ${sv} SymmetricKey without entropy: BinarySecret proof = the key encrypted to the RP (T38)`, async () => {
        const ref = makeReference();
        const ex = await clientFor(ref, tv).send({ version: tv, requestType: T.requestType("Issue"), tokenType: TOKEN[sv], keyType: T.keyType("SymmetricKey"), keySize: 256, appliesTo: { address: DEMO_REALMS.saml20 } });
        const r = rstrOf(ex)!;
        expect(ex.fault).toBeUndefined();
        expect(r.requestedProofToken?.kind).toBe("BinarySecret");
        const secret = r.requestedProofToken?.kind === "BinarySecret" ? r.requestedProofToken.secret.value : Buffer.alloc(0);
        expect(secret.length).toBe(32);
        const a = parseAssertion(r.requestedSecurityToken!.element!);
        expect(a.confirmation.method).toBe("holder-of-key");
        const ek = children(a.confirmationKeyInfo!, NS.xenc, "EncryptedKey")[0]!;
        const rpKey = testKeys().relyingParties.get(DEMO_REALMS.saml20)!;
        expect(decryptEncryptedKey(ek, rpKey.privateKey).equals(secret)).toBe(true);
      });

      it(`${tv} SAML ${sv} SymmetricKey with entropy: ComputedKey PSHA1(requestor, issuer) (T37, T40)`, async () => {
        const ref = makeReference();
        const mine = Buffer.from(Array.from({ length: 32 }, (_, i) => i));
        const ex = await clientFor(ref, tv).send({
          version: tv,
          requestType: T.requestType("Issue"),
          tokenType: TOKEN[sv],
          keyType: T.keyType("SymmetricKey"),
          keySize: 256,
          entropy: { binarySecret: { type: T.binarySecretType.Nonce, value: mine } },
          appliesTo: { address: DEMO_REALMS.saml20 },
        });
        const r = rstrOf(ex)!;
        expect(ex.fault).toBeUndefined();
        expect(r.requestedProofToken).toEqual({ kind: "ComputedKey", algorithm: T.computedKeyPSHA1 });
        const theirs = r.entropy!.binarySecret!.value;
        const a = parseAssertion(r.requestedSecurityToken!.element!);
        const ek = children(a.confirmationKeyInfo!, NS.xenc, "EncryptedKey")[0]!;
        const rpSees = decryptEncryptedKey(ek, testKeys().relyingParties.get(DEMO_REALMS.saml20)!.privateKey);
        expect(rpSees.equals(psha1(mine, theirs, 256))).toBe(true);
        expect(rpSees.equals(psha1(theirs, mine, 256))).toBe(false);
      });

      it(`${tv} SAML ${sv} PublicKey with UseKey: the token binds the signing certificate, no proof token (T70)`, async () => {
        const ref = makeReference();
        const mine = generateSelfSignedCertificate({ commonName: "requestor", notBeforeMs: START - 3600_000, notAfterMs: START + 86400_000 });
        const client = clientFor(ref, tv, "1.2", { username: "alice", password: "ecila", signer: { privateKey: mine.privateKey, certDer: mine.certDer, signatureId: "_pop" } });
        const useKey = { key: { node: el("wsse:SecurityTokenReference", [el("wsse:Reference", { URI: "#_bst" })]) }, sig: "_pop" };
        const ex = await client.send({ version: tv, requestType: T.requestType("Issue"), tokenType: TOKEN[sv], keyType: T.keyType("PublicKey"), useKey, appliesTo: { address: DEMO_REALMS.saml20 } });
        const r = rstrOf(ex)!;
        expect(ex.fault).toBeUndefined();
        expect(r.requestedProofToken).toBeUndefined();
        const a = parseAssertion(r.requestedSecurityToken!.element!);
        expect(a.confirmation.method).toBe("holder-of-key");
        const certText = a.confirmationKeyInfo!.textContent!.replace(/\s+/g, "");
        expect(certText).toContain(mine.certDer.toString("base64"));
      });
    }
  }
});

describe("Issue: RSTR content (digest §2.2)", () => {
  const T = TRUST["1.3"];
  it("echoes Context on the RSTR inside the RSTRC (T06) and the RSTRC has none (T07)", async () => {
    const ref = makeReference();
    const ex = await clientFor(ref, "1.3").send({ version: "1.3", requestType: T.requestType("Issue"), context: "urn:uuid:ctx-1", keyType: T.keyType("Bearer"), appliesTo: { address: DEMO_REALMS.saml20 } });
    expect(rstrOf(ex)!.context).toBe("urn:uuid:ctx-1");
    expect(ex.envelope!.bodyChild!.getAttribute("Context") ?? "").toBe("");
  });

  it("returns AppliesTo (T13), Lifetime equal to the token's Conditions (T22), references naming the token (T34, T36)", async () => {
    const ref = makeReference();
    const ex = await clientFor(ref, "1.3").send({ version: "1.3", requestType: T.requestType("Issue"), keyType: T.keyType("Bearer"), appliesTo: { address: DEMO_REALMS.saml20 } });
    const r = rstrOf(ex)!;
    const a = parseAssertion(r.requestedSecurityToken!.element!);
    expect(r.appliesTo?.address).toBe(DEMO_REALMS.saml20);
    expect(r.lifetime?.created).toBe(a.notBefore);
    expect(r.lifetime?.expires).toBe(a.notOnOrAfter);
    expect(a.notOnOrAfter - a.notBefore).toBe(3600_000);
    for (const ref of [r.requestedAttachedReference!, r.requestedUnattachedReference!]) {
      const ki = children(ref.element!, NS.wsse, "KeyIdentifier")[0]!;
      expect(ki.textContent).toBe(a.id);
      expect(ki.getAttribute("ValueType")).toBe("http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLID");
      expect(ref.element!.getAttributeNS(NS.wsse11, "TokenType")).toBe(TOKEN_TYPES.saml20);
    }
  });

  it("an RP pinned to SAML 1.1 gets SAML 1.1 even when SAML 2.0 is asked (AppliesTo wins, T20) and TokenType says so (T12)", async () => {
    const ref = makeReference();
    const ex = await clientFor(ref, "1.3").send({ version: "1.3", requestType: T.requestType("Issue"), tokenType: TOKEN_TYPES.saml20, keyType: T.keyType("Bearer"), appliesTo: { address: DEMO_REALMS.saml11 } });
    const r = rstrOf(ex)!;
    expect(r.tokenType).toBe(TOKEN_TYPES.saml11);
    expect(r.requestedSecurityToken!.element!.namespaceURI).toBe(NS.saml11);
  });

  it("accepts all three 1.3 Bearer spellings (T67)", async () => {
    const ref = makeReference();
    for (const kt of ["http://docs.oasis-open.org/ws-sx/ws-trust/200512/Bearer", "http://docs.oasis-open.org/wssx/wstrust/200512/Bearer", "http://docs.oasis-open.org/ws-sx/wstrust/200512/Bearer"]) {
      const ex = await clientFor(ref, "1.3").send({ version: "1.3", requestType: T.requestType("Issue"), keyType: kt, appliesTo: { address: DEMO_REALMS.saml20 } });
      expect(ex.fault, kt).toBeUndefined();
      expect(parseAssertion(rstrOf(ex)!.requestedSecurityToken!.element!).confirmation.method).toBe("bearer");
    }
  });

  it("2005 accepts NoProofKey as bearer (T83)", async () => {
    const ref = makeReference();
    const T05 = TRUST["2005"];
    const ex = await clientFor(ref, "2005").send({ version: "2005", requestType: T05.requestType("Issue"), keyType: "http://schemas.xmlsoap.org/ws/2005/05/identity/NoProofKey", appliesTo: { address: DEMO_REALMS.saml20 } });
    expect(ex.fault).toBeUndefined();
    expect(rstrOf(ex)!.requestedProofToken).toBeUndefined();
  });

  it("absent KeyType means SymmetricKey (T68)", async () => {
    const ref = makeReference();
    const ex = await clientFor(ref, "1.3").send({ version: "1.3", requestType: T.requestType("Issue"), appliesTo: { address: DEMO_REALMS.saml20 } });
    expect(rstrOf(ex)!.requestedProofToken?.kind).toBe("BinarySecret");
  });

  it("honours a shorter requested Lifetime and caps a longer one at the policy maximum (T21)", async () => {
    const ref = makeReference();
    const short = await clientFor(ref, "1.3").send({ version: "1.3", requestType: T.requestType("Issue"), keyType: T.keyType("Bearer"), appliesTo: { address: DEMO_REALMS.saml20 }, lifetime: { created: START, expires: START + 600_000 } });
    expect(rstrOf(short)!.lifetime).toMatchObject({ created: START, expires: START + 600_000 });
    const long = await clientFor(ref, "1.3").send({ version: "1.3", requestType: T.requestType("Issue"), keyType: T.keyType("Bearer"), appliesTo: { address: DEMO_REALMS.saml20 }, lifetime: { created: START, expires: START + 365 * 86400_000 } });
    expect(rstrOf(long)!.lifetime).toMatchObject({ created: START, expires: START + 8 * 3600_000 });
  });

  it("issues only the requested claims, from the identity dialect (T25)", async () => {
    const ref = makeReference();
    const ex = await clientFor(ref, "1.3").send({
      version: "1.3",
      requestType: T.requestType("Issue"),
      keyType: T.keyType("Bearer"),
      appliesTo: { address: DEMO_REALMS.saml20 },
      claims: { dialect: CLAIMS_DIALECT.identity, claimTypes: [{ uri: CLAIM.email }, { uri: "urn:not-there", optional: true }] },
    });
    const a = parseAssertion(rstrOf(ex)!.requestedSecurityToken!.element!);
    expect(a.attributes.map((x) => x.name)).toEqual([CLAIM.email]);
    expect(a.attributes[0]!.values).toEqual(["alice@wsconform.test"]);
  });

  it("SAML 1.1 attributes split the claim URI into AttributeNamespace + AttributeName", async () => {
    const ref = makeReference();
    const ex = await clientFor(ref, "1.3").send({ version: "1.3", requestType: T.requestType("Issue"), tokenType: TOKEN_TYPES.saml11, keyType: T.keyType("Bearer"), appliesTo: { address: DEMO_REALMS.saml20 } });
    const a = parseAssertion(rstrOf(ex)!.requestedSecurityToken!.element!);
    const email = a.attributes.find((x) => x.name === "emailaddress");
    expect(email?.nameFormatOrNamespace).toBe("http://schemas.xmlsoap.org/ws/2005/05/identity/claims");
    expect(a.confirmation.method).toBe("bearer");
    void CONFIRMATION_METHOD;
  });

  it("a batch (RSTC) is answered by an RSTRC with one RSTR per RST (T28)", async () => {
    const ref = makeReference();
    const rst = (ctx: string, realm: string) => ({ version: "1.3" as const, requestType: T.requestType("Issue"), context: ctx, keyType: T.keyType("Bearer"), appliesTo: { address: realm } });
    const ex = await clientFor(ref, "1.3").send({ version: "1.3", requests: [rst("a", DEMO_REALMS.saml20), rst("b", DEMO_REALMS.saml11)] });
    expect(ex.fault).toBeUndefined();
    expect(ex.message?.kind).toBe("RSTRC");
    const responses = ex.message?.kind === "RSTRC" ? ex.message.message.responses : [];
    expect(responses.map((r) => r.context)).toEqual(["a", "b"]);
    expect(responses[1]!.tokenType).toBe(TOKEN_TYPES.saml11);
  });

  it("signs with the secondary key when it is the active one (rollover)", async () => {
    const ref = makeReference({ config: { activeSigningKey: "secondary" } });
    const ex = await clientFor(ref, "1.3").send({ version: "1.3", requestType: T.requestType("Issue"), keyType: T.keyType("Bearer"), appliesTo: { address: DEMO_REALMS.saml20 } });
    const tok = rstrOf(ex)!.requestedSecurityToken!.element!;
    const k = testKeys();
    expect(verifyEnvelopedSignature(tok, [trustAnchorFromCert(k.signing.secondary.certDer)]).ok).toBe(true);
    expect(verifyEnvelopedSignature(tok, [trustAnchorFromCert(k.signing.primary.certDer)]).ok).toBe(false);
  });
});

describe("Issue: batches (T27, T28)", () => {
  const T = TRUST["1.3"];
  const rst = (requestType: string, context: string) => ({ version: "1.3" as const, requestType, context, keyType: T.keyType("Bearer"), appliesTo: { address: DEMO_REALMS.saml20 } });
  it("an RSTC of Issue requests and one of BatchIssue requests (with the BatchIssue action) both get one RSTR per RST", async () => {
    for (const [requestType, action] of [
      [T.requestType("Issue"), undefined],
      [`${T.base}/BatchIssue`, `${T.base}/BatchIssue`],
    ] as const) {
      const ref = makeReference();
      const ex = await clientFor(ref, "1.3").send({ version: "1.3", requests: [rst(requestType, "a"), rst(requestType, "b")] }, { action });
      expect(ex.fault).toBeUndefined();
      expect(ex.message?.kind).toBe("RSTRC");
      expect(ex.message?.kind === "RSTRC" && ex.message.message.responses.map((r) => r.context)).toEqual(["a", "b"]);
    }
  });
  it("BatchIssue outside a batch is not a request type", async () => {
    const ref = makeReference();
    const ex = await clientFor(ref, "1.3").send(rst(`${T.base}/BatchIssue`, "a"), { action: `${T.base}/BatchIssue` });
    expect(ex.fault?.code.local).toBe("InvalidRequest");
  });
});
