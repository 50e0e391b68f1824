// The Issue binding (WS-Trust 1.3 §4; 2005 §6): policy checks, key material, the token, and its RSTR.
import { samlTokenReference } from "../protocol/wss.ts";
import { X509Certificate } from "node:crypto";
import {
  CLAIMS_DIALECT,
  CONFIRMATION_METHOD,
  DSIG,
  NS,
  TRUST,
  WSS,
  keyTypeName,
  samlVersionOfTokenType,
  type KeyTypeName,
  type SamlVersion,
  type TrustVersion,
} from "../protocol/namespaces.ts";
import { psha1 } from "../protocol/psha1.ts";
import type { SamlAttribute, SubjectConfirmation } from "../protocol/saml/model.ts";
import type { RequestSecurityToken, RequestSecurityTokenResponse, Lifetime } from "../protocol/trust/model.ts";
import { encryptKeyForCertificate } from "../protocol/xmlenc.ts";
import { attr, children, is } from "../protocol/xml/dom.ts";
import { raw } from "../protocol/xml/writer.ts";
import type { Requestor } from "./authn.ts";
import { CLAIM } from "./config.ts";
import type { StsContext } from "./context.ts";
import { verifyDelegatedToken } from "./delegation.ts";
import { fed, wsse, wst } from "./fault.ts";
import { AUTHN_METHOD, mintAssertion, newSecret, newTokenId, tokenTypeUri, x509KeyInfo } from "./tokens.ts";

const SAML_NAMEID_UNSPECIFIED = {
  "1.1": "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified",
  "2.0": "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified",
} as const;

/** Elements of an RST the reference understands beyond the model's own fields (none today). */
function checkExtensions(ctx: StsContext, rst: RequestSecurityToken, version: TrustVersion): void {
  if (!ctx.config.faultOnUnknownElements) return;
  const ext = rst.extensions ?? [];
  if (ext.length) {
    const e = ext[0]!;
    throw wst(version, "InvalidRequest", `the element {${e.namespaceURI ?? ""}}${e.localName} is not understood`);
  }
  const attrs = Object.keys(rst.extensionAttributes ?? {});
  if (attrs.length) throw wst(version, "InvalidRequest", `the attribute ${attrs[0]} is not understood`);
}

/** Granted validity window for a new token, from the requested Lifetime (T21/T23) and policy. */
export function grantLifetime(
  ctx: StsContext,
  version: TrustVersion,
  requested: Lifetime | undefined,
  allowPostdating: boolean,
): { notBefore: number; notOnOrAfter: number } {
  const now = ctx.clock.now();
  const def = ctx.config.tokenLifetimeSeconds * 1000;
  if (!requested || ctx.defects.has("lifetime-ignored")) return { notBefore: now, notOnOrAfter: now + def };
  const skew = ctx.config.clockSkewSeconds * 1000;
  let created = requested.created ?? now;
  let expires = requested.expires ?? created + def;
  if (expires <= created) throw wst(version, "InvalidTimeRange", "the requested Lifetime expires before it begins");
  if (created > now + skew) {
    if (!allowPostdating) {
      throw wst(version, "InvalidTimeRange", "the requested Lifetime starts in the future and AllowPostdating was not requested");
    }
    if (created > now + ctx.config.maxPostdateSeconds * 1000) {
      throw wst(version, "InvalidTimeRange", "the requested Lifetime starts further in the future than this STS postdates");
    }
  }
  if (expires <= now) throw wst(version, "InvalidTimeRange", "the requested Lifetime has already ended");
  // A start in the past is moved to now: the issuer need not honour the request exactly (T21).
  if (created < now) created = now;
  const max = ctx.config.maxTokenLifetimeSeconds * 1000;
  if (expires - created > max) expires = created + max;
  return { notBefore: created, notOnOrAfter: expires };
}

function splitClaimUri(uri: string): { name: string; namespace?: string } {
  const i = uri.lastIndexOf("/");
  return i > 0 && i < uri.length - 1 ? { name: uri.slice(i + 1), namespace: uri.slice(0, i) } : { name: uri };
}

/** SAML attributes for the claims granted (SAML 1.1 splits the URI into AttributeNamespace + AttributeName). */
export function toAttributes(v: SamlVersion, claims: Record<string, string[]>): SamlAttribute[] {
  return Object.entries(claims)
    .filter(([, values]) => values.length > 0)
    .map(([uri, values]) => {
      if (v === "2.0") return { name: uri, values, nameFormatOrNamespace: "urn:oasis:names:tc:SAML:2.0:attrname-format:uri" };
      const s = splitClaimUri(uri);
      return { name: s.name, values, nameFormatOrNamespace: s.namespace };
    });
}

/** Apply wst:Claims (T25/T26): unknown dialect faults; a required claim the subject lacks faults. */
function selectClaims(
  version: TrustVersion,
  rst: RequestSecurityToken,
  available: Record<string, string[]>,
): Record<string, string[]> {
  if (!rst.claims) return available;
  const dialect = rst.claims.dialect;
  if (dialect !== CLAIMS_DIALECT.identity && dialect !== CLAIMS_DIALECT.authclaims) {
    throw fed("UnsupportedClaimsDialect", `claims dialect ${dialect ?? "(none)"} is not supported`);
  }
  const out: Record<string, string[]> = {};
  for (const ct of rst.claims.claimTypes) {
    const have = available[ct.uri];
    if (have && have.length) out[ct.uri] = have;
    else if (ct.optional !== true) throw wst(version, "InvalidRequest", `the required claim ${ct.uri} cannot be supplied`);
  }
  return out;
}

function chooseSamlVersion(ctx: StsContext, version: TrustVersion, rst: RequestSecurityToken, pinned?: "saml11" | "saml20"): SamlVersion {
  // AppliesTo takes precedence over TokenType (T20): a pinned RP decides.
  if (pinned) return pinned === "saml11" ? "1.1" : "2.0";
  if (rst.tokenType === undefined) return "2.0";
  const v = samlVersionOfTokenType(rst.tokenType);
  if (!v) throw wst(version, "BadRequest", `token type ${rst.tokenType} is not issued by this STS`);
  void ctx;
  return v;
}

function checkAlgorithms(version: TrustVersion, rst: RequestSecurityToken): void {
  const ok = (v: string | undefined, allowed: string[], what: string) => {
    if (v !== undefined && !allowed.includes(v)) throw wst(version, "BadRequest", `${what} ${v} is not supported`);
  };
  ok(rst.signatureAlgorithm, [DSIG.rsaSha256, DSIG.rsaSha512], "SignatureAlgorithm");
  ok(rst.canonicalizationAlgorithm, [DSIG.excC14n], "CanonicalizationAlgorithm");
  ok(rst.computedKeyAlgorithm, [TRUST[version].computedKeyPSHA1], "ComputedKeyAlgorithm");
  ok(rst.keyWrapAlgorithm, [DSIG.rsaOaepMgf1p], "KeyWrapAlgorithm");
  if (rst.encryption) throw wst(version, "BadRequest", "token encryption (wst:Encryption) is not supported");
  if (rst.proofEncryption) throw wst(version, "BadRequest", "wst:ProofEncryption is not supported; proof keys go to the RP's certificate");
}

/** The certificate named by UseKey: a BinarySecurityToken, ds:KeyInfo/X509Data, or an STR to a header BST. */
function useKeyCertificate(version: TrustVersion, requestor: Requestor, key: Element | undefined): Buffer {
  if (!key) throw wst(version, "BadRequest", "a PublicKey request needs wst:UseKey naming the key");
  const parseCert = (b64: string) => {
    try {
      const der = Buffer.from(b64.replace(/\s+/g, ""), "base64");
      new X509Certificate(der);
      return der;
    } catch {
      throw wsse("InvalidSecurityToken", "UseKey does not hold a valid X.509 certificate");
    }
  };
  if (is(key, NS.wsse, "BinarySecurityToken")) {
    if (attr(key, "ValueType") !== WSS.x509v3) throw wsse("UnsupportedSecurityToken", "UseKey token must be an X.509v3 certificate");
    return parseCert(key.textContent ?? "");
  }
  if (is(key, NS.ds, "KeyInfo")) {
    for (const d of children(key, NS.ds, "X509Data")) for (const c of children(d, NS.ds, "X509Certificate")) return parseCert(c.textContent ?? "");
    throw wsse("UnsupportedSecurityToken", "UseKey KeyInfo must carry an X509Certificate");
  }
  if (is(key, NS.wsse, "SecurityTokenReference")) {
    for (const r of children(key, NS.wsse, "Reference")) {
      const uri = attr(r, "URI") ?? "";
      const bst = requestor.security.binarySecurityTokens.find((b) => `#${b.id}` === uri);
      if (!bst) throw wsse("SecurityTokenUnavailable", `UseKey references ${uri}, which is not in the message`);
      return bst.value;
    }
  }
  throw wsse("UnsupportedSecurityToken", `UseKey content {${key.namespaceURI}}${key.localName} is not supported`);
}

export interface IssueResult {
  rstr: RequestSecurityTokenResponse;
  tokenId: string;
}

export async function issue(ctx: StsContext, rst: RequestSecurityToken, requestor: Requestor, version: TrustVersion): Promise<IssueResult> {
  const T = TRUST[version];
  checkExtensions(ctx, rst, version);
  checkAlgorithms(version, rst);
  const now = ctx.clock.now();

  // Scope (T19, T33): the reference needs AppliesTo to know the audience; unknown RPs get InvalidScope.
  const realm = rst.appliesTo?.address;
  if (!realm) throw wst(version, "InvalidRequest", "wsp:AppliesTo with a wsa:Address is required by this STS");
  let rp = ctx.relyingParty(realm);
  if (!rp) {
    if (!ctx.defects.has("unknown-scope-issued")) throw wst(version, "InvalidScope", `no relying party is registered for ${realm}`);
    rp = { realm };
  }
  const samlVersion = chooseSamlVersion(ctx, version, rst, rp.tokenType);

  // Identity: the requestor, or a delegated identity (OnBehalfOf 1.3 §9.1, ActAs 1.4 §9.3).
  if (rst.onBehalfOf && rst.actAs) throw wst(version, "BadRequest", "OnBehalfOf and ActAs cannot be combined");
  if (rst.actAs && version === "2005") throw wst(version, "BadRequest", "ActAs is a WS-Trust 1.4 element");
  let subject = { nameId: requestor.name, format: SAML_NAMEID_UNSPECIFIED[samlVersion] as string };
  let available = requestor.claims;
  let delegated: "onBehalfOf" | "actAs" | undefined;
  const delegation = rst.onBehalfOf ?? rst.actAs;
  if (delegation) {
    delegated = rst.onBehalfOf ? "onBehalfOf" : "actAs";
    const d = verifyDelegatedToken(ctx, version, delegation.element, delegated);
    subject = { nameId: d.nameId, format: d.format ?? SAML_NAMEID_UNSPECIFIED[samlVersion] };
    available = { ...d.claims };
    if (delegated === "actAs") available[CLAIM.actor] = [requestor.name];
  }
  const granted = selectClaims(version, rst, available);

  // Key material (T37–T40, T67–T71, digest §2.3 matrix).
  const keyTypeUri = rst.keyType ?? T.keyType("SymmetricKey");
  const kt: KeyTypeName | undefined = keyTypeName(keyTypeUri);
  if (!kt) throw wst(version, "BadRequest", `KeyType ${keyTypeUri} is not supported`);
  const rstr: RequestSecurityTokenResponse = { version };
  let confirmation: SubjectConfirmation;
  const lifetime = grantLifetime(ctx, version, rst.lifetime, !!rst.allowPostdating);
  if (kt === "Bearer") {
    confirmation = delegated === "onBehalfOf" ? { method: "sender-vouches" } : { method: "bearer", notOnOrAfter: lifetime.notOnOrAfter };
  } else if (kt === "SymmetricKey") {
    const rpCert = ctx.rpEncryptionCert(rp);
    if (!rpCert) throw wst(version, "BadRequest", `${realm} has no encryption certificate, so no symmetric proof key can be issued for it`);
    const requestedBits = rst.keySize ?? 256;
    if (requestedBits > 2048) throw wst(version, "BadRequest", `KeySize ${requestedBits} is larger than this STS issues (2048)`);
    const bits = Math.max(128, Math.ceil(requestedBits / 8) * 8); // "at least that strength" (T71)
    let key: Buffer;
    if (rst.entropy) {
      if (!rst.entropy.binarySecret) throw wst(version, "BadRequest", "only wst:BinarySecret entropy is supported (no encrypted entropy)");
      const bs = rst.entropy.binarySecret;
      if (bs.type !== undefined && bs.type !== T.binarySecretType.Nonce && bs.type !== T.binarySecretType.SymmetricKey) {
        throw wst(version, "BadRequest", `entropy of type ${bs.type} cannot seed a symmetric key`);
      }
      if (bs.value.length * 8 < ctx.config.minEntropyBits) {
        throw wst(version, "InvalidRequest", `requestor entropy has ${bs.value.length * 8} bits; at least ${ctx.config.minEntropyBits} are required`);
      }
      const issuerEntropy = newSecret(bits / 8);
      key = ctx.defects.has("psha1-entropy-swapped") ? psha1(issuerEntropy, bs.value, bits) : psha1(bs.value, issuerEntropy, bits);
      rstr.entropy = { binarySecret: { type: T.binarySecretType.Nonce, value: issuerEntropy } };
      rstr.requestedProofToken = { kind: "ComputedKey", algorithm: T.computedKeyPSHA1 };
    } else {
      key = newSecret(bits / 8);
      if (!ctx.defects.has("proof-token-missing")) {
        rstr.requestedProofToken = { kind: "BinarySecret", secret: { type: T.binarySecretType.SymmetricKey, value: key } };
      }
    }
    rstr.keySize = bits;
    confirmation = { method: "holder-of-key", keyInfo: encryptKeyForCertificate(key, rpCert) };
  } else {
    const cert = useKeyCertificate(version, requestor, rst.useKey?.key?.element);
    // Proof of possession (T70): a signature in this message made with that very key, covering the Body.
    const sigs = requestor.signatures.filter((s) => s.certDer?.equals(cert) && (!rst.useKey?.sig || s.id === rst.useKey.sig));
    if (sigs.length === 0) throw wst(version, "FailedAuthentication", "no signature in the message proves possession of the UseKey key");
    if (!sigs.some((s) => s.coversBody)) throw wst(version, "AuthenticationBadElements", "the proof-of-possession signature must cover the Body");
    confirmation = { method: "holder-of-key", keyInfo: x509KeyInfo(cert) };
  }

  const id = newTokenId();
  const authn = {
    method: requestor.kind === "certificate" ? AUTHN_METHOD[samlVersion].x509 : AUTHN_METHOD[samlVersion].password,
    instant: now,
  };
  const attributes = toAttributes(samlVersion, granted);
  const assertion = await mintAssertion(
    {
      samlVersion,
      id,
      issuer: ctx.config.issuer,
      now,
      notBefore: lifetime.notBefore,
      notOnOrAfter: lifetime.notOnOrAfter,
      subject,
      audiences: [realm],
      attributes,
      confirmation,
      authn,
    },
    ctx.signingKey,
    ctx.defects,
  );
  const renewAllow = rst.renewing?.allow ?? true;
  const renewOk = rst.renewing?.ok ?? false;
  ctx.store.add({
    id,
    notOnOrAfter: lifetime.notOnOrAfter,
    renewAllow,
    renewOk,
    allowPostdating: !!rst.allowPostdating,
    requestor: requestor.name,
    cancelled: false,
    keepUntil: lifetime.notOnOrAfter + (renewOk ? ctx.config.renewAfterExpirySeconds * 1000 : 0),
  });

  if (rst.context !== undefined && !ctx.defects.has("context-not-echoed")) rstr.context = rst.context;
  rstr.tokenType = tokenTypeUri(samlVersion);
  rstr.requestType = T.requestType("Issue");
  rstr.keyType = T.keyType(kt);
  rstr.lifetime = {
    created: lifetime.notBefore,
    expires: ctx.defects.has("lifetime-mismatch") ? lifetime.notOnOrAfter + 3600_000 : lifetime.notOnOrAfter,
  };
  rstr.appliesTo = { address: realm };
  rstr.requestedSecurityToken = { node: raw(assertion) };
  const refId = ctx.defects.has("attached-reference-wrong-id") ? newTokenId() : id;
  rstr.requestedAttachedReference = { node: samlTokenReference(samlVersion, refId) };
  rstr.requestedUnattachedReference = { node: samlTokenReference(samlVersion, id) };
  if (rst.renewing) rstr.renewing = { allow: renewAllow, ok: renewOk };
  if (rst.allowPostdating) rstr.allowPostdating = true;
  return { rstr, tokenId: id };
}

export { CONFIRMATION_METHOD };
