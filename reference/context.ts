// Everything a reference operation needs, built once per reference instance.
import { X509Certificate } from "node:crypto";
import type { Clock } from "../protocol/clock.ts";
import type { SigningKey } from "../protocol/dsig/sign.ts";
import { trustAnchorFromCert, type TrustAnchor } from "../protocol/dsig/verify.ts";
import type { ReferenceConfig, RelyingPartyConfig } from "./config.ts";
import type { Defects } from "./defects.ts";
import type { ReferenceKeys } from "./keys.ts";
import type { ReplayCache } from "../protocol/replay-cache.ts";
import type { TokenStore } from "./token-store.ts";

export interface StsContext {
  config: ReferenceConfig;
  keys: ReferenceKeys;
  clock: Clock;
  defects: Defects;
  replay: ReplayCache;
  store: TokenStore;
  /** The key that signs new tokens (rollover: primary or secondary). */
  signingKey: SigningKey;
  /** This STS's own signing certificates (both, for rollover): what Validate/Renew/Cancel accept. */
  ownAnchors: TrustAnchor[];
  /** Own certificates plus configured trusted issuers: what OnBehalfOf/ActAs tokens may be signed by. */
  delegationAnchors: TrustAnchor[];
  relyingParty(realm: string): RelyingPartyConfig | undefined;
  /** Add a relying party at run time (the harness registers its own RPs once their ports are known). */
  registerRelyingParty(rp: RelyingPartyConfig): void;
  /** DER of the RP's encryption certificate, when it has one. */
  rpEncryptionCert(rp: RelyingPartyConfig): Buffer | undefined;
}

export function buildContext(args: Pick<StsContext, "config" | "keys" | "clock" | "defects" | "replay" | "store">): StsContext {
  const { config, keys } = args;
  const active = config.activeSigningKey === "secondary" ? keys.signing.secondary : keys.signing.primary;
  const ownAnchors = [
    trustAnchorFromCert(keys.signing.primary.certDer, "signing-primary"),
    trustAnchorFromCert(keys.signing.secondary.certDer, "signing-secondary"),
  ];
  const delegationAnchors = [
    ...ownAnchors,
    ...config.trustedIssuers.map((pem, i) => trustAnchorFromCert(Buffer.from(new X509Certificate(pem).raw), `trusted-issuer-${i}`)),
  ];
  const rpByRealm = new Map(config.relyingParties.map((rp) => [rp.realm, rp]));
  const rpCerts = new Map<string, Buffer>();
  return {
    ...args,
    signingKey: { privateKey: active.privateKey, certDer: active.certDer },
    ownAnchors,
    delegationAnchors,
    relyingParty: (realm) => rpByRealm.get(realm),
    registerRelyingParty: (rp) => {
      if (rpByRealm.has(rp.realm)) throw new Error(`relying party ${rp.realm} is already registered`);
      config.relyingParties.push(rp);
      rpByRealm.set(rp.realm, rp);
    },
    rpEncryptionCert: (rp) => {
      if (!rp.encryptionCertificate) return undefined;
      let der = rpCerts.get(rp.realm);
      if (!der) {
        der = Buffer.from(new X509Certificate(rp.encryptionCertificate).raw);
        rpCerts.set(rp.realm, der);
      }
      return der;
    },
  };
}
