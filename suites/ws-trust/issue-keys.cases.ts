// Issue key material (WS-Trust 1.3 §4.4.3–4.4.4, §9.2; 2005 §11.2): the token type x key type x version matrix,
// Bearer/SymmetricKey/PublicKey proof material, requestor entropy and the PSHA1 computed key checked end to end
// against the key the relying party decrypts from the token.
import { randomBytes } from "node:crypto";
import { BEARER_13_SPELLINGS, NO_PROOF_KEY_2005, TRUST, keyTypeName, type TrustVersion } from "../../protocol/namespaces.ts";
import { psha1 } from "../../protocol/psha1.ts";
import type { RequestSecurityToken } from "../../protocol/trust/model.ts";
import { children } from "../../protocol/xml/dom.ts";
import type { KeyTypeCapability, TokenTypeName } from "../../adapters/sts-target.ts";
import type { CaseContext, CaseDefinition } from "../case.ts";
import { issueRst, requireToken } from "./support.ts";
import {
  ISSUE_VERSIONS,
  bodyTrustElements,
  checkConfirmation,
  keyInfoNamesCertificate,
  needVersion as v,
  publicKeyIssue,
  relyingPartyProofKey,
  requireNoFault,
  samlVersionOfToken,
  tokenTypeUri,
} from "./issue-support.ts";

const symmetric = { kind: "keyType" as const, keyType: "SymmetricKey" as const };
const rpKey = { kind: "relyingPartyKey" as const };

const SAML_NAME: Record<TokenTypeName, string> = { saml11: "SAML 1.1", saml20: "SAML 2.0" };

/** A SymmetricKey Issue for the registered relying party (the one with an encryption certificate). */
function symmetricRst(t: CaseContext, version: TrustVersion, extra: Partial<RequestSecurityToken> = {}): RequestSecurityToken {
  return issueRst(t, version, { keyType: TRUST[version].keyType("SymmetricKey"), ...extra });
}

/** SymmetricKey with 256 bits of requestor entropy (type Nonce) and KeySize 256: the partial-key request. */
function entropyRst(t: CaseContext, version: TrustVersion, requestorEntropy: Buffer): RequestSecurityToken {
  const T = TRUST[version];
  return symmetricRst(t, version, {
    keySize: 256,
    entropy: { binarySecret: { type: T.binarySecretType.Nonce, value: requestorEntropy } },
    computedKeyAlgorithm: T.computedKeyPSHA1,
  });
}

function matrixCase(version: TrustVersion, tt: TokenTypeName, kt: KeyTypeCapability): CaseDefinition {
  const keyRequirement = version === "2005" ? "T83" : kt === "Bearer" ? "T69" : "T67";
  const method = kt === "Bearer" ? "bearer" : "holder-of-key";
  return {
    id: `ws-trust/issue/${version}-${tt}-${kt.toLowerCase()}`,
    title: `WS-Trust ${version}: a ${kt} request for ${SAML_NAME[tt]} returns a ${SAML_NAME[tt]} assertion with ${method} confirmation`,
    requirements: [keyRequirement, "T11"],
    needs: [v(version), { kind: "tokenType", tokenType: tt }, { kind: "keyType", keyType: kt }],
    async run(t: CaseContext) {
      const extra = { tokenType: tokenTypeUri(tt) };
      let ex;
      if (kt === "PublicKey") {
        const { client, rst } = publicKeyIssue(t, version, extra);
        ex = await client.send(rst);
      } else {
        ex = await t.client({ version }).send(issueRst(t, version, { ...extra, keyType: TRUST[version].keyType(kt) }));
      }
      const { token, assertion } = requireToken(t, ex);
      const want = tt === "saml11" ? "1.1" : "2.0";
      t.check(samlVersionOfToken(token) === want, `asked for ${SAML_NAME[tt]} and got {${token.namespaceURI}}${token.localName}`, "T11");
      checkConfirmation(t, assertion, method);
    },
  };
}

export const ISSUE_KEY_MATRIX_CASES: CaseDefinition[] = ISSUE_VERSIONS.flatMap((version) =>
  (["saml11", "saml20"] as const).flatMap((tt) => (["Bearer", "SymmetricKey", "PublicKey"] as const).map((kt) => matrixCase(version, tt, kt))),
);

export const ISSUE_KEY_CASES: CaseDefinition[] = [
  {
    id: "ws-trust/issue/1.3-bearer-spellings",
    title: "All three 1.3 Bearer KeyType spellings (prose, schema typo, MS-LWSSP variant) are accepted and yield a bearer token",
    requirements: ["T67"],
    needs: [v("1.3"), { kind: "keyType", keyType: "Bearer" }],
    async run(t: CaseContext) {
      for (const spelling of BEARER_13_SPELLINGS) {
        const ex = t.answered(await t.client({ version: "1.3" }).send(issueRst(t, "1.3", { keyType: spelling })));
        t.check(!ex.fault, `KeyType ${spelling} was refused with ${ex.fault?.code.local} (${ex.fault?.reason.slice(0, 120)})`);
        const { rstr, assertion } = requireToken(t, ex);
        checkConfirmation(t, assertion, "bearer");
        t.check(!rstr.requestedProofToken, `KeyType ${spelling} got a RequestedProofToken (${rstr.requestedProofToken?.kind}), so it was not read as Bearer`);
      }
    },
  },
  {
    id: "ws-trust/issue/1.3-bearer-no-proof-material",
    title: "A 1.3 Bearer request gets no RequestedProofToken, no issuer Entropy, and a bearer SubjectConfirmation",
    requirements: ["T69"],
    needs: [v("1.3"), { kind: "keyType", keyType: "Bearer" }],
    async run(t: CaseContext) {
      const { rstr, assertion } = requireToken(t, await t.client({ version: "1.3" }).send(issueRst(t, "1.3", { keyType: TRUST["1.3"].keyType("Bearer") })));
      t.check(!rstr.requestedProofToken, `a Bearer request got a RequestedProofToken (${rstr.requestedProofToken?.kind})`);
      t.check(!rstr.entropy, "a Bearer request got issuer wst:Entropy");
      checkConfirmation(t, assertion, "bearer");
    },
  },
  {
    id: "ws-trust/issue/2005-no-proof-key-bearer",
    title: "A February 2005 request with KeyType .../2005/05/identity/NoProofKey gets a bearer token without proof material",
    requirements: ["T83"],
    needs: [v("2005"), { kind: "keyType", keyType: "Bearer" }],
    async run(t: CaseContext) {
      const { rstr, assertion } = requireToken(t, await t.client({ version: "2005" }).send(issueRst(t, "2005", { keyType: NO_PROOF_KEY_2005 })));
      t.check(!rstr.requestedProofToken, `a NoProofKey request got a RequestedProofToken (${rstr.requestedProofToken?.kind})`);
      t.check(!rstr.entropy, "a NoProofKey request got issuer wst:Entropy");
      checkConfirmation(t, assertion, "bearer");
    },
  },
  ...ISSUE_VERSIONS.flatMap((version): CaseDefinition[] => [
    {
      id: `ws-trust/issue/${version}-proof-token-one-child`,
      title: `WS-Trust ${version}: RequestedProofToken holds exactly one element (BinarySecret, EncryptedKey, ComputedKey or STR)`,
      requirements: ["T32"],
      needs: [v(version), symmetric],
      async run(t: CaseContext) {
        const ex = await t.client({ version }).send(symmetricRst(t, version));
        requireNoFault(t, ex);
        const proofs = bodyTrustElements(ex, version, "RequestedProofToken");
        if (proofs.length === 0) t.skip("the SymmetricKey response carries no RequestedProofToken to count (see the T38 case)");
        for (const p of proofs) {
          const kids = children(p);
          t.check(kids.length === 1, `RequestedProofToken holds ${kids.length} elements (${kids.map((k) => k.localName).join(", ") || "none"}), not exactly one`);
        }
      },
    },
    {
      id: `ws-trust/issue/${version}-issuer-key-as-binary-secret`,
      title: `WS-Trust ${version}: a SymmetricKey request without Entropy gets the issuer's key as RequestedProofToken/BinarySecret, the key the relying party decrypts from the token`,
      requirements: ["T38"],
      needs: [v(version), symmetric, rpKey],
      async run(t: CaseContext) {
        const { rstr, assertion } = requireToken(t, await t.client({ version }).send(symmetricRst(t, version)));
        const proof = rstr.requestedProofToken;
        t.check(proof, "a SymmetricKey request without Entropy got no RequestedProofToken: the requestor cannot learn the key");
        t.check(proof.kind !== "ComputedKey", "the proof is a ComputedKey although the requestor sent no entropy");
        if (proof.kind === "EncryptedKey") {
          t.info("the proof key is returned as an xenc:EncryptedKey (encrypted for the requestor; not compared)");
          return;
        }
        t.check(proof.kind === "BinarySecret", `RequestedProofToken holds a ${proof.kind}, not a BinarySecret or EncryptedKey`);
        const key = relyingPartyProofKey(t, assertion, t.target.appliesTo.registered);
        t.check(key.equals(proof.secret.value), `the BinarySecret (${proof.secret.value.length} bytes) differs from the key the relying party decrypts from the token (${key.length} bytes)`);
      },
    },
    {
      id: `ws-trust/issue/${version}-entropy-yields-computed-key`,
      title: `WS-Trust ${version}: when the issuer combines the requestor's Entropy with its own, the RSTR returns issuer Entropy and RequestedProofToken/ComputedKey`,
      requirements: ["T37"],
      needs: [v(version), symmetric],
      async run(t: CaseContext) {
        const { rstr } = requireToken(t, await t.client({ version }).send(entropyRst(t, version, randomBytes(32))));
        const proof = rstr.requestedProofToken;
        if (proof?.kind !== "ComputedKey" && !rstr.entropy) {
          t.info(`the issuer did not add its own entropy (RequestedProofToken: ${proof?.kind ?? "none"})`);
          return;
        }
        t.check(rstr.entropy?.binarySecret?.value.length, "the RSTR has a ComputedKey but no issuer wst:Entropy/BinarySecret to compute it from");
        t.check(proof?.kind === "ComputedKey", `the RSTR returns issuer Entropy but its RequestedProofToken is ${proof?.kind ?? "absent"}, not a ComputedKey`);
        const T = TRUST[version];
        const known = [T.computedKeyPSHA1, `${T.base}/CK/HASH`];
        t.check(known.includes(proof.algorithm), `ComputedKey ${JSON.stringify(proof.algorithm)} is neither ${known.join(" nor ")}`);
      },
    },
    {
      id: `ws-trust/issue/${version}-psha1-computed-key`,
      title: `WS-Trust ${version}: the PSHA1 computed key is P_SHA1(requestor entropy as secret, issuer entropy as seed), the key the relying party decrypts from the token`,
      requirements: ["T40"],
      needs: [v(version), symmetric, rpKey],
      async run(t: CaseContext) {
        const requestorEntropy = randomBytes(32);
        const { rstr, assertion } = requireToken(t, await t.client({ version }).send(entropyRst(t, version, requestorEntropy)));
        const proof = rstr.requestedProofToken;
        if (proof?.kind !== "ComputedKey") t.skip(`the issuer did not compute the key from both entropies (RequestedProofToken: ${proof?.kind ?? "none"})`);
        t.check(proof.algorithm === TRUST[version].computedKeyPSHA1, `ComputedKey is ${proof.algorithm}, not ${TRUST[version].computedKeyPSHA1}`);
        const issuerEntropy = rstr.entropy?.binarySecret?.value;
        t.check(issuerEntropy, "the RSTR has a ComputedKey but no issuer wst:Entropy/BinarySecret", "T37");
        const bits = rstr.keySize ?? 256;
        let expected: Buffer | undefined;
        try {
          expected = psha1(requestorEntropy, issuerEntropy, bits);
        } catch (e) {
          t.check(false, `no PSHA1 key can be derived: ${(e as Error).message}`);
        }
        const key = relyingPartyProofKey(t, assertion, t.target.appliesTo.registered);
        if (!key.equals(expected!)) {
          let swapped = false;
          try {
            swapped = key.equals(psha1(issuerEntropy, requestorEntropy, bits));
          } catch {
            swapped = false;
          }
          t.check(
            false,
            swapped
              ? "the relying party's key is P_SHA1 with secret and seed swapped (issuer entropy used as the secret)"
              : `the relying party's key (${key.length} bytes) is not P_SHA1(requestor entropy, issuer entropy, ${bits} bits)`,
          );
        }
      },
    },
    {
      id: `ws-trust/issue/${version}-absent-key-type-is-symmetric`,
      title: `WS-Trust ${version}: an Issue RST without KeyType is served as SymmetricKey (symmetric proof material, holder-of-key token)`,
      requirements: ["T68"],
      needs: [v(version), symmetric],
      async run(t: CaseContext) {
        const { rstr, assertion } = requireToken(t, await t.client({ version }).send(issueRst(t, version, { keyType: undefined })));
        if (rstr.keyType !== undefined) t.check(keyTypeName(rstr.keyType) === "SymmetricKey", `the RSTR names KeyType ${rstr.keyType}, not SymmetricKey`);
        t.check(rstr.requestedProofToken || rstr.entropy, "without KeyType the RSTR carries no proof material (RequestedProofToken or Entropy): the default SymmetricKey was not applied");
        checkConfirmation(t, assertion, "holder-of-key");
      },
    },
    {
      id: `ws-trust/issue/${version}-public-key-use-key`,
      title: `WS-Trust ${version}: a PublicKey request with UseKey (an STR to the message's certificate, @Sig naming the proving signature) binds that certificate in the holder-of-key confirmation`,
      requirements: ["T70"],
      needs: [v(version), { kind: "keyType", keyType: "PublicKey" }],
      async run(t: CaseContext) {
        const { client, rst, key } = publicKeyIssue(t, version);
        const { rstr, assertion } = requireToken(t, await client.send(rst));
        checkConfirmation(t, assertion, "holder-of-key");
        t.check(
          assertion.confirmationKeyInfo && keyInfoNamesCertificate(assertion.confirmationKeyInfo, key),
          "the holder-of-key KeyInfo does not carry the certificate (or its key) named by UseKey",
        );
        t.check(!rstr.requestedProofToken, `a PublicKey request got a RequestedProofToken (${rstr.requestedProofToken?.kind}); the proof key is the requestor's own`);
      },
    },
    {
      id: `ws-trust/issue/${version}-key-size-honoured`,
      title: `WS-Trust ${version}: KeySize 256 on a SymmetricKey request yields a key of at least 32 bytes`,
      requirements: ["T71"],
      needs: [v(version), symmetric],
      async run(t: CaseContext) {
        const realm = t.target.appliesTo.registered;
        const { rstr, assertion } = requireToken(t, await t.client({ version }).send(symmetricRst(t, version, { keySize: 256 })));
        let key: Buffer | undefined;
        if (t.target.relyingPartyKey?.(realm)) key = relyingPartyProofKey(t, assertion, realm);
        else if (rstr.requestedProofToken?.kind === "BinarySecret") key = rstr.requestedProofToken.secret.value;
        if (!key) t.skip("neither the relying party key nor a BinarySecret proof token is available to measure the key");
        t.check(key.length >= 32, `KeySize 256 was asked and the key has ${key.length * 8} bits`);
        if (rstr.keySize !== undefined) t.check(rstr.keySize >= 256, `the RSTR names KeySize ${rstr.keySize}, below the 256 asked`);
      },
    },
  ]),
];
