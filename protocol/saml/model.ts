// The one model of a SAML assertion for both versions (digest §6). Times are ms since the epoch.
import type { XNode } from "../xml/writer.ts";

export interface SamlAttribute {
  name: string;
  values: string[];
  /** SAML 2.0 NameFormat, or SAML 1.1 AttributeNamespace. */
  nameFormatOrNamespace?: string;
}

export type SubjectConfirmation =
  | { method: "bearer"; notOnOrAfter?: number; recipient?: string }
  /** keyInfo: the children of ds:KeyInfo, e.g. an xenc:EncryptedKey (symmetric) or ds:X509Data (public key). */
  | { method: "holder-of-key"; keyInfo: XNode }
  | { method: "sender-vouches" };

export interface AssertionSpec {
  version: "1.1" | "2.0";
  id: string;
  issuer: string;
  issueInstant: number;
  subject: { nameId: string; format?: string };
  confirmation: SubjectConfirmation;
  notBefore: number;
  notOnOrAfter: number;
  audiences: string[];
  authn?: { method: string; instant: number };
  attributes: SamlAttribute[];
}

export interface ParsedAssertion extends AssertionSpec {
  element: Element;
  /** A ds:Signature is a direct child (whether it verifies is verifyAssertion's business). */
  hasSignature: boolean;
  /** The ds:KeyInfo of a holder-of-key confirmation. */
  confirmationKeyInfo?: Element;
  /** The confirmation method URI as sent. */
  confirmationMethodUri?: string;
  /** SAML 1.1 only: no SubjectConfirmation was sent (AD FS 1.x WS-Fed tokens); read as bearer. */
  confirmationImplicit?: boolean;
  /**
   * Every audience restriction as sent. Each must be satisfied on its own, so `audiences` holds their
   * intersection (all of one when there is a single restriction).
   */
  audienceRestrictions: string[][];
  /** OneTimeUse (2.0) or DoNotCacheCondition (1.1) present. */
  oneTimeUse: boolean;
  /** Conditions this model does not evaluate (ProxyRestriction, unknown ones): a consumer must treat them as Indeterminate. */
  otherConditions: string[];
}
