// WS-Federation 1.2 passive requestor parameters (§13.2, digest §5.3): the wa actions, the 20 defined parameter
// names plus the Microsoft extensions, and strict readers for the values that have a syntax (wfresh, wencoding,
// wct). Pure: callers hand in the query string or form body they received.
import { parseXsDateTime } from "../clock.ts";

/** wa values (F01). */
export const WA = {
  signIn: "wsignin1.0",
  signOut: "wsignout1.0",
  signOutCleanup: "wsignoutcleanup1.0",
  attribute: "wattr1.0",
  pseudonym: "wpseudo1.0",
} as const;

export type WaValue = (typeof WA)[keyof typeof WA];

const WA_VALUES: readonly string[] = Object.values(WA);

export function isWaValue(s: string | undefined): s is WaValue {
  return s !== undefined && WA_VALUES.includes(s);
}

/** The 20 parameter names WS-Federation 1.2 §13.2 defines. */
export const PASSIVE_PARAMETERS = [
  "wa",
  "wtrealm",
  "wreply",
  "wres",
  "wctx",
  "wp",
  "wct",
  "wfed",
  "wencoding",
  "wfresh",
  "wauth",
  "wreq",
  "wreqptr",
  "whr",
  "wresult",
  "wresultptr",
  "wattr",
  "wattrptr",
  "wpseudo",
  "wpseudoptr",
] as const;

export type PassiveParameter = (typeof PASSIVE_PARAMETERS)[number];

/** Microsoft extensions to wsignin1.0 (MS-MWBF). Known, so reported apart from truly unknown names. */
export const MS_PASSIVE_EXTENSIONS = ["client-request-id", "login_hint", "username", "domain_hint", "prompt", "mfa_max_age"] as const;

const DEFINED: ReadonlySet<string> = new Set(PASSIVE_PARAMETERS);
const EXTENSIONS: ReadonlySet<string> = new Set(MS_PASSIVE_EXTENSIONS);

export interface PassiveParameters {
  /** Defined parameters, decoded (application/x-www-form-urlencoded rules). */
  params: Partial<Record<PassiveParameter, string>>;
  /** Microsoft extension parameters. */
  extensions: Record<string, string>;
  /** Names neither defined nor extensions: a receiver ignores them (F15). */
  unknown: string[];
  /** Defined or extension names that occurred more than once: ambiguous, so a strict receiver refuses them. */
  repeated: string[];
}

/**
 * Read passive parameters from a query string (with or without the leading "?") or a form body. Parameter names
 * are case-sensitive, as in the spec.
 */
export function parsePassiveParameters(input: string | URLSearchParams): PassiveParameters {
  const sp = typeof input === "string" ? new URLSearchParams(input.startsWith("?") ? input.slice(1) : input) : input;
  const out: PassiveParameters = { params: {}, extensions: {}, unknown: [], repeated: [] };
  const seen = new Set<string>();
  for (const [name, value] of sp) {
    const known = DEFINED.has(name) || EXTENSIONS.has(name);
    if (!known) {
      if (!out.unknown.includes(name) && out.unknown.length < 64) out.unknown.push(name);
      continue;
    }
    if (seen.has(name)) {
      if (!out.repeated.includes(name)) out.repeated.push(name);
      continue;
    }
    seen.add(name);
    if (DEFINED.has(name)) out.params[name as PassiveParameter] = value;
    else out.extensions[name] = value;
  }
  return out;
}

/** A query string (no leading "?") for the given parameters, in the order given; undefined values are left out. */
export function buildPassiveQuery(params: Partial<Record<PassiveParameter, string | undefined>> & Record<string, string | undefined>): string {
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) sp.append(k, v);
  return sp.toString();
}

/** `url` with the parameters appended to its query (keeping a query it already has). */
export function withPassiveQuery(url: string, params: Record<string, string | undefined>): string {
  const q = buildPassiveQuery(params);
  if (!q) return url;
  const hash = url.indexOf("#");
  const base = hash >= 0 ? url.slice(0, hash) : url;
  return `${base}${base.includes("?") ? (base.endsWith("?") || base.endsWith("&") ? "" : "&") : "?"}${q}`;
}

export type ParameterResult<T> = { ok: true; value: T } | { ok: false; reason: string };

/**
 * wfresh: the maximum age of the authentication in minutes; 0 asks for a fresh authentication (F08). A non-negative
 * decimal integer; anything else is malformed.
 */
export function parseFreshness(v: string | undefined): ParameterResult<number | undefined> {
  if (v === undefined || v === "") return { ok: true, value: undefined };
  if (!/^\d{1,9}$/.test(v)) return { ok: false, reason: `wfresh must be a whole number of minutes (got ${JSON.stringify(v.slice(0, 40))})` };
  return { ok: true, value: Number(v) };
}

/** wencoding values: the default URL encoding and the one alternative WS-Federation defines (F14). */
export type ParameterEncoding = "url" | "base64url";

export function parseEncoding(v: string | undefined): ParameterResult<ParameterEncoding> {
  if (v === undefined || v === "") return { ok: true, value: "url" };
  if (v === "base64url") return { ok: true, value: "base64url" };
  return { ok: false, reason: `wencoding ${JSON.stringify(v.slice(0, 80))} is not supported (only base64url is defined)` };
}

/** An XML-valued parameter (wreq, wattr, wpseudo) as text, undoing wencoding. Base64url must be canonical. */
export function decodeXmlParameter(value: string, encoding: ParameterEncoding): ParameterResult<string> {
  if (encoding === "url") return { ok: true, value };
  const s = value.replace(/=+$/, "");
  if (!/^[A-Za-z0-9_-]*$/.test(s) || s.length % 4 === 1) return { ok: false, reason: "the value is not base64url" };
  return { ok: true, value: Buffer.from(s, "base64url").toString("utf8") };
}

/** wct: the sender's current time, an xs:dateTime in UTC (F07). Undefined when absent; a reason when malformed. */
export function parseCurrentTime(v: string | undefined): ParameterResult<number | undefined> {
  if (v === undefined) return { ok: true, value: undefined };
  const t = parseXsDateTime(v);
  if (t === undefined) return { ok: false, reason: `wct ${JSON.stringify(v.slice(0, 40))} is not an xs:dateTime` };
  return { ok: true, value: t };
}

/** wauth URIs naming password authentication (digest §1.4: SAML methods, AD FS table, WS-Fed §11 default). */
export const PASSWORD_AUTHENTICATION_TYPES = [
  "urn:oasis:names:tc:SAML:1.0:am:password",
  "urn:oasis:names:tc:SAML:2.0:ac:classes:Password",
  "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport",
  "http://docs.oasis-open.org/wsfed/authorization/200706/authntypes/default",
] as const;
