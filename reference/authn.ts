// Requestor authentication of the reference: the WS-Security header (Timestamp, UsernameToken, X.509-signed
// message) checked as a strict STS should, each refusal mapped to the WS-Security fault the digest names (§3.2).
import { createHash, X509Certificate, type KeyObject } from "node:crypto";
import type { Clock } from "../protocol/clock.ts";
import { verifyReferences } from "../protocol/dsig/verify.ts";
import { NS, WSS } from "../protocol/namespaces.ts";
import type { ParsedEnvelope } from "../protocol/soap.ts";
import { checkPasswordDigest, checkPasswordText, findOwnSecurityHeaders, parseSecurityHeader, type ParsedSecurityHeader } from "../protocol/wss.ts";
import { children, elementsById, ModelError, attr } from "../protocol/xml/dom.ts";
import type { ReferenceConfig } from "./config.ts";
import type { Defects } from "./defects.ts";
import type { Credential } from "./endpoints.ts";
import { wsse, wst } from "./fault.ts";
import type { ReplayCache } from "../protocol/replay-cache.ts";
import type { TrustVersion } from "../protocol/namespaces.ts";

/** A signature in the Security header that verified, with the key that made it and what it covers. */
export interface MessageSignature {
  id?: string;
  certDer?: Buffer;
  publicKey: KeyObject;
  /** Ids (wsu:Id) of the elements the signature covers. */
  covers: Set<string>;
  coversBody: boolean;
  coversTimestamp: boolean;
}

export interface Requestor {
  name: string;
  kind: "user" | "certificate";
  claims: Record<string, string[]>;
  signatures: MessageSignature[];
  security: ParsedSecurityHeader;
}

export interface AuthnContext {
  config: ReferenceConfig;
  clock: Clock;
  defects: Defects;
  replay: ReplayCache;
}

function claimsOf(c: Record<string, string | string[]> | undefined): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(c ?? {})) out[k] = Array.isArray(v) ? [...v] : [v];
  return out;
}

function checkTimestamp(ctx: AuthnContext, sec: ParsedSecurityHeader): void {
  const ts = sec.timestamp;
  if (!ts) throw wsse("InvalidSecurity", "the Security header must carry a wsu:Timestamp");
  if (ts.violations.length) {
    throw wsse("InvalidSecurity", `the Timestamp breaks WS-I BSP rule(s) ${ts.violations.join(", ")}`);
  }
  if (ctx.defects.has("accept-expired-timestamp")) return;
  const now = ctx.clock.now();
  const skew = ctx.config.clockSkewSeconds * 1000;
  if (ts.created > now + skew) throw wsse("MessageExpired", "the Timestamp was created in the future");
  if (ts.expires !== undefined && ts.expires <= now - skew) throw wsse("MessageExpired", "the message has expired");
  if (ts.created < now - ctx.config.timestampTtlSeconds * 1000 - skew) {
    throw wsse("MessageExpired", "the Timestamp is older than the accepted freshness window");
  }
}

function keyForSignature(sec: ParsedSecurityHeader, keyInfo: Element | undefined): { key: KeyObject; certDer?: Buffer } {
  if (!keyInfo) throw wsse("SecurityTokenUnavailable", "the signature names no key");
  for (const str of children(keyInfo, NS.wsse, "SecurityTokenReference")) {
    for (const ref of children(str, NS.wsse, "Reference")) {
      const uri = attr(ref, "URI") ?? "";
      if (!uri.startsWith("#")) throw wsse("SecurityTokenUnavailable", "only same-message token references are supported");
      const bst = sec.binarySecurityTokens.find((b) => b.id === uri.slice(1));
      if (!bst) throw wsse("SecurityTokenUnavailable", `no BinarySecurityToken with Id ${uri.slice(1)}`);
      if (bst.valueType !== WSS.x509v3) throw wsse("UnsupportedSecurityToken", `BinarySecurityToken ValueType ${bst.valueType}`);
      try {
        return { key: new X509Certificate(bst.value).publicKey, certDer: bst.value };
      } catch {
        throw wsse("InvalidSecurityToken", "the BinarySecurityToken is not an X.509 certificate");
      }
    }
  }
  for (const data of children(keyInfo, NS.ds, "X509Data")) {
    for (const c of children(data, NS.ds, "X509Certificate")) {
      try {
        const der = Buffer.from((c.textContent ?? "").replace(/\s+/g, ""), "base64");
        return { key: new X509Certificate(der).publicKey, certDer: der };
      } catch {
        throw wsse("InvalidSecurityToken", "ds:X509Certificate is not a certificate");
      }
    }
  }
  for (const kv of children(keyInfo, NS.ds, "KeyValue")) {
    void kv;
    throw wsse("UnsupportedSecurityToken", "raw ds:KeyValue keys are not accepted");
  }
  throw wsse("SecurityTokenUnavailable", "the signature's KeyInfo names no usable token");
}

function verifySignatures(env: ParsedEnvelope, sec: ParsedSecurityHeader): MessageSignature[] {
  const out: MessageSignature[] = [];
  const bodyId = attr(env.body, "Id", NS.wsu);
  const tsId = sec.timestamp?.id;
  for (const sig of sec.signatures) {
    let found: { key: KeyObject; certDer?: Buffer } | undefined;
    const result = verifyReferences(
      sig,
      (id) => elementsById(env.doc, id, NS.wsu),
      (keyInfo) => {
        found = keyForSignature(sec, keyInfo);
        return found.key;
      },
    );
    if (!result.ok) {
      const code = result.code;
      if (code === "weak-algorithm" || code === "unsupported-algorithm") throw wsse("UnsupportedAlgorithm", result.reason);
      if (code === "untrusted-key") throw wsse("SecurityTokenUnavailable", result.reason);
      throw wsse("FailedCheck", result.reason);
    }
    if (!found) throw wsse("SecurityTokenUnavailable", "the signature names no key");
    const covers = new Set<string>();
    for (const e of result.references) {
      const id = attr(e, "Id", NS.wsu) ?? attr(e, "Id") ?? attr(e, "ID") ?? attr(e, "AssertionID");
      if (id) covers.add(id);
    }
    out.push({
      id: attr(sig, "Id") ?? undefined,
      certDer: found.certDer,
      publicKey: found.key,
      covers,
      coversBody: !!bodyId && covers.has(bodyId),
      coversTimestamp: !!tsId && covers.has(tsId),
    });
  }
  return out;
}

/** A signed message may be accepted once: remember each SignatureValue for as long as its Timestamp is fresh. */
function checkSignatureReplay(ctx: AuthnContext, sec: ParsedSecurityHeader, version: TrustVersion): void {
  if (ctx.defects.has("no-nonce-replay-cache") || sec.signatures.length === 0) return;
  const ts = sec.timestamp!;
  const skew = ctx.config.clockSkewSeconds * 1000;
  const until = Math.min(ts.expires ?? Infinity, ts.created + ctx.config.timestampTtlSeconds * 1000) + skew;
  for (const sig of sec.signatures) {
    const value = children(sig, NS.ds, "SignatureValue")[0]?.textContent?.replace(/\s+/g, "") ?? "";
    const key = `sig:${createHash("sha256").update(value).digest("base64")}`;
    const verdict = ctx.replay.check(key, until);
    if (verdict === "replay") throw wsse("FailedAuthentication", "this signed message was already processed (replay)");
    if (verdict === "full") throw wst(version, "RequestFailed", "the replay cache is full; try again later");
  }
}

export function authenticate(
  ctx: AuthnContext,
  env: ParsedEnvelope,
  credential: Credential,
  version: TrustVersion,
): Requestor {
  const headers = findOwnSecurityHeaders(env.headers);
  if (headers.length === 0) throw wsse("InvalidSecurity", "the message has no wsse:Security header");
  if (headers.length > 1) throw wsse("InvalidSecurity", "the message has more than one wsse:Security header for this recipient");
  let sec: ParsedSecurityHeader;
  try {
    sec = parseSecurityHeader(headers[0]!);
  } catch (e) {
    if (e instanceof ModelError) throw wsse("InvalidSecurity", e.message);
    throw e;
  }
  checkTimestamp(ctx, sec);
  const signatures = verifySignatures(env, sec);
  checkSignatureReplay(ctx, sec, version);

  if (credential === "username") {
    if (sec.usernameTokens.length !== 1) {
      throw wsse("InvalidSecurity", `this endpoint needs exactly one UsernameToken (got ${sec.usernameTokens.length})`);
    }
    const ut = sec.usernameTokens[0]!;
    // A Password without @Type is read as PasswordText, the UsernameToken Profile's default: BSP R4201 binds
    // requestors, and real clients (msal, adal) omit it while AD FS accepts them (peers finding F1).
    const violations = ut.violations.filter((v) => v !== "R4201");
    if (violations.length) throw wsse("InvalidSecurityToken", `the UsernameToken breaks WS-I BSP rule(s) ${violations.join(", ")}`);
    const type = ut.passwordType ?? WSS.passwordText;
    if (type !== WSS.passwordText && type !== WSS.passwordDigest) {
      throw wsse("UnsupportedSecurityToken", `password type ${type} is not supported`);
    }
    if (ut.password === undefined) throw wsse("FailedAuthentication", "the UsernameToken carries no password");
    const now = ctx.clock.now();
    const skew = ctx.config.clockSkewSeconds * 1000;
    const ttl = ctx.config.timestampTtlSeconds * 1000;
    if (type === WSS.passwordDigest && (!ut.nonce || ut.createdText === undefined)) {
      throw wsse("InvalidSecurityToken", "a PasswordDigest UsernameToken must carry both Nonce and Created");
    }
    if (ut.createdText !== undefined) {
      if (ut.created === undefined) throw wsse("InvalidSecurityToken", "UsernameToken Created is not an xs:dateTime");
      if (!ctx.defects.has("accept-expired-timestamp")) {
        if (ut.created > now + skew) throw wst(version, "ExpiredData", "UsernameToken Created is in the future");
        if (ut.created < now - ttl - skew) throw wst(version, "ExpiredData", "UsernameToken Created is older than the freshness window");
      }
    }
    const user = ctx.config.users.find((u) => u.username === ut.username);
    const passwordOk =
      !!user &&
      (type === WSS.passwordDigest
        ? checkPasswordDigest(ut, user.password)
        : checkPasswordText(ut, user.password));
    if (!passwordOk && !(ctx.defects.has("password-not-checked") && user)) {
      throw wsse("FailedAuthentication", "The security token could not be authenticated or authorized");
    }
    if (ut.nonce && !ctx.defects.has("no-nonce-replay-cache")) {
      const expires = (ut.created ?? now) + ttl + 2 * skew;
      const verdict = ctx.replay.check(`ut:${ut.username}:${ut.nonce.toString("base64")}`, expires);
      if (verdict === "replay") throw wsse("FailedAuthentication", "the UsernameToken nonce was already used");
      if (verdict === "full") throw wst(version, "RequestFailed", "the replay cache is full; try again later");
    }
    return { name: user!.username, kind: "user", claims: claimsOf(user!.claims), signatures, security: sec };
  }

  // certificate: a signature over Body and Timestamp with a registered client certificate.
  const trusted = signatures.filter((s) =>
    ctx.config.clientCertificates.some((c) => s.certDer && sameDer(c.certificate, s.certDer)),
  );
  if (signatures.length === 0) throw wsse("InvalidSecurity", "this endpoint needs an X.509 signature over Body and Timestamp");
  if (trusted.length === 0) throw wsse("FailedAuthentication", "the signing certificate is not registered with this STS");
  const main = trusted.find((s) => s.coversBody && s.coversTimestamp);
  if (!main) throw wst(version, "AuthenticationBadElements", "the signature must cover both the Body and the Timestamp");
  const client = ctx.config.clientCertificates.find((c) => sameDer(c.certificate, main.certDer!))!;
  return { name: client.name, kind: "certificate", claims: claimsOf(client.claims), signatures, security: sec };
}

const pemCache = new Map<string, Buffer>();
function sameDer(pem: string, der: Buffer): boolean {
  let d = pemCache.get(pem);
  if (!d) {
    d = Buffer.from(new X509Certificate(pem).raw);
    pemCache.set(pem, d);
  }
  return d.equals(der);
}
