// Building a wresult (WS-Federation 1.2 §13.2.3): the RSTR that carries a signed token to a relying party, in each
// shape an RP must accept (F20) — a February 2005 RSTR (what AD FS and Entra send), a 1.3 RSTR, a 1.3 RSTRC, or
// either inside a SOAP envelope. The token is embedded byte for byte so its signature survives.
import { TOKEN_TYPES, TRUST, type SamlVersion } from "../namespaces.ts";
import { buildEnvelope } from "../soap.ts";
import {
  serializeRequestSecurityTokenResponse,
  serializeRequestSecurityTokenResponseCollection,
  trustPrefixes,
} from "../trust/serialize.ts";
import type { RequestSecurityTokenResponse } from "../trust/model.ts";
import { raw, serialize, type XNode } from "../xml/writer.ts";

export type WresultShape = "2005-rstr" | "1.3-rstr" | "1.3-rstrc" | "soap11-2005-rstr" | "soap12-1.3-rstrc";

export const WRESULT_SHAPES: readonly WresultShape[] = ["2005-rstr", "1.3-rstr", "1.3-rstrc", "soap11-2005-rstr", "soap12-1.3-rstrc"];

export interface WresultArgs {
  shape: WresultShape;
  /** The signed assertion as serialized by its issuer (embedded verbatim). */
  assertionXml: string;
  samlVersion: SamlVersion;
  /** The realm (wtrealm): the AppliesTo address. */
  appliesTo?: string;
  created: number;
  expires: number;
}

export function buildWresult(a: WresultArgs): string {
  const version = a.shape.includes("2005") ? "2005" : "1.3";
  const T = TRUST[version];
  const rstr: RequestSecurityTokenResponse = {
    version,
    lifetime: { created: a.created, expires: a.expires },
    appliesTo: a.appliesTo ? { address: a.appliesTo } : undefined,
    requestedSecurityToken: { node: raw(a.assertionXml) },
    tokenType: a.samlVersion === "1.1" ? TOKEN_TYPES.saml11 : TOKEN_TYPES.saml20,
    requestType: T.requestType("Issue"),
    keyType: T.keyType("Bearer"),
  };
  const body: XNode = a.shape.endsWith("rstrc")
    ? serializeRequestSecurityTokenResponseCollection({ version, responses: [rstr] })
    : serializeRequestSecurityTokenResponse(rstr);
  if (a.shape.startsWith("soap")) {
    return buildEnvelope({ version: a.shape.startsWith("soap12") ? "1.2" : "1.1", body, prefixes: trustPrefixes(version) });
  }
  return serialize(body, trustPrefixes(version));
}
