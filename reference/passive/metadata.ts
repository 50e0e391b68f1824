// The reference's federation metadata (digest §5.7, F35–F47): entityID = the issuer, signed with the active token
// key, the STS role publishing BOTH signing certificates (rollover) and the WS-Trust and passive endpoints, and an
// application role. Addresses come from the public origin the request arrived at.
import { createHash } from "node:crypto";
import { TOKEN_TYPES } from "../../protocol/namespaces.ts";
import { serializeFederationMetadata, type FederationMetadataSpec, type MetadataClaimType } from "../../protocol/wsfed/metadata.ts";
import { CLAIM } from "../config.ts";
import type { StsContext } from "../context.ts";

export const PASSIVE_PATH = "/adfs/ls/";
/** The WS-Trust endpoint the metadata names as SecurityTokenServiceEndpoint. */
export const METADATA_STS_PATH = "/adfs/services/trust/13/usernamemixed";

const CLAIM_NAMES: Record<string, string> = {
  [CLAIM.name]: "Name",
  [CLAIM.nameIdentifier]: "Name ID",
  [CLAIM.email]: "E-Mail Address",
  [CLAIM.givenName]: "Given Name",
  [CLAIM.surname]: "Surname",
  [CLAIM.upn]: "UPN",
  [CLAIM.role]: "Role",
};

/** Claim types any configured user has (the STS can issue nothing else). */
function offeredClaims(ctx: StsContext): MetadataClaimType[] {
  const uris = new Set<string>();
  for (const u of ctx.config.users) for (const k of Object.keys(u.claims ?? {})) uris.add(k);
  return [...uris].sort().map((uri) => ({ uri, displayName: CLAIM_NAMES[uri] ?? uri.slice(uri.lastIndexOf("/") + 1), optional: true }));
}

export function referenceMetadataSpec(ctx: StsContext, origin: string): FederationMetadataSpec {
  const { primary, secondary } = ctx.keys.signing;
  // The active key first: readers that take only one certificate get the one tokens are signed with now.
  const signing = ctx.config.activeSigningKey === "secondary" ? [secondary, primary] : [primary, secondary];
  // A stable ID per (issuer, origin, keys): the same document for every fetch, so caches and diffs stay quiet.
  const id = `_${createHash("sha256").update(`${ctx.config.issuer}\n${origin}\n${signing.map((k) => k.certDer.toString("base64")).join("\n")}`).digest("hex").slice(0, 32)}`;
  return {
    id,
    entityId: ctx.config.issuer,
    securityTokenServices: [
      {
        serviceDisplayName: "wsconform reference STS",
        signingCertificates: signing.map((k) => k.certDer),
        tokenTypes: [TOKEN_TYPES.saml20, TOKEN_TYPES.saml11, TOKEN_TYPES.saml20Alias, TOKEN_TYPES.saml11Alias],
        claimTypesOffered: offeredClaims(ctx),
        securityTokenServiceEndpoints: [`${origin}${METADATA_STS_PATH}`],
        passiveRequestorEndpoints: [`${origin}${PASSIVE_PATH}`],
      },
    ],
    applications: [
      {
        serviceDisplayName: "wsconform reference STS",
        targetScopes: [ctx.config.issuer],
        applicationServiceEndpoints: [`${origin}${PASSIVE_PATH}`],
        passiveRequestorEndpoints: [`${origin}${PASSIVE_PATH}`],
      },
    ],
  };
}

/** The document, signed unless the metadata-unsigned defect is on (F46). Cached per origin (bounded). */
export class MetadataPublisher {
  private readonly cache = new Map<string, string>();
  constructor(private readonly ctx: StsContext) {}
  document(origin: string): string {
    let xml = this.cache.get(origin);
    if (xml === undefined) {
      const spec = referenceMetadataSpec(this.ctx, origin);
      xml = this.ctx.defects.has("metadata-unsigned") ? serializeFederationMetadata(spec) : serializeFederationMetadata(spec, { key: this.ctx.signingKey });
      if (this.cache.size >= 16) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(origin, xml);
    }
    return xml;
  }
}
