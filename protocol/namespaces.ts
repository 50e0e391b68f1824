// Namespace URIs and the per-version WS-Trust constant table (digest §1).
// Every URI the harness and the reference put on the wire comes from here.

export const NS = {
  wst2005: "http://schemas.xmlsoap.org/ws/2005/02/trust",
  wst13: "http://docs.oasis-open.org/ws-sx/ws-trust/200512",
  wst14: "http://docs.oasis-open.org/ws-sx/ws-trust/200802",
  wsse: "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd",
  wsse11: "http://docs.oasis-open.org/wss/oasis-wss-wssecurity-secext-1.1.xsd",
  wsu: "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd",
  wsp: "http://schemas.xmlsoap.org/ws/2004/09/policy",
  wsp15: "http://www.w3.org/ns/ws-policy",
  wsa: "http://www.w3.org/2005/08/addressing",
  wsa2004: "http://schemas.xmlsoap.org/ws/2004/08/addressing",
  fed: "http://docs.oasis-open.org/wsfed/federation/200706",
  auth: "http://docs.oasis-open.org/wsfed/authorization/200706",
  md: "urn:oasis:names:tc:SAML:2.0:metadata",
  saml11: "urn:oasis:names:tc:SAML:1.0:assertion",
  saml2: "urn:oasis:names:tc:SAML:2.0:assertion",
  ic: "http://schemas.xmlsoap.org/ws/2005/05/identity",
  ds: "http://www.w3.org/2000/09/xmldsig#",
  xenc: "http://www.w3.org/2001/04/xmlenc#",
  s11: "http://schemas.xmlsoap.org/soap/envelope/",
  s12: "http://www.w3.org/2003/05/soap-envelope",
  xsi: "http://www.w3.org/2001/XMLSchema-instance",
  xs: "http://www.w3.org/2001/XMLSchema",
  xmlns: "http://www.w3.org/2000/xmlns/",
  xml: "http://www.w3.org/XML/1998/namespace",
} as const;

/** Policy namespaces in which `AppliesTo` is accepted (digest §1.1: both are seen in the field). */
export const APPLIES_TO_NAMESPACES = [NS.wsp, NS.wsp15] as const;

export type TrustVersion = "2005" | "1.3" | "1.4";
export const TRUST_VERSIONS: readonly TrustVersion[] = ["2005", "1.3", "1.4"];

export type Binding = "Issue" | "Renew" | "Cancel" | "Validate" | "STSCancel" | "KET";

export type KeyTypeName = "PublicKey" | "SymmetricKey" | "Bearer";

/** 1.3 Bearer spellings: prose, schema typo, MS-LWSSP variant (digest §1.4). Emit the first. */
export const BEARER_13_SPELLINGS = [
  "http://docs.oasis-open.org/ws-sx/ws-trust/200512/Bearer",
  "http://docs.oasis-open.org/wssx/wstrust/200512/Bearer",
  "http://docs.oasis-open.org/ws-sx/wstrust/200512/Bearer",
] as const;

/** 2005 has no Bearer key type; Microsoft stacks use the Information Card NoProofKey URI (digest §1.3 item 3). */
export const NO_PROOF_KEY_2005 = "http://schemas.xmlsoap.org/ws/2005/05/identity/NoProofKey";

export interface TrustConstants {
  version: TrustVersion;
  /** Namespace of RST/RSTR and all 1.3 elements (1.4 reuses 200512). */
  ns: string;
  /** Base of RequestType/KeyType/Action URIs. */
  base: string;
  requestType(b: Binding): string;
  /** Action of a request message. */
  requestAction(b: Binding): string;
  /** Action of the final response. 1.3/1.4 Issue → RSTRC/IssueFinal; 2005 → RSTR/<op>. */
  finalResponseAction(b: Binding): string;
  /** Whether the final Issue response body is an RSTRC (1.3/1.4) or a bare RSTR (2005). */
  issueResponseIsCollection: boolean;
  keyType(k: KeyTypeName): string;
  statusTokenType: string;
  statusValid: string;
  statusInvalid: string;
  binarySecretType: { AsymmetricKey: string; SymmetricKey: string; Nonce: string };
  computedKeyPSHA1: string;
}

function table(version: TrustVersion): TrustConstants {
  const base = version === "2005" ? NS.wst2005 : NS.wst13;
  return {
    version,
    ns: base,
    base,
    requestType: (b) => `${base}/${b}`,
    requestAction: (b) => `${base}/RST/${b}`,
    finalResponseAction: (b) => {
      if (version === "2005") return `${base}/RSTR/${b}`;
      if (b === "Issue") return `${base}/RSTRC/IssueFinal`;
      return `${base}/RSTR/${b}Final`;
    },
    issueResponseIsCollection: version !== "2005",
    keyType: (k) => {
      if (k === "Bearer") return version === "2005" ? NO_PROOF_KEY_2005 : BEARER_13_SPELLINGS[0];
      return `${base}/${k}`;
    },
    statusTokenType: `${base}/RSTR/Status`,
    statusValid: `${base}/status/valid`,
    statusInvalid: `${base}/status/invalid`,
    binarySecretType: {
      AsymmetricKey: `${base}/AsymmetricKey`,
      SymmetricKey: `${base}/SymmetricKey`,
      Nonce: `${base}/Nonce`,
    },
    computedKeyPSHA1: `${base}/CK/PSHA1`,
  };
}

export const TRUST: Record<TrustVersion, TrustConstants> = {
  "2005": table("2005"),
  "1.3": table("1.3"),
  "1.4": table("1.4"),
};

/** Map a KeyType URI from any version (and every Bearer spelling) to its name; undefined when unknown. */
export function keyTypeName(uri: string): KeyTypeName | undefined {
  if ((BEARER_13_SPELLINGS as readonly string[]).includes(uri) || uri === NO_PROOF_KEY_2005) return "Bearer";
  // The 2005 Bearer constant exists in libraries though not on the wire (digest §1.3 item 3); accept it.
  if (uri === `${NS.wst2005}/Bearer`) return "Bearer";
  for (const base of [NS.wst13, NS.wst2005]) {
    if (uri === `${base}/PublicKey`) return "PublicKey";
    if (uri === `${base}/SymmetricKey`) return "SymmetricKey";
  }
  return undefined;
}

/** The binding named by a RequestType URI in the given version's namespace. */
export function bindingOfRequestType(version: TrustVersion, uri: string): Binding | undefined {
  const base = TRUST[version].base;
  for (const b of ["Issue", "Renew", "Cancel", "Validate", "STSCancel", "KET"] as Binding[]) {
    if (uri === `${base}/${b}`) return b;
  }
  return undefined;
}

/** The trust version whose namespace this is (1.3 and 1.4 share 200512: 1.3 is returned). */
export function trustVersionOfNamespace(ns: string | null | undefined): TrustVersion | undefined {
  if (ns === NS.wst2005) return "2005";
  if (ns === NS.wst13) return "1.3";
  return undefined;
}

export const TOKEN_TYPES = {
  saml11: "http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV1.1",
  saml20: "http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV2.0",
  x509v3: "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3",
  usernameToken: "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#UsernameToken",
  /** Microsoft aliases used by AD FS/WIF. */
  saml11Alias: "urn:oasis:names:tc:SAML:1.0:assertion",
  saml20Alias: "urn:oasis:names:tc:SAML:2.0:assertion",
} as const;

export type SamlVersion = "1.1" | "2.0";

/** Which SAML version a TokenType URI asks for (profile URI or Microsoft alias). */
export function samlVersionOfTokenType(uri: string): SamlVersion | undefined {
  if (uri === TOKEN_TYPES.saml11 || uri === TOKEN_TYPES.saml11Alias) return "1.1";
  if (uri === TOKEN_TYPES.saml20 || uri === TOKEN_TYPES.saml20Alias) return "2.0";
  return undefined;
}

export const SAML_KEY_IDENTIFIER_VALUE_TYPE = {
  "1.1": "http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.0#SAMLAssertionID",
  "2.0": "http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLID",
} as const;

export const CONFIRMATION_METHOD = {
  "1.1": {
    bearer: "urn:oasis:names:tc:SAML:1.0:cm:bearer",
    holderOfKey: "urn:oasis:names:tc:SAML:1.0:cm:holder-of-key",
    senderVouches: "urn:oasis:names:tc:SAML:1.0:cm:sender-vouches",
  },
  "2.0": {
    bearer: "urn:oasis:names:tc:SAML:2.0:cm:bearer",
    holderOfKey: "urn:oasis:names:tc:SAML:2.0:cm:holder-of-key",
    senderVouches: "urn:oasis:names:tc:SAML:2.0:cm:sender-vouches",
  },
} as const;

export const WSS = {
  base64Binary:
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary",
  passwordText: "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText",
  passwordDigest:
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest",
  x509v3: TOKEN_TYPES.x509v3,
  thumbprintSHA1: "http://docs.oasis-open.org/wss/oasis-wss-soap-message-security-1.1#ThumbprintSHA1",
} as const;

export const CLAIMS_DIALECT = {
  identity: "http://schemas.xmlsoap.org/ws/2005/05/identity",
  authclaims: "http://docs.oasis-open.org/wsfed/authorization/200706/authclaims",
} as const;

export const DSIG = {
  excC14n: "http://www.w3.org/2001/10/xml-exc-c14n#",
  excC14nWithComments: "http://www.w3.org/2001/10/xml-exc-c14n#WithComments",
  c14n: "http://www.w3.org/TR/2001/REC-xml-c14n-20010315",
  envelopedSignature: "http://www.w3.org/2000/09/xmldsig#enveloped-signature",
  rsaSha1: "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
  rsaSha256: "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
  rsaSha512: "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512",
  hmacSha1: "http://www.w3.org/2000/09/xmldsig#hmac-sha1",
  hmacSha256: "http://www.w3.org/2001/04/xmldsig-more#hmac-sha256",
  sha1: "http://www.w3.org/2000/09/xmldsig#sha1",
  sha256: "http://www.w3.org/2001/04/xmlenc#sha256",
  sha512: "http://www.w3.org/2001/04/xmlenc#sha512",
  rsaOaepMgf1p: "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p",
} as const;
