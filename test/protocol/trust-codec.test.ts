import { describe, expect, it } from "vitest";
import { CLAIMS_DIALECT, DSIG, NS, NO_PROOF_KEY_2005, SAML_KEY_IDENTIFIER_VALUE_TYPE, TOKEN_TYPES, TRUST, WSS, keyTypeName, type TrustVersion } from "../../protocol/namespaces.ts";
import { psha1 } from "../../protocol/psha1.ts";
import { buildEnvelope, parseEnvelope } from "../../protocol/soap.ts";
import type {
  RequestSecurityToken,
  RequestSecurityTokenCollection,
  RequestSecurityTokenResponse,
  RequestSecurityTokenResponseCollection,
  RequestedProofToken,
} from "../../protocol/trust/model.ts";
import {
  parseRequestSecurityToken,
  parseRequestSecurityTokenCollection,
  parseRequestSecurityTokenResponse,
  parseRequestSecurityTokenResponseCollection,
  parseTrustMessage,
} from "../../protocol/trust/parse.ts";
import {
  serializeRequestSecurityToken,
  serializeRequestSecurityTokenCollection,
  serializeRequestSecurityTokenResponse,
  serializeRequestSecurityTokenResponseCollection,
  trustPrefixes,
} from "../../protocol/trust/serialize.ts";
import { parseAddressingHeaders } from "../../protocol/wsa.ts";
import { findSecurityHeaders, parseSecurityHeader, parseSecurityTokenReference, samlTokenReference, securityTokenReferenceToId } from "../../protocol/wss.ts";
import { ModelError, isElement } from "../../protocol/xml/dom.ts";
import { XmlError, parseXml } from "../../protocol/xml/safe-parse.ts";
import { PREFIXES, XmlWriteError, el, raw, serialize, type XNode } from "../../protocol/xml/writer.ts";

const VERSIONS: TrustVersion[] = ["2005", "1.3", "1.4"];
const T0 = Date.UTC(2026, 0, 1, 10, 0, 0);

// ---------------------------------------------------------------------------------------------------------------
// Comparison helpers: payloads are compared by XML structure, parse-only fields are dropped.

/** Structural signature of an element: namespace, name, sorted non-xmlns attributes, text, children. */
function sig(e: Element): string {
  const attrs: string[] = [];
  for (let i = 0; i < e.attributes.length; i++) {
    const a = e.attributes.item(i)!;
    if (a.namespaceURI === NS.xmlns) continue;
    attrs.push(`{${a.namespaceURI ?? ""}}${a.localName}=${a.value}`);
  }
  attrs.sort();
  let inner = "";
  for (let c = e.firstChild; c; c = c.nextSibling) {
    if (isElement(c)) inner += sig(c);
    else if (c.nodeType === 3 || c.nodeType === 4) inner += (c as CharacterData).data.trim();
  }
  return `{${e.namespaceURI ?? ""}}${e.localName}[${attrs.join(",")}](${inner})`;
}

function nodeSig(n: XNode, v: TrustVersion): string {
  return sig(parseXml(typeof n === "object" && "raw" in n ? n.raw : serialize(n, trustPrefixes(v))).documentElement!);
}

const PAYLOAD_KEYS = new Set(["element", "node", "namespaceURI", "localName"]);

function norm(x: unknown, v: TrustVersion): unknown {
  if (Buffer.isBuffer(x)) return x.toString("base64");
  if (Array.isArray(x)) return x.map((y) => norm(y, v));
  if (!x || typeof x !== "object") return x;
  const o = x as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  const payload = Object.keys(o).every((k) => PAYLOAD_KEYS.has(k));
  for (const [k, val] of Object.entries(o)) {
    if (val === undefined || k === "createdText" || k === "expiresText") continue;
    if (k === "element") {
      if (payload) out.xml = sig(val as Element);
      continue;
    }
    if (k === "node") {
      out.xml = nodeSig(val as XNode, v);
      continue;
    }
    out[k] = norm(val, v);
  }
  return out;
}

/** Serialize as a standalone document with the version's prefixes, then parse with the safe parser. */
function reparse(node: XNode, v: TrustVersion): Element {
  return parseXml(serialize(node, trustPrefixes(v))).documentElement!;
}

/** 1.4 is only visible on the wire through 200802 elements; without one a 1.4 message reads back as 1.3. */
function expectedVersion(v: TrustVersion, has14: boolean): TrustVersion {
  return v === "1.4" && !has14 ? "1.3" : v;
}

// ---------------------------------------------------------------------------------------------------------------
// Fixtures built from the model

const assertion = (id: string) =>
  raw(`<saml2:Assertion xmlns:saml2="${NS.saml2}" ID="${id}" Version="2.0"><saml2:Issuer>https://sts</saml2:Issuer></saml2:Assertion>`);

function fullRst(v: TrustVersion): RequestSecurityToken {
  const T = TRUST[v];
  const withActAs = v === "1.4";
  return {
    version: v,
    context: "urn:uuid:ctx-1",
    requestType: T.requestType("Issue"),
    tokenType: TOKEN_TYPES.saml20,
    appliesTo: { address: "https://rp.example/app", policyNamespace: NS.wsp, addressingNamespace: NS.wsa },
    claims: {
      dialect: CLAIMS_DIALECT.identity,
      claimTypes: [
        { uri: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn", optional: false },
        { uri: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name", optional: true },
        { uri: "urn:no-optional" },
      ],
    },
    entropy: { binarySecret: { type: T.binarySecretType.Nonce, value: Buffer.alloc(32, 1) } },
    lifetime: { created: T0, expires: T0 + 3600_000 },
    allowPostdating: true,
    renewing: { allow: true, ok: false },
    onBehalfOf: { node: assertion("_obo") },
    ...(withActAs ? { actAs: { node: securityTokenReferenceToId("actas-token") } } : {}),
    issuer: { address: "https://idp.example/" },
    authenticationType: "urn:oasis:names:tc:SAML:1.0:am:password",
    keyType: T.keyType("SymmetricKey"),
    keySize: 256,
    signatureAlgorithm: DSIG.rsaSha256,
    encryptionAlgorithm: "http://www.w3.org/2001/04/xmlenc#aes256-cbc",
    canonicalizationAlgorithm: DSIG.excC14n,
    computedKeyAlgorithm: T.computedKeyPSHA1,
    keyWrapAlgorithm: DSIG.rsaOaepMgf1p,
    signWith: DSIG.hmacSha1,
    encryptWith: "http://www.w3.org/2001/04/xmlenc#aes128-cbc",
    encryption: { node: el("xenc:EncryptedKey", { Id: "ek1" }) },
    proofEncryption: { node: el("xenc:EncryptedKey", { Id: "ek2" }) },
    useKey: { key: { node: securityTokenReferenceToId("x509") }, sig: "sig-1" },
    delegateTo: { node: securityTokenReferenceToId("delegate") },
    forwardable: true,
    delegatable: false,
    secondaryParameters: {
      tokenType: TOKEN_TYPES.saml11,
      keySize: 512,
      claims: { dialect: CLAIMS_DIALECT.authclaims, claimTypes: [{ uri: "urn:role", optional: true, value: "admin" }] },
      extensions: [{ namespaceURI: "urn:x", localName: "Hint", node: raw(`<x:Hint xmlns:x="urn:x">h</x:Hint>`) }],
    },
    extensions: [{ namespaceURI: "urn:x", localName: "Unknown", node: raw(`<x:Unknown xmlns:x="urn:x" a="1"><x:c/></x:Unknown>`) }],
    extensionAttributes: { [`{${NS.fed}}hint`]: "yes", "{}plain": "p" },
  };
}

function targets(v: TrustVersion): RequestSecurityToken[] {
  const T = TRUST[v];
  return [
    { version: v, requestType: T.requestType("Renew"), renewTarget: { node: securityTokenReferenceToId("t1") }, lifetime: { expires: T0 } },
    { version: v, requestType: T.requestType("Cancel"), cancelTarget: { node: assertion("_c") } },
    { version: v, requestType: T.requestType("Validate"), tokenType: T.statusTokenType, validateTarget: { node: samlTokenReference("2.0", "_v") } },
    { version: v, requestType: T.requestType("Issue"), keyType: T.keyType("PublicKey"), useKey: { sig: "only-sig" } },
  ];
}

function fullRstr(v: TrustVersion, proof: RequestedProofToken): RequestSecurityTokenResponse {
  const T = TRUST[v];
  return {
    version: v,
    context: "urn:uuid:ctx-1",
    tokenType: TOKEN_TYPES.saml20,
    requestType: T.requestType("Issue"),
    keyType: T.keyType("SymmetricKey"),
    keySize: 256,
    lifetime: { created: T0, expires: T0 + 3600_000 },
    appliesTo: { address: "https://rp.example/app", policyNamespace: NS.wsp15, addressingNamespace: NS.wsa2004 },
    requestedSecurityToken: { node: assertion("_tok") },
    requestedAttachedReference: { node: samlTokenReference("2.0", "_tok") },
    requestedUnattachedReference: { node: samlTokenReference("2.0", "_tok") },
    requestedProofToken: proof,
    entropy: { binarySecret: { type: T.binarySecretType.Nonce, value: Buffer.alloc(32, 2) } },
    status: { code: T.statusValid, reason: "fine" },
    requestedTokenCancelled: true,
    renewing: { allow: false },
    allowPostdating: true,
    authenticationType: "urn:federation:authentication:windows",
    extensions: [{ namespaceURI: "urn:x", localName: "Extra", node: raw(`<x:Extra xmlns:x="urn:x"/>`) }],
    extensionAttributes: { [`{${NS.wsu}}Id`]: "rstr-1" },
  };
}

function proofs(v: TrustVersion): RequestedProofToken[] {
  const T = TRUST[v];
  return [
    { kind: "ComputedKey", algorithm: T.computedKeyPSHA1 },
    { kind: "BinarySecret", secret: { value: Buffer.alloc(32, 3) } },
    { kind: "BinarySecret", secret: { type: T.binarySecretType.SymmetricKey, value: Buffer.alloc(16, 4) } },
    { kind: "EncryptedKey", payload: { node: el("xenc:EncryptedKey", { Id: "pk" }, el("xenc:CipherData")) } },
    { kind: "SecurityTokenReference", payload: { node: securityTokenReferenceToId("proof") } },
  ];
}

// ---------------------------------------------------------------------------------------------------------------

describe.each(VERSIONS)("WS-Trust %s round trips", (v) => {
  const ns = v === "2005" ? NS.wst2005 : NS.wst13;

  it("RST with every element", () => {
    const rst = fullRst(v);
    const node = serializeRequestSecurityToken(rst);
    const e = reparse(node, v);
    expect(e.namespaceURI).toBe(ns);
    const back = parseRequestSecurityToken(e);
    expect(back.version).toBe(v);
    expect(norm(back, v)).toEqual(norm(rst, v));
    // A second trip gives the same structure (parsed payloads are written back from their DOM elements; xmldom
    // may self-close empty ones, so bytes can differ inside payloads).
    expect(sig(reparse(serializeRequestSecurityToken(back), v))).toBe(sig(e));
    if (v === "1.4") {
      const actAs = [...Array.from({ length: e.childNodes.length }, (_, i) => e.childNodes.item(i))].find(
        (c) => isElement(c) && c.localName === "ActAs",
      ) as Element;
      expect(actAs.namespaceURI).toBe(NS.wst14);
    }
  });

  it("RST for Renew / Cancel / Validate / PublicKey", () => {
    for (const rst of targets(v)) {
      const back = parseRequestSecurityToken(reparse(serializeRequestSecurityToken(rst), v));
      expect(norm(back, v)).toEqual(norm({ ...rst, version: expectedVersion(v, false) }, v));
    }
  });

  it("RSTR with every element, for each kind of proof token", () => {
    for (const p of proofs(v)) {
      const rstr = fullRstr(v, p);
      const e = reparse(serializeRequestSecurityTokenResponse(rstr), v);
      expect(e.namespaceURI).toBe(ns);
      const back = parseRequestSecurityTokenResponse(e);
      expect(norm(back, v)).toEqual(norm({ ...rstr, version: expectedVersion(v, false) }, v));
    }
  });

  it("RSTC and RSTRC", () => {
    const rstc: RequestSecurityTokenCollection = { version: v, requests: [fullRst(v), ...targets(v).slice(0, 1)] };
    const c = parseRequestSecurityTokenCollection(reparse(serializeRequestSecurityTokenCollection(rstc), v));
    expect(c.version).toBe(v);
    expect(c.requests).toHaveLength(2);
    expect(norm(c.requests[0], v)).toEqual(norm(rstc.requests[0], v));

    const rstrc: RequestSecurityTokenResponseCollection = {
      version: v,
      responses: [fullRstr(v, proofs(v)[0]!), { version: v, requestedTokenCancelled: true }],
    };
    const msg = parseTrustMessage(reparse(serializeRequestSecurityTokenResponseCollection(rstrc), v));
    expect(msg.kind).toBe("RSTRC");
    const back = msg.message as RequestSecurityTokenResponseCollection;
    expect(back.version).toBe(expectedVersion(v, false));
    expect(norm(back.responses, v)).toEqual(norm(rstrc.responses.map((r) => ({ ...r, version: expectedVersion(v, false) })), v));
  });

  it("minimal messages", () => {
    const rst: RequestSecurityToken = { version: v, requestType: TRUST[v].requestType("Issue") };
    const xml = serialize(serializeRequestSecurityToken(rst), trustPrefixes(v));
    const P = v === "2005" ? "t" : "wst";
    expect(xml).toBe(`<${P}:RequestSecurityToken xmlns:${P}="${ns}"><${P}:RequestType>${TRUST[v].requestType("Issue")}</${P}:RequestType></${P}:RequestSecurityToken>`);
    expect(parseTrustMessage(parseXml(xml).documentElement!)).toEqual({ kind: "RST", message: { ...rst, version: expectedVersion(v, false) } });
    const rstr = parseRequestSecurityTokenResponse(reparse(serializeRequestSecurityTokenResponse({ version: v }), v));
    expect(rstr).toEqual({ version: expectedVersion(v, false) });
  });

  it("the element is in the right namespace under PREFIXES too (the prefix is version-specific)", () => {
    const xml = serialize(serializeRequestSecurityToken({ version: v, requestType: "urn:x" }), PREFIXES);
    expect(parseXml(xml).documentElement!.namespaceURI).toBe(ns);
  });
});

describe("serializer details", () => {
  it("writes a RawXml payload byte for byte (a signed token must not change)", () => {
    const token = `<saml2:Assertion xmlns:saml2="${NS.saml2}" ID="_s"  Version="2.0">\n  <saml2:Issuer>x</saml2:Issuer><ds:Signature xmlns:ds="${NS.ds}"/>\r\n</saml2:Assertion>`;
    const xml = serialize(
      serializeRequestSecurityTokenResponseCollection({
        version: "1.3",
        responses: [{ version: "1.3", requestedSecurityToken: { node: raw(token) } }],
      }),
      trustPrefixes("1.3"),
    );
    expect(xml).toContain(`<wst:RequestedSecurityToken>${token}</wst:RequestedSecurityToken>`);
  });

  it("trustPrefixes binds wst per version and keeps the rest of PREFIXES", () => {
    expect(trustPrefixes("2005").wst).toBe(NS.wst2005);
    expect(trustPrefixes("1.3").wst).toBe(NS.wst13);
    expect(trustPrefixes("1.4").wst14).toBe(NS.wst14);
    expect(trustPrefixes("1.4").saml2).toBe(NS.saml2);
  });

  it("an empty RequestType is left out (how a test sends an RST without one); cardinalities are not enforced", () => {
    const xml = serialize(
      serializeRequestSecurityTokenCollection({ version: "1.3", requests: [{ version: "1.3", requestType: "" }] }),
      trustPrefixes("1.3"),
    );
    expect(xml).not.toContain("RequestType");
    expect(() => parseTrustMessage(parseXml(xml).documentElement!)).toThrow(ModelError);
  });

  it("extension attributes: {ns}local needs a known prefix; prefix:local passes through", () => {
    expect(() => serializeRequestSecurityToken({ version: "1.3", requestType: "x", extensionAttributes: { "{urn:nobody}a": "1" } })).toThrow(XmlWriteError);
    const node = serializeRequestSecurityToken({ version: "1.3", requestType: "x", extensionAttributes: { "x:foo": "1" } });
    const e = parseXml(serialize(node, { ...trustPrefixes("1.3"), x: "urn:t" })).documentElement!;
    expect(parseRequestSecurityToken(e).extensionAttributes).toEqual({ "{urn:t}foo": "1" });
  });

  it("ActAs in 200512 can be sent as an extension node (digest T02 negative test) and reads back as an extension", () => {
    const node = serializeRequestSecurityToken({
      version: "1.3",
      requestType: "x",
      extensions: [{ namespaceURI: NS.wst13, localName: "ActAs", node: el("wst:ActAs", [securityTokenReferenceToId("a")]) }],
    });
    const back = parseRequestSecurityToken(reparse(node, "1.3"));
    expect(back.version).toBe("1.3");
    expect(back.actAs).toBeUndefined();
    expect(back.extensions?.map((x) => `${x.namespaceURI}|${x.localName}`)).toEqual([`${NS.wst13}|ActAs`]);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Hand-written fixtures shaped like AD FS traffic (digest §2.3)

const ADFS_13_REQUEST = `<?xml version="1.0" encoding="utf-8"?>
<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://www.w3.org/2005/08/addressing" xmlns:u="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd">
  <s:Header>
    <a:Action s:mustUnderstand="1">http://docs.oasis-open.org/ws-sx/ws-trust/200512/RST/Issue</a:Action>
    <a:MessageID>urn:uuid:6e4f8a1c-2b7d-4a39-9b55-0c1d2e3f4a5b</a:MessageID>
    <a:ReplyTo><a:Address>http://www.w3.org/2005/08/addressing/anonymous</a:Address></a:ReplyTo>
    <a:To s:mustUnderstand="1">https://adfs.example.com/adfs/services/trust/13/usernamemixed</a:To>
    <o:Security s:mustUnderstand="1" xmlns:o="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd">
      <u:Timestamp u:Id="_0">
        <u:Created>2026-01-01T10:00:00.000Z</u:Created>
        <u:Expires>2026-01-01T10:05:00.000Z</u:Expires>
      </u:Timestamp>
      <o:UsernameToken u:Id="uuid-1b0a7c52-9f1e-4d0c-8f3e-7a6b5c4d3e2f-1">
        <o:Username>EXAMPLE\\alice</o:Username>
        <o:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText">P@ssw0rd</o:Password>
      </o:UsernameToken>
    </o:Security>
  </s:Header>
  <s:Body>
    <trust:RequestSecurityToken xmlns:trust="http://docs.oasis-open.org/ws-sx/ws-trust/200512">
      <wsp:AppliesTo xmlns:wsp="http://schemas.xmlsoap.org/ws/2004/09/policy">
        <a:EndpointReference>
          <a:Address>https://rp.example.com/app/</a:Address>
        </a:EndpointReference>
      </wsp:AppliesTo>
      <trust:Claims Dialect="http://schemas.xmlsoap.org/ws/2005/05/identity" xmlns:i="http://schemas.xmlsoap.org/ws/2005/05/identity">
        <i:ClaimType Uri="http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn" Optional="false"/>
        <i:ClaimType Uri="http://schemas.microsoft.com/ws/2008/06/identity/claims/role" Optional="true"/>
      </trust:Claims>
      <trust:KeyType>http://docs.oasis-open.org/ws-sx/ws-trust/200512/Bearer</trust:KeyType>
      <trust:RequestType>http://docs.oasis-open.org/ws-sx/ws-trust/200512/Issue</trust:RequestType>
      <trust:TokenType>urn:oasis:names:tc:SAML:2.0:assertion</trust:TokenType>
    </trust:RequestSecurityToken>
  </s:Body>
</s:Envelope>`;

const ADFS_13_RESPONSE = `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://www.w3.org/2005/08/addressing" xmlns:u="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd">
  <s:Header>
    <a:Action s:mustUnderstand="1">http://docs.oasis-open.org/ws-sx/ws-trust/200512/RSTRC/IssueFinal</a:Action>
    <a:RelatesTo>urn:uuid:6e4f8a1c-2b7d-4a39-9b55-0c1d2e3f4a5b</a:RelatesTo>
    <o:Security s:mustUnderstand="1" xmlns:o="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd">
      <u:Timestamp u:Id="_0"><u:Created>2026-01-01T10:00:01.123Z</u:Created><u:Expires>2026-01-01T10:05:01.123Z</u:Expires></u:Timestamp>
    </o:Security>
  </s:Header>
  <s:Body>
    <trust:RequestSecurityTokenResponseCollection xmlns:trust="http://docs.oasis-open.org/ws-sx/ws-trust/200512">
      <trust:RequestSecurityTokenResponse>
        <trust:Lifetime>
          <wsu:Created xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd">2026-01-01T10:00:01.123Z</wsu:Created>
          <wsu:Expires xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd">2026-01-01T11:00:01.123Z</wsu:Expires>
        </trust:Lifetime>
        <wsp:AppliesTo xmlns:wsp="http://schemas.xmlsoap.org/ws/2004/09/policy">
          <wsa:EndpointReference xmlns:wsa="http://www.w3.org/2005/08/addressing"><wsa:Address>https://rp.example.com/app/</wsa:Address></wsa:EndpointReference>
        </wsp:AppliesTo>
        <trust:RequestedSecurityToken>
          <Assertion ID="_d71a3a8e-9fcc-45ad-b9e8-4e4c2b7f0c11" IssueInstant="2026-01-01T10:00:01.123Z" Version="2.0" xmlns="urn:oasis:names:tc:SAML:2.0:assertion"><Issuer>http://adfs.example.com/adfs/services/trust</Issuer></Assertion>
        </trust:RequestedSecurityToken>
        <trust:RequestedAttachedReference>
          <SecurityTokenReference b:TokenType="http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV2.0" xmlns="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd" xmlns:b="http://docs.oasis-open.org/wss/oasis-wss-wssecurity-secext-1.1.xsd"><KeyIdentifier ValueType="http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLID">_d71a3a8e-9fcc-45ad-b9e8-4e4c2b7f0c11</KeyIdentifier></SecurityTokenReference>
        </trust:RequestedAttachedReference>
        <trust:RequestedUnattachedReference>
          <SecurityTokenReference b:TokenType="http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV2.0" xmlns="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd" xmlns:b="http://docs.oasis-open.org/wss/oasis-wss-wssecurity-secext-1.1.xsd"><KeyIdentifier ValueType="http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLID">_d71a3a8e-9fcc-45ad-b9e8-4e4c2b7f0c11</KeyIdentifier></SecurityTokenReference>
        </trust:RequestedUnattachedReference>
        <trust:TokenType>urn:oasis:names:tc:SAML:2.0:assertion</trust:TokenType>
        <trust:RequestType>http://docs.oasis-open.org/ws-sx/ws-trust/200512/Issue</trust:RequestType>
        <trust:KeyType>http://docs.oasis-open.org/ws-sx/ws-trust/200512/Bearer</trust:KeyType>
      </trust:RequestSecurityTokenResponse>
    </trust:RequestSecurityTokenResponseCollection>
  </s:Body>
</s:Envelope>`;

/** extSTS.srf / AD FS 2005 endpoint shape: NoProofKey, old 2004/08 addressing inside AppliesTo (MS-MWBF §4.3). */
const ADFS_2005_REQUEST = `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://www.w3.org/2005/08/addressing">
  <s:Header><a:Action s:mustUnderstand="1">http://schemas.xmlsoap.org/ws/2005/02/trust/RST/Issue</a:Action></s:Header>
  <s:Body>
    <t:RequestSecurityToken xmlns:t="http://schemas.xmlsoap.org/ws/2005/02/trust">
      <wsp:AppliesTo xmlns:wsp="http://schemas.xmlsoap.org/ws/2004/09/policy">
        <wsa:EndpointReference xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing"><wsa:Address>urn:federation:MicrosoftOnline</wsa:Address></wsa:EndpointReference>
      </wsp:AppliesTo>
      <t:KeyType>http://schemas.xmlsoap.org/ws/2005/05/identity/NoProofKey</t:KeyType>
      <t:RequestType>http://schemas.xmlsoap.org/ws/2005/02/trust/Issue</t:RequestType>
    </t:RequestSecurityToken>
  </s:Body>
</s:Envelope>`;

/** Bare 2005 RSTR with a SAML 1.1 token (OpenAM AD FS emulation / WS-Fed wresult shape). */
const ADFS_2005_RSTR = `<t:RequestSecurityTokenResponse xmlns:t="http://schemas.xmlsoap.org/ws/2005/02/trust">
  <t:Lifetime><wsu:Created xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd">2026-01-01T10:00:00.1234567Z</wsu:Created><wsu:Expires xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd">2026-01-01T18:00:00Z</wsu:Expires></t:Lifetime>
  <wsp:AppliesTo xmlns:wsp="http://schemas.xmlsoap.org/ws/2004/09/policy"><wsa:EndpointReference xmlns:wsa="http://www.w3.org/2005/08/addressing"><wsa:Address>https://rp.example.com/</wsa:Address></wsa:EndpointReference></wsp:AppliesTo>
  <t:RequestedSecurityToken><saml:Assertion MajorVersion="1" MinorVersion="1" AssertionID="_7c1f" Issuer="http://adfs.example.com/adfs/services/trust" IssueInstant="2026-01-01T10:00:00.123Z" xmlns:saml="urn:oasis:names:tc:SAML:1.0:assertion"/></t:RequestedSecurityToken>
  <t:TokenType>urn:oasis:names:tc:SAML:1.0:assertion</t:TokenType>
  <t:RequestType>http://schemas.xmlsoap.org/ws/2005/02/trust/Issue</t:RequestType>
  <t:KeyType>http://schemas.xmlsoap.org/ws/2005/05/identity/NoProofKey</t:KeyType>
</t:RequestSecurityTokenResponse>`;

/** Symmetric key with requestor entropy (CXF STSClient / WCF default) and the issuer's computed-key answer. */
const SYMMETRIC_REQUEST = `<wst:RequestSecurityToken Context="urn:uuid:sym" xmlns:wst="http://docs.oasis-open.org/ws-sx/ws-trust/200512">
  <wst:RequestType>http://docs.oasis-open.org/ws-sx/ws-trust/200512/Issue</wst:RequestType>
  <wst:TokenType>http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV2.0</wst:TokenType>
  <wst:KeyType>http://docs.oasis-open.org/ws-sx/ws-trust/200512/SymmetricKey</wst:KeyType>
  <wst:KeySize>256</wst:KeySize>
  <wst:Entropy><wst:BinarySecret Type="http://docs.oasis-open.org/ws-sx/ws-trust/200512/Nonce">AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=</wst:BinarySecret></wst:Entropy>
  <wst:ComputedKeyAlgorithm>http://docs.oasis-open.org/ws-sx/ws-trust/200512/CK/PSHA1</wst:ComputedKeyAlgorithm>
</wst:RequestSecurityToken>`;

const SYMMETRIC_RESPONSE = `<wst:RequestSecurityTokenResponseCollection xmlns:wst="http://docs.oasis-open.org/ws-sx/ws-trust/200512">
  <wst:RequestSecurityTokenResponse Context="urn:uuid:sym">
    <wst:RequestedProofToken><wst:ComputedKey>http://docs.oasis-open.org/ws-sx/ws-trust/200512/CK/PSHA1</wst:ComputedKey></wst:RequestedProofToken>
    <wst:Entropy><wst:BinarySecret Type="http://docs.oasis-open.org/ws-sx/ws-trust/200512/Nonce">ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=</wst:BinarySecret></wst:Entropy>
    <wst:KeySize>256</wst:KeySize>
  </wst:RequestSecurityTokenResponse>
</wst:RequestSecurityTokenResponseCollection>`;

describe("AD FS-shaped messages (digest §2.3)", () => {
  it("AD FS 1.3 UsernameMixed request: addressing, WSS header, RST", () => {
    const env = parseEnvelope(ADFS_13_REQUEST);
    expect(env.version).toBe("1.2");
    const wsa = parseAddressingHeaders(env.headers);
    expect(wsa.action).toBe(TRUST["1.3"].requestAction("Issue"));
    expect(wsa.replyTo).toBe("http://www.w3.org/2005/08/addressing/anonymous");
    const sec = parseSecurityHeader(findSecurityHeaders(env.headers)[0]!);
    expect(sec.timestamp?.violations).toEqual([]);
    expect(sec.usernameTokens[0]).toMatchObject({ username: "EXAMPLE\\alice", password: "P@ssw0rd", passwordType: WSS.passwordText, violations: [] });
    const msg = parseTrustMessage(env.bodyChild!);
    expect(msg.kind).toBe("RST");
    const rst = msg.message as RequestSecurityToken;
    expect(rst).toMatchObject({
      version: "1.3",
      requestType: TRUST["1.3"].requestType("Issue"),
      tokenType: TOKEN_TYPES.saml20Alias,
      appliesTo: { address: "https://rp.example.com/app/", policyNamespace: NS.wsp, addressingNamespace: NS.wsa },
      claims: {
        dialect: CLAIMS_DIALECT.identity,
        claimTypes: [
          { uri: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn", optional: false },
          { uri: "http://schemas.microsoft.com/ws/2008/06/identity/claims/role", optional: true },
        ],
      },
    });
    expect(keyTypeName(rst.keyType!)).toBe("Bearer");
    expect(rst.extensions).toBeUndefined();
    expect(rst.extensionAttributes).toBeUndefined();
  });

  it("AD FS 1.3 response: RSTRC with Lifetime, token, SAMLID references", () => {
    const env = parseEnvelope(ADFS_13_RESPONSE);
    expect(parseAddressingHeaders(env.headers).action).toBe(TRUST["1.3"].finalResponseAction("Issue"));
    const msg = parseTrustMessage(env.bodyChild!);
    expect(msg.kind).toBe("RSTRC");
    const [r] = (msg.message as RequestSecurityTokenResponseCollection).responses;
    expect(r!.lifetime).toMatchObject({ created: T0 + 1123, expires: T0 + 3600_000 + 1123, createdText: "2026-01-01T10:00:01.123Z" });
    expect(r!.requestedSecurityToken?.element?.localName).toBe("Assertion");
    expect(r!.requestedSecurityToken?.element?.namespaceURI).toBe(NS.saml2);
    const str = parseSecurityTokenReference(r!.requestedAttachedReference!.element!);
    expect(str.tokenType).toBe(TOKEN_TYPES.saml20);
    expect(str.keyIdentifier).toEqual({
      value: "_d71a3a8e-9fcc-45ad-b9e8-4e4c2b7f0c11",
      valueType: SAML_KEY_IDENTIFIER_VALUE_TYPE["2.0"],
      encodingType: undefined,
    });
    expect(parseSecurityTokenReference(r!.requestedUnattachedReference!.element!).keyIdentifier?.value).toBe(str.keyIdentifier?.value);
    expect(r!.tokenType).toBe(TOKEN_TYPES.saml20Alias);
    expect(keyTypeName(r!.keyType!)).toBe("Bearer");
    expect(r!.context).toBeUndefined();
  });

  it("2005 request (NoProofKey, 2004/08 addressing in AppliesTo) and bare 2005 RSTR", () => {
    const rst = parseTrustMessage(parseEnvelope(ADFS_2005_REQUEST).bodyChild!).message as RequestSecurityToken;
    expect(rst.version).toBe("2005");
    expect(rst.keyType).toBe(NO_PROOF_KEY_2005);
    expect(keyTypeName(rst.keyType!)).toBe("Bearer");
    expect(rst.appliesTo).toMatchObject({ address: "urn:federation:MicrosoftOnline", addressingNamespace: NS.wsa2004 });
    // Written back, the 2004/08 EPR keeps its namespace.
    const again = parseRequestSecurityToken(reparse(serializeRequestSecurityToken(rst), "2005"));
    expect(again.appliesTo?.addressingNamespace).toBe(NS.wsa2004);

    const msg = parseTrustMessage(parseXml(ADFS_2005_RSTR).documentElement!);
    expect(msg.kind).toBe("RSTR");
    const r = msg.message as RequestSecurityTokenResponse;
    expect(r.version).toBe("2005");
    expect(r.lifetime?.created).toBe(T0 + 123);
    expect(r.lifetime?.createdText).toBe("2026-01-01T10:00:00.1234567Z");
    expect(r.requestedSecurityToken?.element?.getAttribute("AssertionID")).toBe("_7c1f");
    expect(r.tokenType).toBe(TOKEN_TYPES.saml11Alias);
  });

  it("symmetric key with entropy: the computed key follows from both entropies (digest vector)", () => {
    const rst = parseRequestSecurityToken(parseXml(SYMMETRIC_REQUEST).documentElement!);
    expect(rst).toMatchObject({ context: "urn:uuid:sym", keySize: 256, computedKeyAlgorithm: TRUST["1.3"].computedKeyPSHA1 });
    const rstrc = parseRequestSecurityTokenResponseCollection(parseXml(SYMMETRIC_RESPONSE).documentElement!);
    const r = rstrc.responses[0]!;
    expect(r.context).toBe(rst.context);
    expect(r.requestedProofToken).toEqual({ kind: "ComputedKey", algorithm: TRUST["1.3"].computedKeyPSHA1 });
    const key = psha1(rst.entropy!.binarySecret!.value, r.entropy!.binarySecret!.value, r.keySize!);
    expect(key.toString("base64")).toBe("31kTLCr20jDkM3cyB2oUVhaUvhKDjMACA9Y8gWZT11s=");
  });

  it("a response built with the serializers parses like the AD FS one", () => {
    const v = "1.3";
    const T = TRUST[v];
    const body = serializeRequestSecurityTokenResponseCollection({
      version: v,
      responses: [
        {
          version: v,
          lifetime: { created: T0, expires: T0 + 3600_000 },
          appliesTo: { address: "https://rp.example.com/app/" },
          requestedSecurityToken: { node: assertion("_x") },
          requestedAttachedReference: { node: samlTokenReference("2.0", "_x") },
          requestedUnattachedReference: { node: samlTokenReference("2.0", "_x") },
          tokenType: TOKEN_TYPES.saml20,
          requestType: T.requestType("Issue"),
          keyType: T.keyType("Bearer"),
        },
      ],
    });
    const xml = buildEnvelope({ version: "1.2", body, prefixes: trustPrefixes(v) });
    const r = (parseTrustMessage(parseEnvelope(xml).bodyChild!).message as RequestSecurityTokenResponseCollection).responses[0]!;
    expect(r.appliesTo).toMatchObject({ address: "https://rp.example.com/app/", policyNamespace: NS.wsp, addressingNamespace: NS.wsa });
    expect(parseSecurityTokenReference(r.requestedAttachedReference!.element!).keyIdentifier?.value).toBe("_x");
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Hostile and malformed input

const W = NS.wst13;
function rstXml(inner: string, attrs = "", ns: string = W): string {
  return `<wst:RequestSecurityToken xmlns:wst="${ns}" xmlns:wst14="${NS.wst14}" xmlns:wsp="${NS.wsp}" xmlns:wsp15="${NS.wsp15}" xmlns:wsa="${NS.wsa}" xmlns:wsu="${NS.wsu}" xmlns:x="urn:x"${attrs}>${inner}</wst:RequestSecurityToken>`;
}
const RT = `<wst:RequestType>${W}/Issue</wst:RequestType>`;
const rst = (inner: string, attrs = "") => parseRequestSecurityToken(parseXml(rstXml(inner, attrs)).documentElement!);
const rstr = (inner: string) =>
  parseRequestSecurityTokenResponse(
    parseXml(`<wst:RequestSecurityTokenResponse xmlns:wst="${W}" xmlns:xenc="${NS.xenc}" xmlns:x="urn:x">${inner}</wst:RequestSecurityTokenResponse>`).documentElement!,
  );

function modelError(f: () => unknown, pattern?: RegExp): void {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err, "expected a ModelError").toBeInstanceOf(ModelError);
  if (pattern) expect((err as Error).message).toMatch(pattern);
}

describe("malformed WS-Trust input", () => {
  it("accepts children in any order", () => {
    const r = rst(`<wst:KeySize>128</wst:KeySize><x:Ext/><wst:TokenType>tt</wst:TokenType>${RT}`);
    expect(r).toMatchObject({ requestType: `${W}/Issue`, keySize: 128, tokenType: "tt" });
    expect(r.extensions?.map((e) => e.localName)).toEqual(["Ext"]);
  });

  it("duplicate known elements are ModelErrors", () => {
    modelError(() => rst(RT + RT), /RequestType occurs more than once/);
    modelError(() => rst(RT + `<wst:Lifetime/><wst:Lifetime/>`), /Lifetime/);
    modelError(() => rst(RT + `<wsp:AppliesTo/><wsp15:AppliesTo/>`), /AppliesTo/);
    modelError(() => rst(RT + `<wst:SecondaryParameters><wst:KeySize>1</wst:KeySize><wst:KeySize>2</wst:KeySize></wst:SecondaryParameters>`), /KeySize/);
    modelError(() => rstr(`<wst:Status><wst:Code>c</wst:Code></wst:Status><wst:Status><wst:Code>c</wst:Code></wst:Status>`), /Status/);
  });

  it("RequestType is required (and not empty)", () => {
    modelError(() => rst(`<wst:TokenType>t</wst:TokenType>`), /RequestType/);
    modelError(() => rst(`<wst:RequestType> </wst:RequestType>`), /RequestType/);
  });

  it("RSTC needs at least 2 RSTs and nothing else; RSTRC at least 1 RSTR and nothing else", () => {
    const one = `<wst:RequestSecurityTokenCollection xmlns:wst="${W}">${rstXml(RT)}</wst:RequestSecurityTokenCollection>`;
    modelError(() => parseTrustMessage(parseXml(one).documentElement!), /at least 2/);
    const two = `<wst:RequestSecurityTokenCollection xmlns:wst="${W}">${rstXml(RT)}${rstXml(RT + `<wst14:ActAs><x:t/></wst14:ActAs>`)}</wst:RequestSecurityTokenCollection>`;
    const c = parseTrustMessage(parseXml(two).documentElement!);
    expect(c.kind).toBe("RSTC");
    expect(c.message.version).toBe("1.4");
    const mixed = `<wst:RequestSecurityTokenCollection xmlns:wst="${W}">${rstXml(RT)}${rstXml(RT)}<x:y xmlns:x="urn:x"/></wst:RequestSecurityTokenCollection>`;
    modelError(() => parseTrustMessage(parseXml(mixed).documentElement!), /only RequestSecurityToken/);
    const empty = `<wst:RequestSecurityTokenResponseCollection xmlns:wst="${W}"/>`;
    modelError(() => parseTrustMessage(parseXml(empty).documentElement!), /at least one/);
    const rstInRstrc = `<wst:RequestSecurityTokenResponseCollection xmlns:wst="${W}">${rstXml(RT)}</wst:RequestSecurityTokenResponseCollection>`;
    modelError(() => parseTrustMessage(parseXml(rstInRstrc).documentElement!), /only RequestSecurityTokenResponse/);
    // 2005 RSTs inside a 1.3 collection are not its children.
    const cross = `<wst:RequestSecurityTokenCollection xmlns:wst="${W}">${rstXml(RT)}${rstXml(RT, "", NS.wst2005)}</wst:RequestSecurityTokenCollection>`;
    modelError(() => parseTrustMessage(parseXml(cross).documentElement!), /only RequestSecurityToken/);
  });

  it("RSTRC attributes (a Context there breaks T07) are reported as extension attributes", () => {
    const x = `<wst:RequestSecurityTokenResponseCollection xmlns:wst="${W}" Context="c"><wst:RequestSecurityTokenResponse/></wst:RequestSecurityTokenResponseCollection>`;
    expect(parseRequestSecurityTokenResponseCollection(parseXml(x).documentElement!).extensionAttributes).toEqual({ "{}Context": "c" });
  });

  it("BinarySecret must be strict base64; @Type is optional", () => {
    modelError(() => rst(RT + `<wst:Entropy><wst:BinarySecret>not base64!</wst:BinarySecret></wst:Entropy>`), /Entropy\/BinarySecret is not valid base64/);
    modelError(() => rst(RT + `<wst:Entropy><wst:BinarySecret>QUJ</wst:BinarySecret></wst:Entropy>`), /base64/);
    modelError(() => rstr(`<wst:RequestedProofToken><wst:BinarySecret>QR==</wst:BinarySecret></wst:RequestedProofToken>`), /base64/);
    const ok = rst(RT + `<wst:Entropy><wst:BinarySecret>\n  QUJD\n  REVG\n</wst:BinarySecret></wst:Entropy>`);
    expect(ok.entropy).toEqual({ binarySecret: { value: Buffer.from("ABCDEF") } });
    modelError(() => rst(RT + `<wst:Entropy><wst:BinarySecret>QUJD</wst:BinarySecret><wst:BinarySecret>QUJD</wst:BinarySecret></wst:Entropy>`));
    modelError(() => rst(RT + `<wst:Entropy><wst:BinarySecret>QUJD</wst:BinarySecret><x:EncryptedKey/></wst:Entropy>`));
    expect(rst(RT + `<wst:Entropy><x:EncryptedKey/></wst:Entropy>`).entropy?.other?.element?.localName).toBe("EncryptedKey");
  });

  it("Lifetime: invalid xs:dateTime names the field; unknown or repeated children refused", () => {
    modelError(() => rst(RT + `<wst:Lifetime><wsu:Created>tomorrow</wsu:Created></wst:Lifetime>`), /Lifetime\/Created/);
    modelError(() => rst(RT + `<wst:Lifetime><wsu:Expires>2026-01-01T10:00:00</wsu:Expires></wst:Lifetime>`), /Lifetime\/Expires/);
    modelError(() => rstr(`<wst:Lifetime><wsu:Created xmlns:wsu="${NS.wsu}">2026-13-01T00:00:00Z</wsu:Created></wst:Lifetime>`), /RequestSecurityTokenResponse\/Lifetime\/Created/);
    modelError(() => rst(RT + `<wst:Lifetime><x:When/></wst:Lifetime>`), /Lifetime/);
    modelError(() => rst(RT + `<wst:Lifetime><wsu:Created>2026-01-01T10:00:00Z</wsu:Created><wsu:Created>2026-01-01T10:00:00Z</wsu:Created></wst:Lifetime>`));
    expect(rst(RT + `<wst:Lifetime><wsu:Expires>2026-01-01T12:00:00+02:00</wsu:Expires></wst:Lifetime>`).lifetime).toEqual({
      expires: T0,
      expiresText: "2026-01-01T12:00:00+02:00",
    });
  });

  it("single-child wrappers: OnBehalfOf with 2 children, targets with none, text instead of an element", () => {
    modelError(() => rst(RT + `<wst:OnBehalfOf><x:a/><x:b/></wst:OnBehalfOf>`), /OnBehalfOf must hold exactly one element, found 2/);
    modelError(() => rst(RT + `<wst:RenewTarget/>`), /RenewTarget/);
    modelError(() => rst(RT + `<wst:CancelTarget>  </wst:CancelTarget>`), /CancelTarget/);
    modelError(() => rst(RT + `<wst:ValidateTarget><x:a/><x:b/></wst:ValidateTarget>`), /ValidateTarget/);
    modelError(() => rst(RT + `<wst:DelegateTo>token</wst:DelegateTo>`), /character data/);
    modelError(() => rst(RT + `<wst14:ActAs><x:a/><x:b/></wst14:ActAs>`), /ActAs/);
    modelError(() => rst(RT + `<wst:Encryption/>`), /Encryption/);
    modelError(() => rst(RT + `<wst:UseKey><x:a/><x:b/></wst:UseKey>`), /UseKey/);
    expect(rst(RT + `<wst:UseKey Sig="s"/>`).useKey).toEqual({ sig: "s" });
    modelError(() => rstr(`<wst:RequestedSecurityToken><x:a/><x:b/></wst:RequestedSecurityToken>`), /RequestedSecurityToken/);
    modelError(() => rstr(`<wst:RequestedAttachedReference/>`), /RequestedAttachedReference/);
  });

  it("ActAs only in 200802 and only in 200512 messages (digest T02)", () => {
    const r = rst(RT + `<wst:ActAs><x:t/></wst:ActAs>`);
    expect(r.version).toBe("1.3");
    expect(r.actAs).toBeUndefined();
    expect(r.extensions?.[0]?.localName).toBe("ActAs");
    const r14 = rst(RT + `<wst14:ActAs><x:t/></wst14:ActAs>`);
    expect(r14.version).toBe("1.4");
    expect(r14.actAs?.element?.localName).toBe("t");
    const in2005 = parseRequestSecurityToken(
      parseXml(rstXml(`<wst:RequestType>${NS.wst2005}/Issue</wst:RequestType><wst14:ActAs><x:t/></wst14:ActAs>`, "", NS.wst2005)).documentElement!,
    );
    expect(in2005.version).toBe("2005");
    expect(in2005.actAs).toBeUndefined();
    expect(in2005.extensions?.[0]?.namespaceURI).toBe(NS.wst14);
    // Other 200802 elements also mark 1.4.
    expect(rstr(`<wst14:InteractiveChallenge xmlns:wst14="${NS.wst14}"/>`).version).toBe("1.4");
  });

  it("xs:boolean and xs:unsignedInt", () => {
    expect(rst(RT + `<wst:Forwardable> 1 </wst:Forwardable><wst:Delegatable>0</wst:Delegatable>`)).toMatchObject({ forwardable: true, delegatable: false });
    expect(rst(RT + `<wst:Renewing Allow="false" OK="1"/>`).renewing).toEqual({ allow: false, ok: true });
    modelError(() => rst(RT + `<wst:Forwardable>yes</wst:Forwardable>`), /xs:boolean/);
    modelError(() => rst(RT + `<wst:Forwardable>TRUE</wst:Forwardable>`), /xs:boolean/);
    modelError(() => rst(RT + `<wst:Renewing OK="maybe"/>`), /Renewing\/@OK/);
    expect(rst(RT + `<wst:KeySize>+0256</wst:KeySize>`).keySize).toBe(256);
    expect(rst(RT + `<wst:KeySize>4294967295</wst:KeySize>`).keySize).toBe(4294967295);
    for (const bad of ["-1", "abc", "4294967296", "1.5", "", "1e3", "99999999999999999999999"]) {
      modelError(() => rst(RT + `<wst:KeySize>${bad}</wst:KeySize>`), /KeySize/);
    }
  });

  it("Claims: ClaimType needs Uri; Optional is xs:boolean; unknown dialect content is kept", () => {
    modelError(() => rst(RT + `<wst:Claims><ic:ClaimType xmlns:ic="${NS.ic}"/></wst:Claims>`), /Uri/);
    modelError(() => rst(RT + `<wst:Claims><ic:ClaimType xmlns:ic="${NS.ic}" Uri="u" Optional="perhaps"/></wst:Claims>`), /Optional/);
    const c = rst(RT + `<wst:Claims Dialect="urn:custom"><x:Want>all</x:Want></wst:Claims>`).claims!;
    expect(c.dialect).toBe("urn:custom");
    expect(c.claimTypes).toEqual([]);
    expect(c.element?.getElementsByTagNameNS("urn:x", "Want").length).toBe(1);
    const auth = rst(RT + `<wst:Claims Dialect="${CLAIMS_DIALECT.authclaims}"><auth:ClaimType xmlns:auth="${NS.auth}" Uri="u"><auth:Value>v</auth:Value></auth:ClaimType></wst:Claims>`);
    expect(auth.claims?.claimTypes).toEqual([{ uri: "u", value: "v" }]);
  });

  it("AppliesTo in both policy namespaces; EPR needs exactly one Address; Issuer needs one Address", () => {
    expect(rst(RT + `<wsp15:AppliesTo><wsa:EndpointReference><wsa:Address>a</wsa:Address></wsa:EndpointReference></wsp15:AppliesTo>`).appliesTo).toMatchObject({
      address: "a",
      policyNamespace: NS.wsp15,
    });
    modelError(() => rst(RT + `<wsp:AppliesTo><wsa:EndpointReference/></wsp:AppliesTo>`), /Address/);
    modelError(() => rst(RT + `<wsp:AppliesTo><wsa:EndpointReference><wsa:Address>a</wsa:Address></wsa:EndpointReference><wsa:EndpointReference><wsa:Address>b</wsa:Address></wsa:EndpointReference></wsp:AppliesTo>`));
    const noEpr = rst(RT + `<wsp:AppliesTo><x:Audience>urn:a</x:Audience></wsp:AppliesTo>`).appliesTo!;
    expect(noEpr.address).toBeUndefined();
    expect(noEpr.element?.localName).toBe("AppliesTo");
    expect(rst(RT + `<wst:Issuer><wsa:Address>https://i</wsa:Address></wst:Issuer>`).issuer).toEqual({ address: "https://i" });
    modelError(() => rst(RT + `<wst:Issuer/>`), /Issuer/);
  });

  it("RequestedProofToken holds exactly one known proof; Status needs one Code", () => {
    modelError(() => rstr(`<wst:RequestedProofToken><x:Key/></wst:RequestedProofToken>`), /not a proof token/);
    modelError(() => rstr(`<wst:RequestedProofToken><wst:ComputedKey>a</wst:ComputedKey><wst:ComputedKey>b</wst:ComputedKey></wst:RequestedProofToken>`), /RequestedProofToken/);
    modelError(() => rstr(`<wst:RequestedProofToken/>`), /RequestedProofToken/);
    expect(rstr(`<wst:RequestedProofToken><xenc:EncryptedKey/></wst:RequestedProofToken>`).requestedProofToken?.kind).toBe("EncryptedKey");
    modelError(() => rstr(`<wst:Status><wst:Reason>r</wst:Reason></wst:Status>`), /Code/);
    modelError(() => rstr(`<wst:Status><wst:Code>c</wst:Code><wst:Reason>a</wst:Reason><wst:Reason>b</wst:Reason></wst:Status>`), /Reason/);
    modelError(() => rstr(`<wst:TokenType><x:a/></wst:TokenType>`), /text only/);
  });

  it("SecondaryParameters is a partial RST, one level deep", () => {
    const r = rst(RT + `<wst:SecondaryParameters><wst:KeySize>512</wst:KeySize><x:Foo/></wst:SecondaryParameters><wst:KeySize>256</wst:KeySize>`);
    expect(r.keySize).toBe(256);
    expect(r.secondaryParameters?.keySize).toBe(512);
    expect(r.secondaryParameters?.extensions?.[0]?.localName).toBe("Foo");
    modelError(() => rst(RT + `<wst:SecondaryParameters><wst:SecondaryParameters/></wst:SecondaryParameters>`), /nested/);
  });

  it("unknown attributes become extensionAttributes (namespace declarations and Context do not)", () => {
    const r = rst(RT, ` Context="c" x:foo="1" bar="2" xml:lang="en"`);
    expect(r.context).toBe("c");
    expect(r.extensionAttributes).toEqual({ "{urn:x}foo": "1", "{}bar": "2", [`{${NS.xml}}lang`]: "en" });
  });

  it("element names that collide with Object.prototype are plain extensions", () => {
    const r = rst(RT + `<wst:constructor/><wst:__proto__/><wst:toString>x</wst:toString>`);
    expect(r.extensions?.map((e) => e.localName)).toEqual(["constructor", "__proto__", "toString"]);
  });

  it("non-trust elements are refused", () => {
    modelError(() => parseTrustMessage(parseXml(`<x:RequestSecurityToken xmlns:x="urn:x"/>`).documentElement!), /not a WS-Trust namespace/);
    modelError(() => parseTrustMessage(parseXml(`<wst:Foo xmlns:wst="${W}"/>`).documentElement!), /not a WS-Trust request/);
    modelError(() => parseRequestSecurityToken(parseXml(`<wst:RequestSecurityTokenResponse xmlns:wst="${W}"/>`).documentElement!));
  });

  it("IssuedTokens (RSTRC type) can be read", () => {
    const x = `<wst:IssuedTokens xmlns:wst="${W}"><wst:RequestSecurityTokenResponse><wst:TokenType>t</wst:TokenType></wst:RequestSecurityTokenResponse></wst:IssuedTokens>`;
    expect(parseRequestSecurityTokenResponseCollection(parseXml(x).documentElement!, "IssuedTokens").responses[0]?.tokenType).toBe("t");
  });

  it("deep nesting is refused by the safe parser before the model sees it", () => {
    const deep = rstXml(RT + `<wst:OnBehalfOf>${"<x:a>".repeat(10_000)}${"</x:a>".repeat(10_000)}</wst:OnBehalfOf>`);
    let err: unknown;
    try {
      parseEnvelope(`<s:Envelope xmlns:s="${NS.s12}"><s:Body>${deep}</s:Body></s:Envelope>`);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(XmlError);
    expect((err as XmlError).kind).toBe("too-deep");
  });

  it("parsing within the depth limit never throws anything but ModelError (small fuzz over fixtures)", () => {
    const fixtures = [SYMMETRIC_REQUEST, SYMMETRIC_RESPONSE, ADFS_2005_RSTR];
    let seed = 12345;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let i = 0; i < 400; i++) {
      const src = fixtures[rnd(fixtures.length)]!;
      // Delete a random slice: usually not well-formed (XmlError), sometimes a structurally broken message.
      const a = rnd(src.length);
      const b = Math.min(src.length, a + rnd(40));
      const mutated = src.slice(0, a) + src.slice(b);
      let doc: Document;
      try {
        doc = parseXml(mutated);
      } catch (e) {
        expect(e).toBeInstanceOf(XmlError);
        continue;
      }
      try {
        parseTrustMessage(doc.documentElement!);
      } catch (e) {
        expect(e).toBeInstanceOf(ModelError);
      }
    }
  });
});
