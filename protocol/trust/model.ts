// Typed model of WS-Trust messages (digest §2): RequestSecurityToken (RST), RequestSecurityTokenCollection (RSTC),
// RequestSecurityTokenResponse (RSTR), RequestSecurityTokenResponseCollection (RSTRC). One model serves 2005, 1.3
// and 1.4; the version decides namespaces and URIs at serialization. URIs are kept as sent (a KeyType stays the
// exact spelling received); helpers in namespaces.ts interpret them.
import type { TrustVersion } from "../namespaces.ts";
import type { XNode } from "../xml/writer.ts";

/** Opaque XML carried through the model: the parsed element when read, or a node to write. */
export interface XmlPayload {
  /** When parsed: the DOM element as received (for signature checks it must be this very node). */
  element?: Element;
  /** When written: the node to serialize. */
  node?: XNode;
}

export interface Lifetime {
  /** ms since epoch; undefined when the element was absent. */
  created?: number;
  expires?: number;
  /** The text exactly as received (for diagnostics). */
  createdText?: string;
  expiresText?: string;
}

export interface EndpointReference {
  address: string;
}

export interface AppliesTo {
  /** wsa:EndpointReference/wsa:Address (2005/08 or 2004/08 addressing). */
  address?: string;
  /** The policy namespace the element was found in (wsp 2004/09 or W3C 1.5). */
  policyNamespace?: string;
  /** Addressing namespace used for EndpointReference. */
  addressingNamespace?: string;
  /** When parsed: the AppliesTo element (content other than an EndpointReference stays readable here). */
  element?: Element;
}

export interface BinarySecret {
  /** Type URI as sent; absent means SymmetricKey (digest T17). */
  type?: string;
  value: Buffer;
}

export interface Entropy {
  binarySecret?: BinarySecret;
  /** xenc:EncryptedKey or any other content, kept as XML. */
  other?: XmlPayload;
}

export interface ClaimType {
  uri: string;
  optional?: boolean;
  /** auth:Value when the dialect carries values. */
  value?: string;
}

export interface Claims {
  dialect?: string;
  claimTypes: ClaimType[];
  /** Raw element when parsed (unknown dialects keep their content here). */
  element?: Element;
}

export interface Renewing {
  /** Default true (digest T47). */
  allow?: boolean;
  /** Default false. */
  ok?: boolean;
}

export interface UseKey {
  /** The token or STR inside UseKey. */
  key?: XmlPayload;
  /** @Sig: Id of the signature proving possession. */
  sig?: string;
}

export interface Status {
  code: string;
  reason?: string;
}

export interface ComputedKeyProof {
  kind: "ComputedKey";
  algorithm: string;
}
export interface BinarySecretProof {
  kind: "BinarySecret";
  secret: BinarySecret;
}
export interface EncryptedKeyProof {
  kind: "EncryptedKey";
  payload: XmlPayload;
}
export interface ReferenceProof {
  kind: "SecurityTokenReference";
  payload: XmlPayload;
}
export type RequestedProofToken = ComputedKeyProof | BinarySecretProof | EncryptedKeyProof | ReferenceProof;

/** An element the model does not know, kept so a strict recipient can fault on it (digest T08/T09). */
export interface Extension {
  namespaceURI: string | null;
  localName: string;
  element?: Element;
  /** When written: the node to serialize (lets a test send elements the model does not know, digest T08). */
  node?: XNode;
}

export interface RequestSecurityToken {
  version: TrustVersion;
  context?: string;
  requestType: string;
  tokenType?: string;
  appliesTo?: AppliesTo;
  claims?: Claims;
  entropy?: Entropy;
  lifetime?: Lifetime;
  allowPostdating?: boolean;
  renewing?: Renewing;
  onBehalfOf?: XmlPayload;
  /** 1.4 ActAs (200802 namespace only). */
  actAs?: XmlPayload;
  issuer?: EndpointReference;
  authenticationType?: string;
  keyType?: string;
  keySize?: number;
  signatureAlgorithm?: string;
  encryptionAlgorithm?: string;
  canonicalizationAlgorithm?: string;
  computedKeyAlgorithm?: string;
  keyWrapAlgorithm?: string;
  signWith?: string;
  encryptWith?: string;
  encryption?: XmlPayload;
  proofEncryption?: XmlPayload;
  useKey?: UseKey;
  delegateTo?: XmlPayload;
  forwardable?: boolean;
  delegatable?: boolean;
  renewTarget?: XmlPayload;
  cancelTarget?: XmlPayload;
  validateTarget?: XmlPayload;
  /** SecondaryParameters: RST parameters not originated by the requestor (kept as a nested partial RST). */
  secondaryParameters?: Partial<RequestSecurityToken>;
  /** Unknown child elements. */
  extensions?: Extension[];
  /**
   * Unknown attributes on the RST element: "{ns}local" → value ("{}local" for no namespace). When writing, a
   * "{ns}local" key needs a namespace PREFIXES knows; "prefix:local" is passed to the writer as is.
   */
  extensionAttributes?: Record<string, string>;
}

export interface RequestSecurityTokenCollection {
  version: TrustVersion;
  requests: RequestSecurityToken[];
  /** Attributes on the RSTC element: "{ns}local" → value. */
  extensionAttributes?: Record<string, string>;
}

export interface RequestSecurityTokenResponse {
  version: TrustVersion;
  context?: string;
  tokenType?: string;
  requestType?: string;
  keyType?: string;
  keySize?: number;
  lifetime?: Lifetime;
  appliesTo?: AppliesTo;
  requestedSecurityToken?: XmlPayload;
  requestedAttachedReference?: XmlPayload;
  requestedUnattachedReference?: XmlPayload;
  requestedProofToken?: RequestedProofToken;
  entropy?: Entropy;
  status?: Status;
  requestedTokenCancelled?: boolean;
  renewing?: Renewing;
  allowPostdating?: boolean;
  authenticationType?: string;
  extensions?: Extension[];
  /** Unknown attributes on the RSTR element: "{ns}local" → value. */
  extensionAttributes?: Record<string, string>;
}

export interface RequestSecurityTokenResponseCollection {
  version: TrustVersion;
  responses: RequestSecurityTokenResponse[];
  /** Attributes on the RSTRC (the schema allows only ##other; a Context here breaks digest T07). */
  extensionAttributes?: Record<string, string>;
}

/** Any WS-Trust body element. */
export type TrustMessage =
  | { kind: "RST"; message: RequestSecurityToken }
  | { kind: "RSTC"; message: RequestSecurityTokenCollection }
  | { kind: "RSTR"; message: RequestSecurityTokenResponse }
  | { kind: "RSTRC"; message: RequestSecurityTokenResponseCollection };
