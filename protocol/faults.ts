// Fault code catalogue (digest §3): WS-Trust (namespace of the version in use), WSS 1.1 (wsse namespace) and
// WS-Federation 1.2 (fed namespace), with the default reason texts the common implementations use.
import { NS, TRUST, type TrustVersion } from "./namespaces.ts";
import type { SoapFault } from "./soap.ts";

export const TRUST_FAULTS = {
  InvalidRequest: "The request was invalid or malformed",
  FailedAuthentication: "Authentication failed",
  RequestFailed: "The specified request failed",
  InvalidSecurityToken: "Security token has been revoked",
  AuthenticationBadElements: "Insufficient Digest Elements",
  BadRequest: "The specified RequestSecurityToken is not understood.",
  ExpiredData: "The request data is out-of-date",
  InvalidTimeRange: "The requested time range is invalid or unsupported",
  InvalidScope: "The request scope is invalid or unsupported",
  RenewNeeded: "A renewable security token has expired",
  UnableToRenew: "The requested renewal failed",
} as const;
export type TrustFaultName = keyof typeof TRUST_FAULTS;

/** RequestFailed is the one "the service failed" code; SOAP 1.2 sends it under Receiver, the rest under Sender. */
export function trustFault(version: TrustVersion, name: TrustFaultName, reason?: string): SoapFault {
  return {
    code: { ns: TRUST[version].ns, local: name },
    reason: reason ?? TRUST_FAULTS[name],
    receiver: name === "RequestFailed",
  };
}

export const WSSE_FAULTS = {
  UnsupportedSecurityToken: "An unsupported token was provided",
  UnsupportedAlgorithm: "An unsupported signature or encryption algorithm was used",
  InvalidSecurity: "An error was discovered processing the <wsse:Security> header",
  InvalidSecurityToken: "An invalid security token was provided",
  FailedAuthentication: "The security token could not be authenticated or authorized",
  FailedCheck: "The signature or decryption was invalid",
  SecurityTokenUnavailable: "Referenced security token could not be retrieved",
  MessageExpired: "The message has expired",
} as const;
export type WsseFaultName = keyof typeof WSSE_FAULTS;

export function wsseFault(name: WsseFaultName, reason?: string): SoapFault {
  return { code: { ns: NS.wsse, local: name }, reason: reason ?? WSSE_FAULTS[name] };
}

/** WS-Fed 1.2 §15 codes; the texts paraphrase the meanings in the digest (the spec gives no reason strings). */
export const FED_FAULTS = {
  AlreadySignedIn: "The principal is already signed in",
  NotSignedIn: "The principal is not signed in",
  BadRequest: "The request was improper",
  NoPseudonymInScope: "No pseudonym found for the specified scope",
  NoMatchInScope: "No match for the specified scope",
  NeedFresherCredentials: "Credentials do not meet the freshness requirement",
  SpecificPolicy: "A specific policy applies to the request",
  UnsupportedClaimsDialect: "The claims dialect is not supported",
  RstParameterNotAccepted: "A request parameter was not accepted",
  IssuerNameNotSupported: "The requested issuer name is not supported",
  UnsupportedEncoding: "The encoding is not supported",
} as const;
export type FedFaultName = keyof typeof FED_FAULTS;

export function fedFault(name: FedFaultName, reason?: string): SoapFault {
  return { code: { ns: NS.fed, local: name }, reason: reason ?? FED_FAULTS[name] };
}

/** Name of a catalogued code, or undefined: lets the harness tell which family a received fault belongs to. */
export function classifyFaultCode(code: { ns: string; local: string }):
  | { family: "trust"; version: "2005" | "1.3"; name: TrustFaultName }
  | { family: "wsse"; name: WsseFaultName }
  | { family: "fed"; name: FedFaultName }
  | undefined {
  if ((code.ns === NS.wst13 || code.ns === NS.wst2005) && Object.hasOwn(TRUST_FAULTS, code.local)) {
    return { family: "trust", version: code.ns === NS.wst13 ? "1.3" : "2005", name: code.local as TrustFaultName };
  }
  if (code.ns === NS.wsse && Object.hasOwn(WSSE_FAULTS, code.local)) return { family: "wsse", name: code.local as WsseFaultName };
  if (code.ns === NS.fed && Object.hasOwn(FED_FAULTS, code.local)) return { family: "fed", name: code.local as FedFaultName };
  return undefined;
}
