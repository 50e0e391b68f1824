import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { decodeBase64Strict } from "../../protocol/base64.ts";
import { NS, SAML_KEY_IDENTIFIER_VALUE_TYPE, TOKEN_TYPES, WSS } from "../../protocol/namespaces.ts";
import { psha1 } from "../../protocol/psha1.ts";
import { buildEnvelope, parseEnvelope } from "../../protocol/soap.ts";
import {
  buildSecurityHeader,
  checkPasswordDigest,
  checkPasswordText,
  findOwnSecurityHeaders,
  findSecurityHeaders,
  parseSecurityHeader,
  parseSecurityTokenReference,
  passwordDigest,
  samlTokenReference,
  securityTokenReferenceKeyIdentifier,
  securityTokenReferenceToId,
  type ParsedUsernameToken,
} from "../../protocol/wss.ts";
import { ModelError } from "../../protocol/xml/dom.ts";
import { parseXml } from "../../protocol/xml/safe-parse.ts";
import { el, serialize } from "../../protocol/xml/writer.ts";

const T0 = Date.UTC(2026, 0, 1, 10, 0, 0);

/** Parse a Security header written by hand (prefixes wsse/wsu/s declared on it). */
function sec(inner: string, attrs = ""): Element {
  return parseXml(
    `<wsse:Security xmlns:wsse="${NS.wsse}" xmlns:wsu="${NS.wsu}" xmlns:wsse11="${NS.wsse11}"${attrs}>${inner}</wsse:Security>`,
  ).documentElement!;
}

describe("PasswordDigest (UsernameToken Profile 1.1, digest §4.2 vectors)", () => {
  const nonce = Buffer.from("WScqanjCEAC4mQoBE07sAQ==", "base64");
  const created = "2003-07-16T01:24:32Z";

  it("hashes the decoded nonce bytes + Created text + password", () => {
    expect(passwordDigest(nonce, created, "test")).toBe("VfGuN1upOK+H/dprkxTNTLSqBR8=");
  });

  it("the base64-text bug gives the other vector, so the two are told apart", () => {
    const buggy = createHash("sha1").update("WScqanjCEAC4mQoBE07sAQ==" + created + "test").digest("base64");
    expect(buggy).toBe("ktyYoYfA4UWW5dPRMyoRdwW+HI8=");
    expect(passwordDigest(Buffer.from("WScqanjCEAC4mQoBE07sAQ==", "utf8"), created, "test")).toBe("ktyYoYfA4UWW5dPRMyoRdwW+HI8=");
  });

  it("omits absent parts", () => {
    expect(passwordDigest(undefined, undefined, "p")).toBe(createHash("sha1").update("p").digest("base64"));
  });

  it("checkPasswordDigest accepts only a digest token with the right password", () => {
    const tok: ParsedUsernameToken = {
      username: "u",
      password: "VfGuN1upOK+H/dprkxTNTLSqBR8=",
      passwordType: WSS.passwordDigest,
      nonce,
      createdText: created,
      violations: [],
    };
    expect(checkPasswordDigest(tok, "test")).toBe(true);
    expect(checkPasswordDigest(tok, "tesT")).toBe(false);
    expect(checkPasswordDigest({ ...tok, password: "ktyYoYfA4UWW5dPRMyoRdwW+HI8=" }, "test")).toBe(false);
    expect(checkPasswordDigest({ ...tok, passwordType: WSS.passwordText }, "test")).toBe(false);
    expect(checkPasswordDigest({ ...tok, password: undefined }, "test")).toBe(false);
    expect(checkPasswordDigest({ ...tok, password: "short" }, "test")).toBe(false);
    expect(checkPasswordText({ ...tok, passwordType: undefined, password: "pw" }, "pw")).toBe(true);
    expect(checkPasswordText({ ...tok, passwordType: WSS.passwordText, password: "pw" }, "pw2")).toBe(false);
    expect(checkPasswordText(tok, "VfGuN1upOK+H/dprkxTNTLSqBR8=")).toBe(false);
  });
});

describe("PSHA1 computed key (digest §2.3 vector)", () => {
  const req = Buffer.from("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", "base64");
  const iss = Buffer.from("ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=", "base64");

  it("secret = requestor entropy, seed = issuer entropy", () => {
    expect(psha1(req, iss, 256).toString("base64")).toBe("31kTLCr20jDkM3cyB2oUVhaUvhKDjMACA9Y8gWZT11s=");
    expect(psha1(iss, req, 256).toString("base64")).toBe("hI7WtVY3XXixHFVoWO1Hv0z2VmdzzSJEc0jV9P95i54=");
  });

  it("sizes that are not multiples of 160 bits are prefixes of the longer output", () => {
    const long = psha1(req, iss, 1024);
    expect(long.length).toBe(128);
    for (const bits of [128, 192, 256, 328, 512, 1000]) {
      const k = psha1(req, iss, bits);
      expect(k.length).toBe(bits / 8);
      expect(k.equals(long.subarray(0, bits / 8))).toBe(true);
    }
    expect(psha1(req, iss, 16384).length).toBe(2048);
  });

  it("refuses out-of-range key sizes and entropy", () => {
    expect(() => psha1(req, iss, 120)).toThrow(RangeError);
    expect(() => psha1(req, iss, 16392)).toThrow(RangeError);
    expect(() => psha1(req, iss, 257)).toThrow(RangeError);
    expect(() => psha1(req, iss, 256.5)).toThrow(RangeError);
    expect(() => psha1(req, iss, Number.NaN)).toThrow(RangeError);
    expect(() => psha1(req.subarray(0, 15), iss, 256)).toThrow(RangeError);
    expect(() => psha1(req, Buffer.alloc(0), 256)).toThrow(RangeError);
    expect(() => psha1(Buffer.alloc(16 * 1024 + 1), iss, 256)).toThrow(RangeError);
  });
});

describe("strict base64", () => {
  it("accepts canonical base64 with XML whitespace and refuses junk, bad padding and trailing bits", () => {
    expect(decodeBase64Strict("QUJD")?.toString()).toBe("ABC");
    expect(decodeBase64Strict(" QU\nJD\r\n ")?.toString()).toBe("ABC");
    expect(decodeBase64Strict("")?.length).toBe(0);
    expect(decodeBase64Strict("QUI=")?.toString()).toBe("AB");
    for (const bad of ["QUJ", "QU=D", "QUJD=", "Q!JD", "QUJ-", "QUI==", "QUJ=", "QR==", "====", "QUJD\u00a0"]) {
      expect(decodeBase64Strict(bad), bad).toBeUndefined();
    }
  });
});

describe("building the Security header", () => {
  it("writes Timestamp with wsu:Id, BST, UsernameToken with Password @Type, Nonce EncodingType; mustUnderstand", () => {
    const nonce = Buffer.alloc(16, 7);
    const h = buildSecurityHeader({
      version: "1.2",
      timestamp: { created: T0, expires: T0 + 300_000 },
      usernameToken: { id: "ut", username: "alice", password: "pw", passwordType: "digest", nonce, created: T0 },
      binarySecurityTokens: [{ id: "x509", valueType: WSS.x509v3, value: Buffer.from("cert") }],
      extra: [el("wsse:SecurityTokenReference")],
    });
    const xml = buildEnvelope({ version: "1.2", headers: [h], body: [] });
    expect(xml).toContain(`<wsse:Security xmlns:wsse="${NS.wsse}" s:mustUnderstand="1">`);
    expect(xml).toContain(`wsu:Id="_0"><wsu:Created>2026-01-01T10:00:00Z</wsu:Created><wsu:Expires>2026-01-01T10:05:00Z</wsu:Expires></wsu:Timestamp>`);
    expect(xml).toContain(`<wsse:Nonce EncodingType="${WSS.base64Binary}">`);
    const env = parseEnvelope(xml);
    const [own] = findOwnSecurityHeaders(env.headers);
    const p = parseSecurityHeader(own!);
    expect(p.timestamp).toMatchObject({ id: "_0", created: T0, expires: T0 + 300_000, violations: [] });
    expect(p.binarySecurityTokens).toHaveLength(1);
    expect(p.binarySecurityTokens[0]).toMatchObject({ id: "x509", valueType: WSS.x509v3, encodingType: WSS.base64Binary });
    expect(p.binarySecurityTokens[0]!.value.toString()).toBe("cert");
    const ut = p.usernameTokens[0]!;
    expect(ut).toMatchObject({ id: "ut", username: "alice", passwordType: WSS.passwordDigest, createdText: "2026-01-01T10:00:00Z", created: T0, violations: [] });
    expect(ut.nonce?.equals(nonce)).toBe(true);
    expect(checkPasswordDigest(ut, "pw")).toBe(true);
    expect(p.others.map((o) => o.localName)).toEqual(["SecurityTokenReference"]);
  });

  it("PasswordText is the default and always carries @Type; SOAP 1.1 mustUnderstand; opt-out", () => {
    const h = buildSecurityHeader({ version: "1.1", usernameToken: { username: "bob", password: "secret" } });
    const xml = serialize(h);
    expect(xml).toContain(`s11:mustUnderstand="1"`);
    expect(xml).toContain(`<wsse:Password Type="${WSS.passwordText}">secret</wsse:Password>`);
    expect(serialize(buildSecurityHeader({ version: "1.2", mustUnderstand: false }))).toBe(`<wsse:Security xmlns:wsse="${NS.wsse}"></wsse:Security>`);
    expect(() => buildSecurityHeader({ version: "1.2", usernameToken: { username: "x", passwordType: "digest" } })).toThrow();
  });

  it("STR builders: direct reference and SAML KeyIdentifier with TokenType, no EncodingType", () => {
    expect(serialize(securityTokenReferenceToId("x509", WSS.x509v3))).toBe(
      `<wsse:SecurityTokenReference xmlns:wsse="${NS.wsse}"><wsse:Reference URI="#x509" ValueType="${WSS.x509v3}"></wsse:Reference></wsse:SecurityTokenReference>`,
    );
    const saml = serialize(samlTokenReference("2.0", "_abc"));
    expect(saml).toBe(
      `<wsse:SecurityTokenReference xmlns:wsse="${NS.wsse}" xmlns:wsse11="${NS.wsse11}" wsse11:TokenType="${TOKEN_TYPES.saml20}">` +
        `<wsse:KeyIdentifier ValueType="${SAML_KEY_IDENTIFIER_VALUE_TYPE["2.0"]}">_abc</wsse:KeyIdentifier></wsse:SecurityTokenReference>`,
    );
    const parsed = parseSecurityTokenReference(parseXml(saml).documentElement!);
    expect(parsed).toMatchObject({ tokenType: TOKEN_TYPES.saml20, keyIdentifier: { value: "_abc", valueType: SAML_KEY_IDENTIFIER_VALUE_TYPE["2.0"] } });
    expect(parsed.keyIdentifier?.encodingType).toBeUndefined();
    const s11 = serialize(samlTokenReference("1.1", "_x"));
    expect(s11).toContain(TOKEN_TYPES.saml11);
    expect(s11).toContain(SAML_KEY_IDENTIFIER_VALUE_TYPE["1.1"]);
    const ski = serialize(securityTokenReferenceKeyIdentifier("AAAA", "urn:ski", undefined, { encodingType: WSS.base64Binary }));
    expect(ski).toContain(`EncodingType="${WSS.base64Binary}"`);
    const ref = parseSecurityTokenReference(parseXml(serialize(securityTokenReferenceToId("a"))).documentElement!);
    expect(ref.reference).toEqual({ uri: "#a", valueType: undefined });
  });
});

describe("parsing the Security header (BSP rules)", () => {
  const ts = (inner: string, a = "") => `<wsu:Timestamp wsu:Id="TS"${a}>${inner}</wsu:Timestamp>`;
  const created = "<wsu:Created>2026-01-01T10:00:00Z</wsu:Created>";
  const expires = "<wsu:Expires>2026-01-01T10:05:00Z</wsu:Expires>";

  it("a clean Timestamp has no violations", () => {
    const p = parseSecurityHeader(sec(ts(created + expires)));
    expect(p.timestamp).toMatchObject({ id: "TS", created: T0, createdText: "2026-01-01T10:00:00Z", expiresText: "2026-01-01T10:05:00Z", violations: [] });
  });

  it("records BSP Timestamp violations", () => {
    const v = (inner: string) => parseSecurityHeader(sec(ts(inner))).timestamp!.violations;
    expect(v(created + created)).toEqual(["R3203"]);
    expect(v(created + expires + expires)).toEqual(["R3224"]);
    expect(v(created + "<wsse:Other/>")).toEqual(["R3222"]);
    expect(v(created + "stray text")).toEqual(["R3222"]);
    expect(v("<wsu:Created>2026-01-01T10:05:00Z</wsu:Created>" + "<wsu:Expires>2026-01-01T10:00:00Z</wsu:Expires>")).toEqual(["R3221"]);
    expect(v(created + "<wsu:Expires>2026-01-01T10:00:00Z</wsu:Expires>")).toEqual(["R3221"]);
    expect(v("<wsu:Created>2026-01-01T11:00:00+01:00</wsu:Created>")).toEqual(["R3217"]);
    expect(v("<wsu:Created>2026-01-01T10:00:00.1234567Z</wsu:Created>")).toEqual(["R3220"]);
    expect(v(`<wsu:Created ValueType="x">2026-01-01T10:00:00Z</wsu:Created>`)).toEqual(["R3225"]);
    expect(v(created + `<wsu:Expires ValueType="x">2026-01-01T10:05:00.0001Z</wsu:Expires>`)).toEqual(["R3229", "R3226"]);
  });

  it("uninterpretable Timestamps and a second Timestamp (R3227) are ModelErrors naming the rule", () => {
    expect(() => parseSecurityHeader(sec(ts(expires)))).toThrow(/R3203/);
    expect(() => parseSecurityHeader(sec(ts("<wsu:Created>2026-01-01T10:00:60Z</wsu:Created>")))).toThrow(/R3213/);
    expect(() => parseSecurityHeader(sec(ts(created + "<wsu:Expires>soon</wsu:Expires>")))).toThrow(/R3215/);
    expect(() => parseSecurityHeader(sec(ts(created) + ts(created)))).toThrow(/R3227/);
    expect(() => parseSecurityHeader(sec(ts("<wsu:Created><x/></wsu:Created>")))).toThrow(ModelError);
  });

  it("records BSP UsernameToken violations and keeps Created exactly as sent", () => {
    const ut = (inner: string) => parseSecurityHeader(sec(`<wsse:UsernameToken>${inner}</wsse:UsernameToken>`)).usernameTokens[0]!;
    const u = "<wsse:Username> alice </wsse:Username>";
    expect(ut(u + "<wsse:Password>pw</wsse:Password>")).toMatchObject({ username: "alice", password: "pw", passwordType: undefined, violations: ["R4201"] });
    expect(ut(u + `<wsse:Password Type="t">a</wsse:Password><wsse:Password Type="t">b</wsse:Password>`).violations).toEqual(["R4222"]);
    expect(ut(u + "<wsse:Nonce>AAAAAAAAAAAAAAAAAAAAAA==</wsse:Nonce>").violations).toEqual(["R4220"]);
    expect(ut(u + `<wsse:Nonce EncodingType="hex">AAAA</wsse:Nonce>`).violations).toEqual(["R4221"]);
    const n = `<wsse:Nonce EncodingType="${WSS.base64Binary}">AAAA</wsse:Nonce>`;
    expect(ut(u + n + n).violations).toEqual(["R4223"]);
    const c = "<wsu:Created> 2026-01-01T10:00:00Z</wsu:Created>";
    const t = ut(u + c + c);
    expect(t.violations).toEqual(["R4225"]);
    expect(t.createdText).toBe(" 2026-01-01T10:00:00Z");
    expect(t.created).toBe(T0);
    const bad = ut(u + "<wsu:Created>nope</wsu:Created>");
    expect(bad.createdText).toBe("nope");
    expect(bad.created).toBeUndefined();
  });

  it("UsernameToken without a single Username, or with bad Nonce base64, is a ModelError", () => {
    expect(() => parseSecurityHeader(sec("<wsse:UsernameToken/>"))).toThrow(ModelError);
    expect(() => parseSecurityHeader(sec("<wsse:UsernameToken><wsse:Username>a</wsse:Username><wsse:Username>b</wsse:Username></wsse:UsernameToken>"))).toThrow(ModelError);
    expect(() =>
      parseSecurityHeader(sec(`<wsse:UsernameToken><wsse:Username>a</wsse:Username><wsse:Nonce EncodingType="${WSS.base64Binary}">!!</wsse:Nonce></wsse:UsernameToken>`)),
    ).toThrow(/Nonce/);
  });

  it("BinarySecurityToken: base64 with line breaks accepted; no ValueType, other encodings, bad base64 refused", () => {
    const bst = (a: string, v: string) => `<wsse:BinarySecurityToken ${a}>${v}</wsse:BinarySecurityToken>`;
    const p = parseSecurityHeader(sec(bst(`ValueType="${WSS.x509v3}"`, "QUJD\nREVG")));
    expect(p.binarySecurityTokens[0]!.value.toString()).toBe("ABCDEF");
    expect(p.binarySecurityTokens[0]!.encodingType).toBeUndefined();
    expect(() => parseSecurityHeader(sec(bst("", "QUJD")))).toThrow(/ValueType/);
    expect(() => parseSecurityHeader(sec(bst(`ValueType="v" EncodingType="hex"`, "QUJD")))).toThrow(/EncodingType/);
    expect(() => parseSecurityHeader(sec(bst(`ValueType="v"`, "QUJ")))).toThrow(/base64/);
  });

  it("sorts assertions, signatures and others; refuses text; reads actor/role", () => {
    const p = parseSecurityHeader(
      sec(
        `<saml:Assertion xmlns:saml="${NS.saml11}"/><saml2:Assertion xmlns:saml2="${NS.saml2}"/>` +
          `<ds:Signature xmlns:ds="${NS.ds}"/><xenc:EncryptedKey xmlns:xenc="${NS.xenc}"/>`,
        ` xmlns:s="${NS.s12}" s:role="urn:r"`,
      ),
    );
    expect(p.assertions).toHaveLength(2);
    expect(p.signatures).toHaveLength(1);
    expect(p.others.map((o) => o.localName)).toEqual(["EncryptedKey"]);
    expect(p.actor).toBe("urn:r");
    expect(() => parseSecurityHeader(sec("junk"))).toThrow(ModelError);
    expect(() => parseSecurityHeader(parseXml("<a/>").documentElement!)).toThrow(ModelError);
  });

  it("findSecurityHeaders lists every Security block; findOwnSecurityHeaders only the ultimate receiver's", () => {
    const xml = `<s:Envelope xmlns:s="${NS.s12}" xmlns:wsse="${NS.wsse}"><s:Header><wsse:Security/><wsse:Security s:role="urn:other"/><x:Security xmlns:x="urn:x"/></s:Header><s:Body/></s:Envelope>`;
    const env = parseEnvelope(xml);
    expect(findSecurityHeaders(env.headers)).toHaveLength(2);
    expect(findOwnSecurityHeaders(env.headers)).toHaveLength(1);
  });

  it("STR parsing refuses ambiguous or empty references", () => {
    const str = (inner: string) => parseXml(`<wsse:SecurityTokenReference xmlns:wsse="${NS.wsse}">${inner}</wsse:SecurityTokenReference>`).documentElement!;
    expect(() => parseSecurityTokenReference(str(""))).toThrow(ModelError);
    expect(() => parseSecurityTokenReference(str(`<wsse:Reference URI="#a"/><wsse:Reference URI="#b"/>`))).toThrow(ModelError);
    expect(() => parseSecurityTokenReference(str(`<wsse:Reference/>`))).toThrow(ModelError);
    expect(parseSecurityTokenReference(str(`<wsse:Embedded/>`)).others).toHaveLength(1);
  });
});
