// What every attack construction starts from: the IdP's key and names (the harness plays the IdP the consumer
// trusts), an attacker's keys, the legitimate and the forged identities, the time, and the delivery envelopes
// (bare assertion, a WS-Fed wresult around it, a SAML 2.0 Response). Pure data in, XML strings out.
import { randomBytes, type KeyObject } from "node:crypto";
import { DSIG, NS } from "../../protocol/namespaces.ts";
import { toXsDateTime } from "../../protocol/clock.ts";
import { signAssertion, unsignedAssertion } from "../../protocol/saml/build.ts";
import type { AssertionSpec } from "../../protocol/saml/model.ts";
import type { SigningKey } from "../../protocol/dsig/sign.ts";
import { parseXml } from "../../protocol/xml/safe-parse.ts";
import { escapeAttr, escapeText } from "../../protocol/xml/writer.ts";
import type { Delivery } from "../../adapters/token-consumer.ts";

export type SamlVersion = "1.1" | "2.0";
export type DeliveryKind = Delivery["kind"];

/** The identity the IdP vouches for, and the one an attacker wants to be. */
export const LEGIT = { subject: "alice@wsconform.test", role: "user" } as const;
export const EVIL = { subject: "admin@wsconform.test", role: "admin" } as const;
/** A real account whose name starts with the victim's: what truncation attacks cut down to EVIL.subject. */
export const TRUNCATED = { full: "admin@wsconform.test.attacker.example", cutAt: "admin@wsconform.test".length } as const;

export const CLAIM = {
  email: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
  role: "http://schemas.microsoft.com/ws/2008/06/identity/claims/role",
} as const;

const EMAIL_FORMAT = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress";
const PASSWORD_AUTHN = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport";

export interface AttackerKeys {
  /** A key and self-signed certificate of the attacker's. */
  attacker: SigningKey & { certPem?: string };
  /** The attacker's key in a certificate copying the IdP certificate's subject, issuer and serial. */
  cloned: SigningKey;
  /** The IdP's own key in an expired certificate. */
  expired: { certDer: Buffer };
  /** The IdP's own key in a certificate whose key usage excludes digitalSignature. */
  wrongUsage: { certDer: Buffer };
}

export interface Scenario {
  idp: { issuer: string; key: SigningKey };
  audience: string;
  recipient?: string;
  /** Consumer time (ms) the tokens are crafted around. */
  now: number;
  /** The skew the consumer claims (s), if it declares one. */
  skewSeconds?: number;
  keys: AttackerKeys;
  /** A fresh xs:ID (deterministic for vectors). */
  newId(): string;
}

export interface SpecOptions {
  subject?: string;
  role?: string;
  email?: string;
  issuer?: string;
  audiences?: string[];
  notBefore?: number;
  notOnOrAfter?: number;
  confirmationNotOnOrAfter?: number;
  recipient?: string | null;
  id?: string;
}

/** The assertion the IdP would issue for the legitimate user (or for `o.subject`). */
export function tokenSpec(s: Scenario, version: SamlVersion, o: SpecOptions = {}): AssertionSpec {
  const subject = o.subject ?? LEGIT.subject;
  const recipient = o.recipient === null ? undefined : (o.recipient ?? s.recipient);
  return {
    version,
    id: o.id ?? s.newId(),
    issuer: o.issuer ?? s.idp.issuer,
    issueInstant: s.now - 1000,
    subject: { nameId: subject, format: EMAIL_FORMAT },
    confirmation:
      version === "2.0"
        ? { method: "bearer", notOnOrAfter: o.confirmationNotOnOrAfter ?? s.now + 5 * 60_000, recipient }
        : { method: "bearer" },
    notBefore: o.notBefore ?? s.now - 60_000,
    notOnOrAfter: o.notOnOrAfter ?? s.now + 60 * 60_000,
    audiences: o.audiences ?? [s.audience],
    authn: { method: PASSWORD_AUTHN, instant: s.now - 2000 },
    attributes: [
      { name: CLAIM.email, values: [o.email ?? subject] },
      { name: CLAIM.role, values: [o.role ?? LEGIT.role] },
    ],
  };
}

/** Signed by the IdP the consumer trusts: RSA-SHA256, exc-c14n, the IdP certificate in KeyInfo. */
export function idpSigned(s: Scenario, spec: AssertionSpec, opts?: { signatureAlgorithm?: string; digestAlgorithm?: string; keyInfo?: "x509" | "none" }): string {
  return signAssertion(spec, s.idp.key, { signatureAlgorithm: opts?.signatureAlgorithm ?? DSIG.rsaSha256, digestAlgorithm: opts?.digestAlgorithm ?? DSIG.sha256, keyInfo: opts?.keyInfo });
}

/** A forged assertion with the attacker's identity, unsigned. */
export function evilUnsigned(s: Scenario, version: SamlVersion, o: SpecOptions = {}): string {
  return unsignedAssertion(tokenSpec(s, version, { subject: EVIL.subject, role: EVIL.role, ...o }));
}

// ---- envelopes --------------------------------------------------------------------------------------------------

const WST2005 = "http://schemas.xmlsoap.org/ws/2005/02/trust";
const SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol";
const TOKEN_TYPE = {
  "2.0": "urn:oasis:names:tc:SAML:2.0:assertion",
  "1.1": "urn:oasis:names:tc:SAML:1.0:assertion",
} as const;

/** A WS-Fed sign-in response body (wresult): a February 2005 RSTR whose RequestedSecurityToken holds `tokens`. */
export function wresultEnvelope(s: Scenario, version: SamlVersion, tokens: string[]): string {
  return (
    `<t:RequestSecurityTokenResponse xmlns:t="${WST2005}">` +
    `<t:Lifetime><wsu:Created xmlns:wsu="${NS.wsu}">${toXsDateTime(s.now - 1000)}</wsu:Created>` +
    `<wsu:Expires xmlns:wsu="${NS.wsu}">${toXsDateTime(s.now + 60 * 60_000)}</wsu:Expires></t:Lifetime>` +
    `<wsp:AppliesTo xmlns:wsp="${NS.wsp}"><wsa:EndpointReference xmlns:wsa="${NS.wsa}"><wsa:Address>${escapeText(s.audience)}</wsa:Address></wsa:EndpointReference></wsp:AppliesTo>` +
    `<t:RequestedSecurityToken>${tokens.join("")}</t:RequestedSecurityToken>` +
    `<t:TokenType>${TOKEN_TYPE[version]}</t:TokenType>` +
    `<t:RequestType>${WST2005}/Issue</t:RequestType>` +
    `<t:KeyType>http://schemas.xmlsoap.org/ws/2005/05/identity/NoProofKey</t:KeyType>` +
    `</t:RequestSecurityTokenResponse>`
  );
}

/** An unsigned SAML 2.0 Response (the assertions carry the signatures, as most IdPs send them). */
export function samlResponseEnvelope(s: Scenario, tokens: string[], extensions?: string, id?: string): string {
  return (
    `<samlp:Response xmlns:samlp="${SAMLP}" ID="${escapeAttr(id ?? s.newId())}" Version="2.0" IssueInstant="${toXsDateTime(s.now - 1000)}"` +
    (s.recipient ? ` Destination="${escapeAttr(s.recipient)}"` : "") +
    `><saml2:Issuer xmlns:saml2="${NS.saml2}">${escapeText(s.idp.issuer)}</saml2:Issuer>` +
    (extensions !== undefined ? `<samlp:Extensions>${extensions}</samlp:Extensions>` : "") +
    `<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>` +
    tokens.join("") +
    `</samlp:Response>`
  );
}

/** The delivery body for `tokens` (several only in the container kinds). */
export function envelope(s: Scenario, kind: DeliveryKind, version: SamlVersion, tokens: string[]): string {
  if (kind === "assertion") {
    if (tokens.length !== 1) throw new Error("a bare-assertion delivery holds exactly one token");
    return tokens[0]!;
  }
  return kind === "wresult" ? wresultEnvelope(s, version, tokens) : samlResponseEnvelope(s, tokens);
}

// ---- scenario ---------------------------------------------------------------------------------------------------

/** Random IDs for live runs (a consumer with a replay cache must see a new assertion every time). */
export function randomIds(): () => string {
  return () => `_${randomBytes(16).toString("hex")}`;
}

/** Counting IDs for vectors (byte-stable output). */
export function countingIds(prefix = "_wsc"): () => string {
  let n = 0;
  return () => `${prefix}${String(++n).padStart(4, "0")}`;
}

/** Parse XML this module (or the IdP signer) produced. */
export function parseOwn(xml: string): Document {
  return parseXml(xml);
}

export type { KeyObject };
