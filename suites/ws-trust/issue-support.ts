// Moves shared by the Issue cases (issue*.cases.ts): reading the raw response structure (cardinality rules the
// typed parser already enforces, so a violation would otherwise surface as an unreadable body), the relying party's
// view of a proof key, and a requestor key for PublicKey proof of possession.
import { serializeDom } from "../../protocol/xml/dom-serialize.ts";
import { CLAIMS_DIALECT, CONFIRMATION_METHOD, NS, TOKEN_TYPES, TRUST, WSS, samlVersionOfTokenType, type SamlVersion, type TrustVersion } from "../../protocol/namespaces.ts";
import type { ParsedAssertion } from "../../protocol/saml/model.ts";
import type { RequestSecurityToken } from "../../protocol/trust/model.ts";
import { generateSelfSignedCertificate, type CertifiedKey } from "../../protocol/x509/certificate.ts";
import { decryptEncryptedKey } from "../../protocol/xmlenc.ts";
import { children, descendants } from "../../protocol/xml/dom.ts";
import { parseXml } from "../../protocol/xml/safe-parse.ts";
import { el } from "../../protocol/xml/writer.ts";
import type { TokenTypeName } from "../../adapters/sts-target.ts";
import type { Exchange, StsClient } from "../../adapters/sts-client.ts";
import type { CaseContext } from "../case.ts";
import { issueRst } from "./support.ts";

export const ISSUE_VERSIONS = ["1.3", "2005"] as const satisfies readonly TrustVersion[];

export { needVersion } from "./lifecycle-support.ts";

/** The token type URI the harness asks for (the WSS SAML token profile URIs). */
export function tokenTypeUri(tt: TokenTypeName): string {
  return tt === "saml11" ? TOKEN_TYPES.saml11 : TOKEN_TYPES.saml20;
}

export function samlVersionOfToken(token: Element): SamlVersion | undefined {
  if (token.namespaceURI === NS.saml2) return "2.0";
  if (token.namespaceURI === NS.saml11) return "1.1";
  return undefined;
}

/** A preferred token type the target declares (SAML 2.0 first). */
export function someTokenType(t: CaseContext): TokenTypeName {
  return t.target.capabilities.tokenTypes.includes("saml20") ? "saml20" : "saml11";
}

/** Elements of the response body in the version's trust namespace (the RSTR structure as sent, before the model). */
export function bodyTrustElements(ex: Exchange, v: TrustVersion, local: string): Element[] {
  const body = ex.envelope?.bodyChild;
  return body ? descendants(body, TRUST[v].ns, local) : [];
}

/** The answer must be a readable, fault-free SOAP message (its WS-Trust body may still be malformed). */
export function requireNoFault(t: CaseContext, ex: Exchange, requirement?: string): Element {
  t.answered(ex);
  t.check(ex.envelope?.bodyChild, `the target answered HTTP ${ex.response?.status} without a readable SOAP body${ex.parseError ? `: ${ex.parseError.slice(0, 200)}` : ""}`, requirement);
  t.check(!ex.fault, `the request should have succeeded; the target answered a fault ${ex.fault?.code.local} (${ex.fault?.reason.slice(0, 200)})`, requirement);
  return ex.envelope.bodyChild;
}

/** The confirmation method of an assertion must be the expected one. */
export function checkConfirmation(t: CaseContext, a: ParsedAssertion, method: "bearer" | "holder-of-key", requirement?: string): void {
  const want = CONFIRMATION_METHOD[a.version][method === "bearer" ? "bearer" : "holderOfKey"];
  t.check(
    a.confirmation.method === method,
    `the assertion's SubjectConfirmation is ${a.confirmationMethodUri ?? (a.confirmationImplicit ? "(none)" : a.confirmation.method)}, not ${want}`,
    requirement,
  );
  if (a.confirmationImplicit) t.info("the SAML 1.1 assertion has no SubjectConfirmation (read as bearer)");
}

/** Two instants that name the same second (wire formats may or may not carry milliseconds). */
export function sameInstant(a: number | undefined, b: number | undefined): boolean {
  return a !== undefined && b !== undefined && Math.abs(a - b) < 1000;
}

export function iso(ms: number | undefined): string {
  return ms === undefined ? "(absent)" : new Date(ms).toISOString();
}

/**
 * The proof key as the relying party sees it: the xenc:EncryptedKey in the holder-of-key confirmation, decrypted
 * with the relying party's private key the target configuration hands to the harness.
 */
export function relyingPartyProofKey(t: CaseContext, a: ParsedAssertion, realm: string, requirement?: string): Buffer {
  const key = t.target.relyingPartyKey?.(realm);
  if (!key) t.skip(`the harness has no decryption key for the relying party ${realm}`);
  t.check(a.confirmation.method === "holder-of-key" && a.confirmationKeyInfo, `the assertion's confirmation is ${a.confirmation.method}, not holder-of-key with a KeyInfo`, requirement);
  const eks = children(a.confirmationKeyInfo, NS.xenc, "EncryptedKey");
  t.check(eks.length === 1, `the holder-of-key KeyInfo holds ${eks.length} xenc:EncryptedKey elements, not one`, requirement);
  try {
    return decryptEncryptedKey(eks[0]!, key);
  } catch (e) {
    t.check(false, `the relying party cannot decrypt the token's EncryptedKey: ${(e as Error).message}`, requirement);
  }
}

/** Claim URI of a token attribute (SAML 1.1: AttributeNamespace/AttributeName; SAML 2.0: Name). */
export function claimUriOf(attr: { name: string; nameFormatOrNamespace?: string }, v: SamlVersion): string {
  if (v === "1.1" && attr.nameFormatOrNamespace) return `${attr.nameFormatOrNamespace.replace(/\/$/, "")}/${attr.name}`;
  return attr.name;
}

export const IDENTITY_CLAIMS = {
  name: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name",
  email: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
} as const;

/** The target must declare the claims dialect a case speaks. */
export function requireClaimsDialect(t: CaseContext, dialect: string): void {
  if (!t.target.capabilities.claimsDialects.includes(dialect)) {
    t.skip(`the target does not declare the claims dialect ${dialect === CLAIMS_DIALECT.identity ? "identity" : dialect}`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// PublicKey: the requestor's own key pair, bound by wst:UseKey and proven by a signature in the same message.

let popKey: CertifiedKey | undefined;

/** A requestor key pair with a self-signed certificate, generated once per process. */
export function proofOfPossessionKey(): CertifiedKey {
  const now = Date.now();
  popKey ??= generateSelfSignedCertificate({
    commonName: "wsconform PublicKey requestor",
    notBeforeMs: now - 24 * 3600_000,
    notAfterMs: now + 365 * 24 * 3600_000,
    keyUsage: ["digitalSignature"],
  });
  return popKey;
}

/** Id of the request signature that wst:UseKey/@Sig names. */
export const POP_SIGNATURE_ID = "_pop";

/**
 * A PublicKey Issue: UseKey holds an STR to the message's BinarySecurityToken (#_bst, written by the request
 * signer) and @Sig names the signature made with that key over Timestamp and Body.
 */
export function publicKeyIssue(
  t: CaseContext,
  v: TrustVersion,
  extra: Partial<RequestSecurityToken> = {},
): { client: StsClient; rst: RequestSecurityToken; key: CertifiedKey } {
  const key = proofOfPossessionKey();
  const client = t.client({ version: v, signer: { privateKey: key.privateKey, certDer: key.certDer, signatureId: POP_SIGNATURE_ID } });
  const rst = issueRst(t, v, {
    keyType: TRUST[v].keyType("PublicKey"),
    useKey: {
      key: { node: el("wsse:SecurityTokenReference", [el("wsse:Reference", { URI: "#_bst", ValueType: WSS.x509v3 })]) },
      sig: POP_SIGNATURE_ID,
    },
    ...extra,
  });
  return { client, rst, key };
}

/** Whether a holder-of-key KeyInfo names this certificate (X509Certificate, or the RSA KeyValue of its key). */
export function keyInfoNamesCertificate(keyInfo: Element, key: CertifiedKey): boolean {
  for (const c of descendants(keyInfo, NS.ds, "X509Certificate")) {
    if (Buffer.from((c.textContent ?? "").replace(/\s+/g, ""), "base64").equals(key.certDer)) return true;
  }
  const jwk = key.publicKey.export({ format: "jwk" });
  for (const m of descendants(keyInfo, NS.ds, "Modulus")) {
    if (Buffer.from((m.textContent ?? "").replace(/\s+/g, ""), "base64").equals(Buffer.from(jwk.n ?? "", "base64url"))) return true;
  }
  return false;
}

/** A copy of a signed assertion whose subject name was changed after signing (the signature no longer holds). */
export function withAlteredSubject(token: Element, newName: string): Element {
  const copy = parseXml(serializeDom(token)).documentElement!;
  const names = [...descendants(copy, NS.saml2, "NameID"), ...descendants(copy, NS.saml11, "NameIdentifier")];
  if (names.length === 0) throw new Error("the assertion has no NameID/NameIdentifier to alter");
  for (const n of names) {
    while (n.firstChild) n.removeChild(n.firstChild);
    n.appendChild(copy.ownerDocument!.createTextNode(newName));
  }
  return copy;
}

/** Token type named by an RSTR TokenType (profile URI or Microsoft alias), when it names a SAML one. */
export function samlVersionOfTokenTypeUri(uri: string | undefined): SamlVersion | undefined {
  return uri === undefined ? undefined : samlVersionOfTokenType(uri);
}
