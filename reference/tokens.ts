// Minting SAML tokens and the RSTR pieces that describe them (references, lifetime).
import { randomBytes, randomUUID } from "node:crypto";
import type { SamlAttribute, SubjectConfirmation, AssertionSpec } from "../protocol/saml/model.ts";
import { signAssertionAsync, unsignedAssertion } from "../protocol/saml/build.ts";
import { DSIG, TOKEN_TYPES, type SamlVersion } from "../protocol/namespaces.ts";
import { el, type XElement } from "../protocol/xml/writer.ts";

import type { SigningKey } from "../protocol/dsig/sign.ts";
import type { Defects } from "./defects.ts";

/** SAML IDs must be xs:ID (NCName): a leading underscore and a random UUID. */
export function newTokenId(): string {
  return `_${randomUUID()}`;
}

export function newSecret(bytes: number): Buffer {
  return randomBytes(bytes);
}

export const AUTHN_METHOD = {
  "1.1": { password: "urn:oasis:names:tc:SAML:1.0:am:password", x509: "urn:ietf:rfc:2246", unspecified: "urn:oasis:names:tc:SAML:1.0:am:unspecified" },
  "2.0": {
    password: "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport",
    x509: "urn:oasis:names:tc:SAML:2.0:ac:classes:X509",
    unspecified: "urn:oasis:names:tc:SAML:2.0:ac:classes:unspecified",
  },
} as const;

export interface MintArgs {
  samlVersion: SamlVersion;
  id: string;
  issuer: string;
  now: number;
  notBefore: number;
  notOnOrAfter: number;
  subject: { nameId: string; format?: string };
  audiences: string[];
  attributes: SamlAttribute[];
  confirmation: SubjectConfirmation;
  authn?: { method: string; instant: number };
}

/** The signed (or, with a defect, unsigned) assertion as a string, ready to embed verbatim. The RSA operation runs
 * on the thread pool so concurrent requests keep both cores busy. */
export async function mintAssertion(args: MintArgs, key: SigningKey, defects: Defects): Promise<string> {
  const spec: AssertionSpec = {
    version: args.samlVersion,
    id: args.id,
    issuer: args.issuer,
    issueInstant: args.now,
    subject: args.subject,
    confirmation: args.confirmation,
    notBefore: args.notBefore,
    notOnOrAfter: args.notOnOrAfter,
    audiences: defects.has("no-audience") ? [] : args.audiences,
    authn: args.authn,
    attributes: args.attributes,
  };
  if (defects.has("unsigned-assertion")) return unsignedAssertion(spec);
  const options = defects.has("sha1-signature")
    ? { signatureAlgorithm: DSIG.rsaSha1, digestAlgorithm: DSIG.sha1 }
    : { signatureAlgorithm: DSIG.rsaSha256, digestAlgorithm: DSIG.sha256 };
  return signAssertionAsync(spec, key, options);
}

export function tokenTypeUri(v: SamlVersion): string {
  return v === "1.1" ? TOKEN_TYPES.saml11 : TOKEN_TYPES.saml20;
}

/** ds:KeyInfo content binding a certificate (PublicKey holder-of-key). */
export function x509KeyInfo(certDer: Buffer): XElement {
  return el("ds:X509Data", [el("ds:X509Certificate", [certDer.toString("base64")])]);
}

