// wsconform.config.json: which target to test and what it claims to support. Validated field by field with
// errors that name the field and the fix (a vendor's first run must not end in a stack trace).
import { TRUST_VERSIONS, type TrustVersion } from "../protocol/namespaces.ts";
import type { Capabilities, CredentialKind, KeyTypeCapability, Operation, TokenTypeName } from "./sts-target.ts";

export interface TargetConfig {
  target:
    | { kind: "reference"; defects?: string[]; config?: unknown; name?: string }
    | {
        kind: "http";
        name?: string;
        baseUrl: string;
        /** Endpoint paths per WS-Trust version ("2005", "1.3") and credential kind. */
        endpoints: Partial<Record<"2005" | "1.3", Partial<Record<CredentialKind, string>>>>;
        /** PEM file(s) of the CA that issued the target's TLS certificate. */
        tlsCa?: string[];
        /** PEM files of a TLS client certificate and key (mutual TLS). */
        tlsClientCertificate?: { cert: string; key: string };
        insecureTls?: boolean;
        timeoutMs?: number;
        maxResponseBytes?: number;
      }
    | ContainerTargetConfig;
  credentials: {
    username?: string;
    password?: string;
    otherUser?: { username: string; password: string };
    /** PEM files of a client certificate registered with the target, and its key. */
    clientCertificate?: { cert: string; key: string };
  };
  /** PEM files of the certificates that sign the target's tokens. */
  trustAnchors: string[];
  issuerName?: string;
  appliesTo: { registered: string; unregistered: string; pinnedSaml11?: string; noEncryption?: string };
  capabilities: Capabilities;
  clockSkewSeconds: number;
  /** A WS-Federation passive IdP at the target (the WS-Fed sign-in, sign-out and metadata suites). */
  passive?: PassiveConfig;
  /** A WS-Federation relying party at the target (the harness plays the IdP it trusts). */
  relyingParty?: RelyingPartyConfig;
  /** A SAML 2.0 service provider at the target (its ACS URL takes SAMLResponse; the token attacks run there). */
  samlSp?: SamlSpConfig;
}

/** The SAML 2.0 SP face: the ACS URL (POST binding), its entity id, the IdP it trusts (the harness signs with that
 * key) and how to tell a session exists (as for relyingParty). */
export interface SamlSpConfig {
  acsUrl: string;
  entityId: string;
  issuer: string;
  signingKey: { cert: string; key: string };
  probe: { url: string; status?: number; cookie?: string };
  relayState?: string;
  tlsCa?: string[];
}

/** The passive face of a target. The harness starts its own relying parties at the reply URLs the IdP registered. */
export interface PassiveConfig {
  /** The passive endpoint (wsignin1.0, wsignout1.0), e.g. https://idp.example/adfs/ls/ */
  signInUrl: string;
  metadataUrl?: string;
  /** PEM files of the CA of the IdP's TLS certificate. */
  tlsCa?: string[];
  /** Realms the IdP trusts and the loopback reply URL of each (the harness RP listens there); three or more for
   * the sign-out propagation cases. */
  relyingParties: { realm: string; replyUrl: string }[];
  unregisteredRealm?: string;
  /** The IdP's login form, when its field names are not guessable (a text input and a password input). */
  loginForm?: { usernameField?: string; passwordField?: string };
  capabilities?: { signOut?: boolean; freshness?: boolean; metadata?: boolean; tokenTypes?: TokenTypeName[] };
}

/** The relying-party face of a target: where to post tokens, how to tell whether a session exists, and the IdP
 * it trusts (the harness signs with that key). */
export interface RelyingPartyConfig {
  realm: string;
  replyUrl: string;
  cleanupUrl?: string;
  /** Signed in when GET url answers `status` (default 200) or, with `cookie`, when that cookie is set. */
  probe: { url: string; status?: number; cookie?: string };
  issuer: string;
  /** PEM files of the certificate the RP trusts and its private key (the harness signs with it). */
  signingKey: { cert: string; key: string };
  tokenTypes?: TokenTypeName[];
  tlsCa?: string[];
}

/** kind "container": the harness starts a local docker image, waits until it is ready and tests it over the port
 * mapped to 127.0.0.1, then stops it. Endpoints, tlsCa and timeoutMs as for kind "http" (tlsCa set: the
 * container serves HTTPS). */
export interface ContainerTargetConfig {
  kind: "container";
  name?: string;
  /** A local image (never pulled), e.g. "acme/sts:1.2". */
  image: string;
  /** The port the STS listens on inside the container. */
  port: number;
  env?: Record<string, string>;
  /** Readiness: GET path answering status (default 200), or a line in the container's output. */
  wait?: { path: string; status?: number } | { log: string };
  startupTimeoutMs?: number;
  endpoints: Partial<Record<"2005" | "1.3", Partial<Record<CredentialKind, string>>>>;
  tlsCa?: string[];
  timeoutMs?: number;
}

export class TargetConfigError extends Error {
  override readonly name = "TargetConfigError";
  constructor(readonly problems: string[]) {
    super(`invalid target configuration:\n  - ${problems.join("\n  - ")}`);
  }
}

const NO_WS_TRUST: Capabilities = {
  versions: [],
  soapVersions: [],
  operations: [],
  tokenTypes: [],
  keyTypes: [],
  credentials: [],
  onBehalfOf: false,
  actAs: false,
  claimsDialects: [],
};

const OPERATIONS: Operation[] = ["Issue", "Validate", "Renew", "Cancel", "Batch"];
const TOKEN_TYPES: TokenTypeName[] = ["saml11", "saml20"];
const KEY_TYPES: KeyTypeCapability[] = ["Bearer", "SymmetricKey", "PublicKey"];
const CREDENTIALS: CredentialKind[] = ["username", "certificate"];

export const FULL_CAPABILITIES: Capabilities = {
  versions: ["2005", "1.3", "1.4"],
  soapVersions: ["1.1", "1.2"],
  operations: [...OPERATIONS],
  tokenTypes: [...TOKEN_TYPES],
  keyTypes: [...KEY_TYPES],
  credentials: [...CREDENTIALS],
  onBehalfOf: true,
  actAs: true,
  claimsDialects: ["http://schemas.xmlsoap.org/ws/2005/05/identity", "http://docs.oasis-open.org/wsfed/authorization/200706/authclaims"],
};

/** The embedded default: the in-process reference STS with its demo users and relying parties. */
/** The starter `wsconform init` writes: an HTTP target with every field explained in "$comment" keys. */
export function starterConfig(): Record<string, unknown> {
  return {
    $comment: "wsconform target description. Keys starting with $ are comments. Paths are relative to this file.",
    target: {
      $comment: 'kind "http": an STS reachable over HTTP(S); kind "reference": the in-process reference STS.',
      kind: "http",
      name: "My STS",
      baseUrl: "https://sts.example.test",
      endpoints: {
        $comment: 'Endpoint paths per WS-Trust version ("1.3" also serves 1.4 ActAs) and credential kind.',
        "1.3": { username: "/adfs/services/trust/13/usernamemixed", certificate: "/adfs/services/trust/13/certificatemixed" },
        "2005": { username: "/adfs/services/trust/2005/usernamemixed" },
      },
      tlsCa: [],
      timeoutMs: 10000,
    },
    credentials: {
      $comment: "A user the STS knows; otherUser enables authorization cases; clientCertificate the certificatemixed ones.",
      username: "alice",
      password: "change-me",
      otherUser: { username: "bob", password: "change-me" },
    },
    trustAnchors: [],
    $trustAnchors: "PEM files of the certificates that sign the STS's tokens (token signature cases SKIP without them).",
    appliesTo: {
      $comment: "A relying party the STS issues tokens for (with an encryption certificate for symmetric keys), and one it does not know.",
      registered: "urn:example:rp",
      unregistered: "urn:wsconform:rp:not-registered",
    },
    capabilities: {
      $comment: "The implementation conformance statement: cases needing anything not declared are SKIPped with the reason.",
      ...FULL_CAPABILITIES,
    },
    clockSkewSeconds: 300,
  };
}

export function referenceTargetConfig(defects: string[] = []): TargetConfig {
  return {
    target: { kind: "reference", defects },
    credentials: { username: "alice", password: "ecila", otherUser: { username: "bob", password: "bob" } },
    trustAnchors: [],
    appliesTo: {
      registered: "urn:wsconform:rp:saml20",
      unregistered: "urn:wsconform:rp:not-registered",
      pinnedSaml11: "urn:wsconform:rp:saml11",
      noEncryption: "urn:wsconform:rp:no-encryption",
    },
    capabilities: FULL_CAPABILITIES,
    clockSkewSeconds: 300,
  };
}

/** A bare URL (`--target https://sts.example`): an AD FS-shaped HTTP target with the reference's demo credentials
 * and relying parties, username endpoints only unless `withCertificateEndpoints`. Shared by run, fuzz and probe. */
export function urlTargetConfig(url: string, withCertificateEndpoints = true): TargetConfig {
  const base = referenceTargetConfig();
  const path = (v: "13" | "2005", c: string) => `/adfs/services/trust/${v}/${c}`;
  return validateTargetConfig({
    target: {
      kind: "http",
      baseUrl: url,
      endpoints: {
        "1.3": { username: path("13", "usernamemixed"), ...(withCertificateEndpoints ? { certificate: path("13", "certificatemixed") } : {}) },
        "2005": { username: path("2005", "usernamemixed"), ...(withCertificateEndpoints ? { certificate: path("2005", "certificatemixed") } : {}) },
      },
    },
    credentials: base.credentials,
    appliesTo: base.appliesTo,
    capabilities: { ...base.capabilities, credentials: ["username"] },
    clockSkewSeconds: base.clockSkewSeconds,
  });
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function subset<T extends string>(where: string, v: unknown, allowed: readonly T[], problems: string[]): T[] {
  if (!Array.isArray(v) || !v.every((x) => typeof x === "string" && (allowed as readonly string[]).includes(x))) {
    problems.push(`${where}: must be an array of ${allowed.map((a) => JSON.stringify(a)).join(", ")}`);
    return [];
  }
  return v as T[];
}

/** Endpoint paths per version and credential kind, and the TLS CA files: shared by the http and container kinds. */
function checkEndpointsAndCa(t: Record<string, unknown>, problems: string[], endpointsOptional = false): void {
  if (endpointsOptional && (t.endpoints === undefined || (isObj(t.endpoints) && Object.keys(t.endpoints).length === 0))) {
    // A passive IdP or relying party only: no WS-Trust endpoint to test.
  } else if (!isObj(t.endpoints) || Object.keys(t.endpoints).length === 0) {
    problems.push('target.endpoints: must map "1.3" and/or "2005" to {"username": "/path", "certificate": "/path"}');
  } else {
    for (const [v, e] of Object.entries(t.endpoints)) {
      if (v !== "1.3" && v !== "2005") problems.push(`target.endpoints.${v}: versions are "1.3" (also used for 1.4) and "2005"`);
      if (!isObj(e) || !Object.entries(e).every(([k, p]) => (k === "username" || k === "certificate") && typeof p === "string" && p.startsWith("/"))) {
        problems.push(`target.endpoints.${v}: must be {"username": "/path", "certificate": "/path"} (either or both)`);
      }
    }
  }
  if (t.tlsCa !== undefined && !(Array.isArray(t.tlsCa) && t.tlsCa.every((x) => typeof x === "string"))) problems.push("target.tlsCa: must be an array of PEM file paths");
}

/** Validate a parsed wsconform.config.json; capabilities default to "everything" when absent. */
export function validateTargetConfig(raw: unknown): TargetConfig {
  const problems: string[] = [];
  if (!isObj(raw)) throw new TargetConfigError(["the configuration must be a JSON object"]);
  const known = new Set(["$schema", "target", "credentials", "trustAnchors", "issuerName", "appliesTo", "capabilities", "clockSkewSeconds", "passive", "relyingParty", "samlSp"]);
  // Keys starting with "$" are comments ("$comment", "$schema"), as `wsconform init` writes them.
  for (const k of Object.keys(raw)) if (!known.has(k) && !k.startsWith("$")) problems.push(`${k}: unknown field; known fields are ${[...known].filter((x) => x !== "$schema").join(", ")}`);
  const strip = (v: unknown): unknown =>
    isObj(v) ? Object.fromEntries(Object.entries(v).filter(([k]) => !k.startsWith("$")).map(([k, x]) => [k, strip(x)])) : v;
  const t = strip(raw.target) as Record<string, unknown> | undefined;
  const passive = raw.passive === undefined ? undefined : passiveConfig(strip(raw.passive), problems);
  const relyingParty = raw.relyingParty === undefined ? undefined : relyingPartyConfig(strip(raw.relyingParty), problems);
  const samlSp = raw.samlSp === undefined ? undefined : samlSpConfig(strip(raw.samlSp), problems);
  if (relyingParty && samlSp) problems.push("samlSp: a target has one token consumer; describe either relyingParty or samlSp");
  const otherFaces = !!passive || !!relyingParty || !!samlSp;
  const noWsTrust = otherFaces && isObj(t) && t.kind !== "reference" && (t.endpoints === undefined || (isObj(t.endpoints) && Object.keys(t.endpoints).length === 0));
  if (!isObj(t)) problems.push('target: must be an object with "kind": "reference", "http" or "container"');
  else if (t.kind === "http") {
    if (typeof t.baseUrl !== "string" || !/^https?:\/\//.test(t.baseUrl)) problems.push("target.baseUrl: must be an http:// or https:// URL");
    checkEndpointsAndCa(t, problems, otherFaces);
    const mtls = t.tlsClientCertificate as { cert?: unknown; key?: unknown } | undefined;
    if (mtls !== undefined && !(isObj(mtls) && typeof mtls.cert === "string" && typeof mtls.key === "string")) {
      problems.push("target.tlsClientCertificate: must be {cert: PEM file, key: PEM file} (the TLS client certificate for mutual TLS)");
    }
    if (t.timeoutMs !== undefined && !(Number.isInteger(t.timeoutMs) && (t.timeoutMs as number) > 0)) problems.push("target.timeoutMs: must be a positive integer (milliseconds)");
  } else if (t.kind === "container") {
    problems.push(...containerTargetProblems(t));
  } else if (t.kind !== "reference") {
    problems.push(`target.kind: must be "reference", "http" or "container" (got ${JSON.stringify(t.kind)})`);
  }
  const c = strip(raw.credentials ?? {});
  if (!isObj(c)) problems.push("credentials: must be an object {username, password, otherUser?, clientCertificate?}");
  else {
    if (c.username !== undefined && typeof c.username !== "string") problems.push("credentials.username: must be a string");
    if (c.password !== undefined && typeof c.password !== "string") problems.push("credentials.password: must be a string");
    if (c.otherUser !== undefined && !(isObj(c.otherUser) && typeof c.otherUser.username === "string" && typeof c.otherUser.password === "string")) {
      problems.push("credentials.otherUser: must be {username, password}");
    }
    if (c.clientCertificate !== undefined && !(isObj(c.clientCertificate) && typeof c.clientCertificate.cert === "string" && typeof c.clientCertificate.key === "string")) {
      problems.push("credentials.clientCertificate: must be {cert: PEM file, key: PEM file}");
    }
  }
  if (raw.trustAnchors !== undefined && !(Array.isArray(raw.trustAnchors) && raw.trustAnchors.every((x) => typeof x === "string"))) {
    problems.push("trustAnchors: must be an array of PEM file paths (the certificates that sign the target's tokens)");
  }
  const a = noWsTrust && raw.appliesTo === undefined ? { registered: "", unregistered: "" } : strip(raw.appliesTo);
  if (!isObj(a) || typeof a.registered !== "string" || typeof a.unregistered !== "string") {
    problems.push("appliesTo: must be {registered: a relying party the target knows, unregistered: one it does not}");
  }
  let caps = noWsTrust ? NO_WS_TRUST : FULL_CAPABILITIES;
  if (raw.capabilities !== undefined && !noWsTrust) {
    const k = strip(raw.capabilities);
    if (!isObj(k)) problems.push("capabilities: must be an object (the implementation conformance statement)");
    else {
      caps = {
        versions: k.versions === undefined ? FULL_CAPABILITIES.versions : subset<TrustVersion>("capabilities.versions", k.versions, TRUST_VERSIONS, problems),
        soapVersions: k.soapVersions === undefined ? FULL_CAPABILITIES.soapVersions : subset("capabilities.soapVersions", k.soapVersions, ["1.1", "1.2"] as const, problems),
        operations: k.operations === undefined ? FULL_CAPABILITIES.operations : subset("capabilities.operations", k.operations, OPERATIONS, problems),
        tokenTypes: k.tokenTypes === undefined ? FULL_CAPABILITIES.tokenTypes : subset("capabilities.tokenTypes", k.tokenTypes, TOKEN_TYPES, problems),
        keyTypes: k.keyTypes === undefined ? FULL_CAPABILITIES.keyTypes : subset("capabilities.keyTypes", k.keyTypes, KEY_TYPES, problems),
        credentials: k.credentials === undefined ? FULL_CAPABILITIES.credentials : subset("capabilities.credentials", k.credentials, CREDENTIALS, problems),
        onBehalfOf: k.onBehalfOf === undefined ? true : k.onBehalfOf === true,
        actAs: k.actAs === undefined ? true : k.actAs === true,
        claimsDialects: Array.isArray(k.claimsDialects) ? (k.claimsDialects as string[]) : FULL_CAPABILITIES.claimsDialects,
      };
    }
  }
  const skew = raw.clockSkewSeconds ?? 300;
  if (!(Number.isInteger(skew) && (skew as number) >= 0 && (skew as number) <= 86400)) problems.push("clockSkewSeconds: must be an integer from 0 to 86400");
  if (problems.length) throw new TargetConfigError(problems);
  return {
    target: t as TargetConfig["target"],
    credentials: (c ?? {}) as TargetConfig["credentials"],
    trustAnchors: (raw.trustAnchors as string[] | undefined) ?? [],
    issuerName: raw.issuerName as string | undefined,
    appliesTo: a as TargetConfig["appliesTo"],
    capabilities: caps,
    clockSkewSeconds: skew as number,
    passive,
    relyingParty,
    ...(samlSp ? { samlSp } : {}),
  };
}

function isHttpUrl(v: unknown): v is string {
  if (typeof v !== "string") return false;
  try {
    const u = new URL(v);
    return u.protocol === "http:" || u.protocol === "https:";
  } catch {
    return false;
  }
}

function isLoopbackUrl(v: string): boolean {
  const h = new URL(v).hostname;
  return h === "127.0.0.1" || h === "localhost" || h === "[::1]";
}

const PASSIVE_FIELDS = ["signInUrl", "metadataUrl", "tlsCa", "relyingParties", "unregisteredRealm", "loginForm", "capabilities"];

function passiveConfig(p: unknown, problems: string[]): PassiveConfig | undefined {
  if (!isObj(p)) {
    problems.push("passive: must be an object {signInUrl, metadataUrl?, relyingParties, ...}");
    return undefined;
  }
  for (const k of Object.keys(p)) if (!PASSIVE_FIELDS.includes(k)) problems.push(`passive.${k}: unknown field; known fields are ${PASSIVE_FIELDS.join(", ")}`);
  if (!isHttpUrl(p.signInUrl)) problems.push("passive.signInUrl: must be the http(s) URL of the passive endpoint, e.g. https://idp.example/adfs/ls/");
  if (p.metadataUrl !== undefined && !isHttpUrl(p.metadataUrl)) problems.push("passive.metadataUrl: must be an http(s) URL");
  if (p.tlsCa !== undefined && !(Array.isArray(p.tlsCa) && p.tlsCa.every((x) => typeof x === "string"))) problems.push("passive.tlsCa: must be an array of PEM file paths");
  const rps = p.relyingParties;
  if (!Array.isArray(rps) || rps.length === 0) problems.push("passive.relyingParties: must list the realms the IdP trusts with their reply URLs, [{realm, replyUrl}] (three or more for the sign-out cases)");
  else {
    rps.forEach((rp, i) => {
      if (!isObj(rp) || typeof rp.realm !== "string" || !rp.realm) problems.push(`passive.relyingParties[${i}].realm: must be the realm URI registered at the IdP`);
      else if (!isHttpUrl(rp.replyUrl) || !isLoopbackUrl(rp.replyUrl as string) || !new URL(rp.replyUrl as string).port) {
        problems.push(`passive.relyingParties[${i}].replyUrl: must be a loopback URL with an explicit port, e.g. http://127.0.0.1:18081/rp1/ (the harness RP listens there)`);
      }
    });
  }
  if (p.loginForm !== undefined && !(isObj(p.loginForm) && Object.values(p.loginForm).every((v) => typeof v === "string"))) problems.push("passive.loginForm: must be {usernameField?, passwordField?}");
  const c = p.capabilities;
  if (c !== undefined) {
    if (!isObj(c)) problems.push("passive.capabilities: must be {signOut?, freshness?, metadata?, tokenTypes?}");
    else {
      for (const k of ["signOut", "freshness", "metadata"]) if (c[k] !== undefined && typeof c[k] !== "boolean") problems.push(`passive.capabilities.${k}: must be true or false`);
      if (c.tokenTypes !== undefined) subset("passive.capabilities.tokenTypes", c.tokenTypes, TOKEN_TYPES, problems);
    }
  }
  return p as unknown as PassiveConfig;
}

const RP_FIELDS = ["realm", "replyUrl", "cleanupUrl", "probe", "issuer", "signingKey", "tokenTypes", "tlsCa"];

function relyingPartyConfig(r: unknown, problems: string[]): RelyingPartyConfig | undefined {
  if (!isObj(r)) {
    problems.push("relyingParty: must be an object {realm, replyUrl, probe, issuer, signingKey, ...}");
    return undefined;
  }
  for (const k of Object.keys(r)) if (!RP_FIELDS.includes(k)) problems.push(`relyingParty.${k}: unknown field; known fields are ${RP_FIELDS.join(", ")}`);
  if (typeof r.realm !== "string" || !r.realm) problems.push("relyingParty.realm: must be the RP's realm (the audience its tokens carry)");
  if (!isHttpUrl(r.replyUrl)) problems.push("relyingParty.replyUrl: must be the http(s) URL the sign-in response is posted to");
  if (r.cleanupUrl !== undefined && !isHttpUrl(r.cleanupUrl)) problems.push("relyingParty.cleanupUrl: must be an http(s) URL");
  const probe = r.probe;
  if (!isObj(probe) || !isHttpUrl(probe.url)) problems.push('relyingParty.probe: must be {"url": a page that needs a session, "status"?: 200, "cookie"?: name}');
  if (typeof r.issuer !== "string" || !r.issuer) problems.push("relyingParty.issuer: must be the issuer name the RP trusts");
  if (!isObj(r.signingKey) || typeof r.signingKey.cert !== "string" || typeof r.signingKey.key !== "string") {
    problems.push("relyingParty.signingKey: must be {cert: PEM file the RP trusts, key: its PEM private key}");
  }
  if (r.tokenTypes !== undefined) subset("relyingParty.tokenTypes", r.tokenTypes, TOKEN_TYPES, problems);
  if (r.tlsCa !== undefined && !(Array.isArray(r.tlsCa) && r.tlsCa.every((x) => typeof x === "string"))) problems.push("relyingParty.tlsCa: must be an array of PEM file paths");
  return r as unknown as RelyingPartyConfig;
}

const SP_FIELDS = ["acsUrl", "entityId", "issuer", "signingKey", "probe", "relayState", "tlsCa"];

function samlSpConfig(r: unknown, problems: string[]): SamlSpConfig | undefined {
  if (!isObj(r)) {
    problems.push("samlSp: must be an object {acsUrl, entityId, issuer, signingKey, probe, relayState?, tlsCa?}");
    return undefined;
  }
  for (const k of Object.keys(r)) if (!SP_FIELDS.includes(k)) problems.push(`samlSp.${k}: unknown field; known fields are ${SP_FIELDS.join(", ")}`);
  if (!isHttpUrl(r.acsUrl)) problems.push("samlSp.acsUrl: must be the http(s) Assertion Consumer Service URL (POST binding)");
  if (typeof r.entityId !== "string" || !r.entityId) problems.push("samlSp.entityId: must be the SP's entity id (the audience its assertions carry)");
  if (typeof r.issuer !== "string" || !r.issuer) problems.push("samlSp.issuer: must be the IdP entity id the SP trusts");
  if (!isObj(r.signingKey) || typeof r.signingKey.cert !== "string" || typeof r.signingKey.key !== "string") {
    problems.push("samlSp.signingKey: must be {cert: PEM file the SP trusts, key: its PEM private key}");
  }
  const probe = r.probe;
  if (!isObj(probe) || !isHttpUrl(probe.url)) problems.push('samlSp.probe: must be {"url": a page that needs a session, "status"?: 200, "cookie"?: name}');
  if (r.relayState !== undefined && typeof r.relayState !== "string") problems.push("samlSp.relayState: must be a string");
  if (r.tlsCa !== undefined && !(Array.isArray(r.tlsCa) && r.tlsCa.every((x) => typeof x === "string"))) problems.push("samlSp.tlsCa: must be an array of PEM file paths");
  return r as unknown as SamlSpConfig;
}

const CONTAINER_FIELDS = ["kind", "name", "image", "port", "env", "wait", "startupTimeoutMs", "endpoints", "tlsCa", "timeoutMs"];

/** The checks of a kind "container" target (comment keys already stripped). */
function containerTargetProblems(t: Record<string, unknown>): string[] {
  const problems: string[] = [];
  for (const k of Object.keys(t)) if (!CONTAINER_FIELDS.includes(k)) problems.push(`target.${k}: unknown field for kind "container"; known fields are ${CONTAINER_FIELDS.join(", ")}`);
  if (t.name !== undefined && typeof t.name !== "string") problems.push("target.name: must be a string");
  if (typeof t.image !== "string" || !t.image.trim() || /\s/.test(t.image)) problems.push('target.image: must be the name of a local docker image, e.g. "acme/sts:1.2" (it is never pulled)');
  if (!(Number.isInteger(t.port) && (t.port as number) >= 1 && (t.port as number) <= 65535)) problems.push("target.port: must be the TCP port (1-65535) the STS listens on inside the container");
  if (t.env !== undefined && !(isObj(t.env) && Object.values(t.env).every((v) => typeof v === "string"))) problems.push('target.env: must be an object of string values, e.g. {"STS_MODE": "test"}');
  if (t.wait !== undefined) {
    const w = t.wait;
    const okPath = isObj(w) && typeof w.path === "string" && w.path.startsWith("/") && Object.keys(w).every((k) => k === "path" || k === "status")
      && (w.status === undefined || (Number.isInteger(w.status) && (w.status as number) >= 100 && (w.status as number) <= 599));
    const okLog = isObj(w) && typeof w.log === "string" && w.log.length > 0 && Object.keys(w).length === 1;
    if (!okPath && !okLog) problems.push('target.wait: must be {"path": "/health", "status": 200} (status optional) or {"log": "a line the STS prints when ready"}');
  }
  if (t.startupTimeoutMs !== undefined && !(Number.isInteger(t.startupTimeoutMs) && (t.startupTimeoutMs as number) > 0)) problems.push("target.startupTimeoutMs: must be a positive integer (milliseconds)");
  // Same rules as the http kind.
  checkEndpointsAndCa(t, problems);
  if (t.timeoutMs !== undefined && !(Number.isInteger(t.timeoutMs) && (t.timeoutMs as number) > 0)) problems.push("target.timeoutMs: must be a positive integer (milliseconds)");
  return problems;
}
