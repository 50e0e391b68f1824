// The StsTarget contract: everything a WS-Trust suite may know about the STS under test, whatever it is (the
// in-process reference, an HTTP endpoint, a container). Suites are written against this only.
import type { Clock, FakeClock } from "../protocol/clock.ts";
import type { TrustAnchor } from "../protocol/dsig/verify.ts";
import type { KeyObject } from "node:crypto";
import type { TrustVersion } from "../protocol/namespaces.ts";
import type { SoapVersion } from "../protocol/soap.ts";
import type { RequestSigner } from "../protocol/trust/sign-request.ts";
import type { SoapTransport } from "./transport.ts";
import type { PassiveIdpTarget } from "./passive-idp-target.ts";
import type { RelyingPartyTarget } from "./relying-party-target.ts";
import type { TokenConsumer } from "./token-consumer.ts";

export type Operation = "Issue" | "Validate" | "Renew" | "Cancel" | "Batch";
export type TokenTypeName = "saml11" | "saml20";
export type KeyTypeCapability = "Bearer" | "SymmetricKey" | "PublicKey";
export type CredentialKind = "username" | "certificate";

/** The implementation conformance statement: what the vendor says the target supports. */
export interface Capabilities {
  versions: TrustVersion[];
  soapVersions: SoapVersion[];
  operations: Operation[];
  tokenTypes: TokenTypeName[];
  keyTypes: KeyTypeCapability[];
  credentials: CredentialKind[];
  onBehalfOf: boolean;
  actAs: boolean;
  claimsDialects: string[];
}

export interface UserCredential {
  username: string;
  password: string;
}

export interface TargetDescription {
  name: string;
  kind: "reference" | "http" | "container";
  url?: string;
}

export interface StsTarget {
  description: TargetDescription;
  capabilities: Capabilities;
  transport: SoapTransport;
  /** Path of the endpoint for a WS-Trust version and credential kind (1.4 uses the 1.3 endpoints). */
  endpoint(version: TrustVersion, credential: CredentialKind): string | undefined;
  /** A user the STS knows, and a second one (authorization tests: someone else's token). */
  user: UserCredential;
  otherUser?: UserCredential;
  /** A registered client certificate (certificatemixed) with its key. */
  clientCertificate?: RequestSigner;
  /** Certificates that sign the STS's tokens. */
  trustAnchors: TrustAnchor[];
  /** The token issuer name the target uses, when declared. */
  issuerName?: string;
  /** Relying parties: one registered (with an encryption certificate for symmetric keys), one not registered. */
  appliesTo: { registered: string; unregistered: string; pinnedSaml11?: string; noEncryption?: string };
  /** When the harness plays the relying party: its decryption key, to check proof keys end to end. */
  relyingPartyKey?(realm: string): KeyObject | undefined;
  /** The harness's clock for crafting messages. */
  clock: Clock;
  /** Only for targets whose clock the harness controls (the in-process reference): move time without sleeping. */
  controlledClock?: FakeClock;
  /** The skew tolerance the vendor claims, in seconds. */
  clockSkewSeconds: number;
  /** Other faces of the same target, when it has them: a passive IdP, a relying party, a token consumer. A target
   * may be only one of these (then the WS-Trust capabilities are empty and those cases SKIP). */
  passiveIdp?: PassiveIdpTarget;
  relyingParty?: RelyingPartyTarget;
  tokenConsumer?: TokenConsumer;
  close(): Promise<void>;
}

export function supports(t: StsTarget, need: Need): boolean {
  switch (need.kind) {
    case "version":
      return t.capabilities.versions.includes(need.version);
    case "operation":
      return t.capabilities.operations.includes(need.operation);
    case "tokenType":
      return t.capabilities.tokenTypes.includes(need.tokenType);
    case "keyType":
      return t.capabilities.keyTypes.includes(need.keyType);
    case "credential":
      return t.capabilities.credentials.includes(need.credential) && (need.credential !== "certificate" || !!t.clientCertificate);
    case "soap":
      return t.capabilities.soapVersions.includes(need.soap);
    case "onBehalfOf":
      return t.capabilities.onBehalfOf;
    case "actAs":
      return t.capabilities.actAs;
    case "controlledClock":
      return !!t.controlledClock;
    case "otherUser":
      return !!t.otherUser;
    case "relyingPartyKey":
      return !!t.relyingPartyKey?.(t.appliesTo.registered);
    case "pinnedSaml11":
      return !!t.appliesTo.pinnedSaml11;
    case "noEncryptionRp":
      return !!t.appliesTo.noEncryption;
    case "passiveIdp":
      return !!t.passiveIdp;
    case "passiveSignOut":
      return !!t.passiveIdp?.capabilities.signOut;
    case "federationMetadata":
      return !!t.passiveIdp?.capabilities.metadata && !!t.passiveIdp.metadataUrl;
    case "relyingParty":
      return !!t.relyingParty;
    case "tokenConsumer":
      return !!t.tokenConsumer;
  }
}

/** What a case needs from the target; a missing one makes the case SKIP with the reason. */
export type Need =
  | { kind: "version"; version: TrustVersion }
  | { kind: "operation"; operation: Operation }
  | { kind: "tokenType"; tokenType: TokenTypeName }
  | { kind: "keyType"; keyType: KeyTypeCapability }
  | { kind: "credential"; credential: CredentialKind }
  | { kind: "soap"; soap: SoapVersion }
  | { kind: "onBehalfOf" }
  | { kind: "actAs" }
  | { kind: "controlledClock" }
  | { kind: "otherUser" }
  | { kind: "relyingPartyKey" }
  | { kind: "pinnedSaml11" }
  | { kind: "noEncryptionRp" }
  | { kind: "passiveIdp" }
  | { kind: "passiveSignOut" }
  | { kind: "federationMetadata" }
  | { kind: "relyingParty" }
  | { kind: "tokenConsumer" };

export function describeNeed(n: Need): string {
  switch (n.kind) {
    case "version":
      return `WS-Trust ${n.version}`;
    case "operation":
      return `the ${n.operation} operation`;
    case "tokenType":
      return `token type ${n.tokenType}`;
    case "keyType":
      return `key type ${n.keyType}`;
    case "credential":
      return `${n.credential} credentials`;
    case "soap":
      return `SOAP ${n.soap}`;
    case "onBehalfOf":
      return "OnBehalfOf";
    case "actAs":
      return "ActAs";
    case "controlledClock":
      return "a target clock the harness controls (in-process reference only)";
    case "otherUser":
      return "a second user (credentials.otherUser)";
    case "relyingPartyKey":
      return "the relying party's decryption key";
    case "pinnedSaml11":
      return "a relying party pinned to SAML 1.1 (appliesTo.pinnedSaml11)";
    case "noEncryptionRp":
      return "a relying party without an encryption certificate (appliesTo.noEncryption)";
    case "passiveIdp":
      return "a WS-Federation passive IdP (target.passive)";
    case "passiveSignOut":
      return "wsignout1.0 support (passive.capabilities.signOut)";
    case "federationMetadata":
      return "published federation metadata (passive.metadataUrl)";
    case "relyingParty":
      return "a WS-Federation relying party (target.relyingParty)";
    case "tokenConsumer":
      return "a token consumer (target.tokenConsumer: a relying party or a library)";
  }
}
