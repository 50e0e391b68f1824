// Configuration of the reference STS: the embedded default (demo users, demo relying parties) and a JSON file
// that overrides any part of it, validated with errors that name the field and say how to fix it.
import { DEFECT_NAMES, isDefectName } from "./defects.ts";

export const CLAIM = {
  name: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name",
  nameIdentifier: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier",
  email: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
  givenName: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname",
  surname: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname",
  upn: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn",
  role: "http://schemas.microsoft.com/ws/2008/06/identity/claims/role",
  actor: "http://schemas.xmlsoap.org/ws/2009/09/identity/claims/actor",
} as const;

export interface UserConfig {
  username: string;
  password: string;
  /** Claim type URI → value(s). */
  claims?: Record<string, string | string[]>;
}

export interface RelyingPartyConfig {
  /** The AppliesTo address (and WS-Fed wtrealm) that names this RP. */
  realm: string;
  displayName?: string;
  /** Pin the token type; when absent the requested TokenType is honoured (SAML 2.0 by default). */
  tokenType?: "saml11" | "saml20";
  /** PEM certificate the RP decrypts symmetric proof keys with; without it SymmetricKey tokens are refused. */
  encryptionCertificate?: string;
  /** Passive profile: the URLs a wreply may name, exactly (F05); the first is where tokens go without wreply. */
  replyUrls?: string[];
  /** Passive profile: the wresult wrapper, a WS-Trust 2005 RSTR as AD FS sends (default) or a 1.3 RSTRC. */
  passiveResponse?: "2005" | "1.3";
  /** Passive profile: where wsignoutcleanup1.0 goes (default: the first reply URL) (F27). */
  signOutUrl?: string;
}

export interface ClientCertificateConfig {
  name: string;
  /** PEM certificate whose holder may sign requests at the certificatemixed endpoints. */
  certificate: string;
  claims?: Record<string, string | string[]>;
}

export interface ReferenceConfig {
  /** Issuer name put in tokens (SAML Issuer) and the entityID of the metadata. */
  issuer: string;
  tokenLifetimeSeconds: number;
  maxTokenLifetimeSeconds: number;
  /** Allowed clock difference for Timestamps, UsernameToken Created and token windows. */
  clockSkewSeconds: number;
  /** Maximum age of a Timestamp/UsernameToken Created (WSS4J's default TTL is 300 s). */
  timestampTtlSeconds: number;
  /** How long after expiry a token issued with Renewing OK="true" may still be renewed. */
  renewAfterExpirySeconds: number;
  /** How far in the future a requested Lifetime may start when AllowPostdating was asked for. */
  maxPostdateSeconds: number;
  /** Smallest requestor entropy accepted for a computed key, in bits. */
  minEntropyBits: number;
  /** Fault on RST child elements and attributes the STS does not understand (WS-Trust 1.3 §3.1 SHOULD). */
  faultOnUnknownElements: boolean;
  /** Which of the two signing keys signs tokens (the other is still trusted for Validate/Renew: rollover). */
  activeSigningKey: "primary" | "secondary";
  users: UserConfig[];
  relyingParties: RelyingPartyConfig[];
  clientCertificates: ClientCertificateConfig[];
  /** PEM certificates of other issuers whose tokens are accepted in OnBehalfOf/ActAs. */
  trustedIssuers: string[];
  maxMessageBytes: number;
  tokenStoreCapacity: number;
  replayCacheCapacity: number;
  defects: string[];
}

export const DEMO_REALMS = {
  saml20: "urn:wsconform:rp:saml20",
  saml11: "urn:wsconform:rp:saml11",
  web: "https://rp.wsconform.test/app/",
  bearerOnly: "urn:wsconform:rp:no-encryption",
} as const;

export function defaultConfig(): ReferenceConfig {
  return {
    issuer: "http://wsconform.test/adfs/services/trust",
    tokenLifetimeSeconds: 3600,
    maxTokenLifetimeSeconds: 8 * 3600,
    clockSkewSeconds: 300,
    timestampTtlSeconds: 300,
    renewAfterExpirySeconds: 3600,
    maxPostdateSeconds: 24 * 3600,
    minEntropyBits: 128,
    faultOnUnknownElements: true,
    activeSigningKey: "primary",
    users: [
      {
        username: "alice",
        password: "ecila",
        claims: {
          [CLAIM.name]: "alice",
          [CLAIM.email]: "alice@wsconform.test",
          [CLAIM.givenName]: "Alice",
          [CLAIM.surname]: "Liddell",
          [CLAIM.upn]: "alice@wsconform.test",
          [CLAIM.role]: ["user", "admin"],
        },
      },
      {
        username: "bob",
        password: "bob",
        claims: { [CLAIM.name]: "bob", [CLAIM.email]: "bob@wsconform.test", [CLAIM.role]: "user" },
      },
      { username: "ted", password: "det", claims: { [CLAIM.name]: "ted" } },
    ],
    // Encryption certificates of the demo RPs are generated with the keys (see keys.ts) and filled in there.
    relyingParties: [
      { realm: DEMO_REALMS.saml20, displayName: "Demo RP (SAML 2.0)", replyUrls: ["https://rp.wsconform.test/saml20/"] },
      { realm: DEMO_REALMS.saml11, displayName: "Demo RP pinned to SAML 1.1", tokenType: "saml11", replyUrls: ["https://rp.wsconform.test/saml11/"] },
      { realm: DEMO_REALMS.web, displayName: "Demo web RP", replyUrls: ["https://rp.wsconform.test/app/"] },
      {
        realm: DEMO_REALMS.bearerOnly,
        displayName: "Demo RP without an encryption certificate",
        replyUrls: ["https://rp.wsconform.test/no-encryption/"],
        passiveResponse: "1.3",
      },
    ],
    clientCertificates: [],
    trustedIssuers: [],
    maxMessageBytes: 1024 * 1024,
    tokenStoreCapacity: 100_000,
    replayCacheCapacity: 200_000,
    defects: [],
  };
}

export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(readonly problems: string[]) {
    super(`invalid reference configuration:\n  - ${problems.join("\n  - ")}`);
  }
}

const NUMBER_FIELDS: [keyof ReferenceConfig, number, number][] = [
  ["tokenLifetimeSeconds", 1, 365 * 86400],
  ["maxTokenLifetimeSeconds", 1, 365 * 86400],
  ["clockSkewSeconds", 0, 86400],
  ["timestampTtlSeconds", 1, 86400],
  ["renewAfterExpirySeconds", 0, 365 * 86400],
  ["maxPostdateSeconds", 0, 365 * 86400],
  ["minEntropyBits", 64, 16384],
  ["maxMessageBytes", 1024, 64 * 1024 * 1024],
  ["tokenStoreCapacity", 1, 10_000_000],
  ["replayCacheCapacity", 1, 10_000_000],
];

function isPem(s: unknown): s is string {
  return typeof s === "string" && /-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----/.test(s);
}

function isHttpUrl(s: unknown): boolean {
  if (typeof s !== "string") return false;
  try {
    const u = new URL(s);
    return u.protocol === "https:" || u.protocol === "http:";
  } catch {
    return false;
  }
}

function checkClaims(where: string, v: unknown, problems: string[]): void {
  if (v === undefined) return;
  if (typeof v !== "object" || v === null || Array.isArray(v)) {
    problems.push(`${where}: must be an object mapping claim type URIs to a string or an array of strings`);
    return;
  }
  for (const [k, val] of Object.entries(v)) {
    const ok = typeof val === "string" || (Array.isArray(val) && val.every((x) => typeof x === "string"));
    if (!ok) problems.push(`${where}["${k}"]: must be a string or an array of strings`);
  }
}

/** Merge a parsed JSON override onto the defaults and validate the result. */
export function resolveConfig(override: unknown = {}): ReferenceConfig {
  const problems: string[] = [];
  if (typeof override !== "object" || override === null || Array.isArray(override)) {
    throw new ConfigError(["the configuration must be a JSON object"]);
  }
  const base = defaultConfig();
  const known = new Set(Object.keys(base));
  for (const k of Object.keys(override)) {
    if (!known.has(k)) problems.push(`${k}: unknown field; known fields are ${[...known].join(", ")}`);
  }
  const cfg = { ...base, ...(override as Partial<ReferenceConfig>) };
  if (typeof cfg.issuer !== "string" || cfg.issuer.length === 0) problems.push("issuer: must be a non-empty string (a URI)");
  for (const [k, min, max] of NUMBER_FIELDS) {
    const v = cfg[k];
    if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
      problems.push(`${k}: must be an integer from ${min} to ${max} (got ${JSON.stringify(v)})`);
    }
  }
  if (cfg.tokenLifetimeSeconds > cfg.maxTokenLifetimeSeconds) {
    problems.push("tokenLifetimeSeconds: must not exceed maxTokenLifetimeSeconds");
  }
  if (typeof cfg.faultOnUnknownElements !== "boolean") problems.push("faultOnUnknownElements: must be true or false");
  if (cfg.activeSigningKey !== "primary" && cfg.activeSigningKey !== "secondary") {
    problems.push('activeSigningKey: must be "primary" or "secondary"');
  }
  if (!Array.isArray(cfg.users)) problems.push("users: must be an array of {username, password, claims?}");
  else {
    const seen = new Set<string>();
    cfg.users.forEach((u, i) => {
      if (typeof u?.username !== "string" || !u.username) problems.push(`users[${i}].username: must be a non-empty string`);
      else if (seen.has(u.username)) problems.push(`users[${i}].username: "${u.username}" is defined twice`);
      else seen.add(u.username);
      if (typeof u?.password !== "string") problems.push(`users[${i}].password: must be a string`);
      checkClaims(`users[${i}].claims`, u?.claims, problems);
    });
  }
  if (!Array.isArray(cfg.relyingParties)) problems.push("relyingParties: must be an array of {realm, ...}");
  else {
    cfg.relyingParties.forEach((rp, i) => {
      if (typeof rp?.realm !== "string" || !rp.realm) problems.push(`relyingParties[${i}].realm: must be a non-empty URI`);
      if (rp?.tokenType !== undefined && rp.tokenType !== "saml11" && rp.tokenType !== "saml20") {
        problems.push(`relyingParties[${i}].tokenType: must be "saml11" or "saml20" (or absent to honour the request)`);
      }
      if (rp?.encryptionCertificate !== undefined && !isPem(rp.encryptionCertificate)) {
        problems.push(`relyingParties[${i}].encryptionCertificate: must be a PEM certificate (-----BEGIN CERTIFICATE-----)`);
      }
      if (rp?.replyUrls !== undefined && !(Array.isArray(rp.replyUrls) && rp.replyUrls.every((u) => typeof u === "string"))) {
        problems.push(`relyingParties[${i}].replyUrls: must be an array of URLs`);
      } else {
        rp?.replyUrls?.forEach((u, j) => {
          if (!isHttpUrl(u)) problems.push(`relyingParties[${i}].replyUrls[${j}]: must be an absolute http(s) URL`);
        });
      }
      if (rp?.passiveResponse !== undefined && rp.passiveResponse !== "2005" && rp.passiveResponse !== "1.3") {
        problems.push(`relyingParties[${i}].passiveResponse: must be "2005" (a WS-Trust 2005 RSTR, as AD FS) or "1.3" (an RSTRC)`);
      }
      if (rp?.signOutUrl !== undefined && !isHttpUrl(rp.signOutUrl)) {
        problems.push(`relyingParties[${i}].signOutUrl: must be an absolute http(s) URL`);
      }
    });
  }
  if (!Array.isArray(cfg.clientCertificates)) problems.push("clientCertificates: must be an array of {name, certificate}");
  else {
    cfg.clientCertificates.forEach((c, i) => {
      if (typeof c?.name !== "string" || !c.name) problems.push(`clientCertificates[${i}].name: must be a non-empty string`);
      if (!isPem(c?.certificate)) problems.push(`clientCertificates[${i}].certificate: must be a PEM certificate`);
      checkClaims(`clientCertificates[${i}].claims`, c?.claims, problems);
    });
  }
  if (!Array.isArray(cfg.trustedIssuers) || !cfg.trustedIssuers.every(isPem)) {
    problems.push("trustedIssuers: must be an array of PEM certificates");
  }
  if (!Array.isArray(cfg.defects)) problems.push("defects: must be an array of defect names");
  else {
    for (const d of cfg.defects) {
      if (!isDefectName(d)) problems.push(`defects: "${d}" is not a defect; known: ${DEFECT_NAMES.join(", ")}`);
    }
  }
  if (problems.length) throw new ConfigError(problems);
  return cfg;
}
