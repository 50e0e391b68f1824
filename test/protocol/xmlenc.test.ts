// xenc:EncryptedKey for symmetric proof keys.
import { beforeAll, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { DSIG, NS, WSS } from "../../protocol/namespaces.ts";
import { generateSelfSignedCertificate, thumbprintSha1, type CertifiedKey } from "../../protocol/x509/certificate.ts";
import { decryptEncryptedKey, encryptKeyForCertificate, encryptedKeyThumbprint, RSA_1_5, XmlEncError } from "../../protocol/xmlenc.ts";
import { parseXml } from "../../protocol/xml/safe-parse.ts";
import { ModelError, children, descendants } from "../../protocol/xml/dom.ts";
import { serialize } from "../../protocol/xml/writer.ts";
import { hasOpenssl, openssl } from "./xmlsec.ts";

let rp: CertifiedKey;
let other: CertifiedKey;
beforeAll(() => {
  rp = generateSelfSignedCertificate({ commonName: "rp", notBeforeMs: Date.UTC(2026, 0, 1), notAfterMs: Date.UTC(2027, 0, 1) });
  other = generateSelfSignedCertificate({ commonName: "other", notBeforeMs: Date.UTC(2026, 0, 1), notAfterMs: Date.UTC(2027, 0, 1), keyBits: 1024 });
});

function encrypted(key: Buffer, id?: string): Element {
  return parseXml(serialize(encryptKeyForCertificate(key, rp.certDer, { id }))).documentElement!;
}

describe("EncryptedKey", () => {
  it("round trips a 256-bit key", () => {
    const key = randomBytes(32);
    expect(decryptEncryptedKey(encrypted(key), rp.privateKey).equals(key)).toBe(true);
  });

  it("has the WS-Trust shape: OAEP with SHA-1 digest, ThumbprintSHA1 key identifier", () => {
    const e = encrypted(randomBytes(16), "_ek1");
    expect(e.getAttribute("Id")).toBe("_ek1");
    const [method, keyInfo, cipherData] = children(e);
    expect(method!.getAttribute("Algorithm")).toBe(DSIG.rsaOaepMgf1p);
    expect(children(method!, NS.ds, "DigestMethod")[0]!.getAttribute("Algorithm")).toBe(DSIG.sha1);
    expect(keyInfo!.namespaceURI).toBe(NS.ds);
    const kid = descendants(keyInfo!, NS.wsse, "KeyIdentifier")[0]!;
    expect(kid.getAttribute("ValueType")).toBe(WSS.thumbprintSHA1);
    expect(kid.getAttribute("EncodingType")).toBe(WSS.base64Binary);
    expect(encryptedKeyThumbprint(e)!.equals(thumbprintSha1(rp.certDer))).toBe(true);
    expect(cipherData!.localName).toBe("CipherData");
  });

  it.runIf(hasOpenssl)("openssl decrypts it (RSA-OAEP, SHA-1)", () => {
    const key = randomBytes(32);
    const cipher = Buffer.from(descendants(encrypted(key), NS.xenc, "CipherValue")[0]!.textContent!, "base64");
    const r = openssl({ "k.pem": rp.keyPem, "c.bin": cipher }, (d) => [
      "pkeyutl", "-decrypt", "-inkey", `${d}/k.pem`, "-in", `${d}/c.bin`,
      "-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt", "rsa_oaep_md:sha1", "-pkeyopt", "rsa_mgf1_md:sha1", "-hexdump",
    ]);
    expect(r.ok, r.output).toBe(true);
    const hex = [...r.output.matchAll(/^[0-9a-f]{4} - ((?:[0-9a-f]{2}[ -]){1,16})/gm)].map((m) => m[1]!.replace(/[ -]/g, "")).join("");
    expect(hex).toBe(key.toString("hex"));
  });

  it("refuses the wrong private key, rsa-1_5, other OAEP digests and malformed input", () => {
    expect(() => decryptEncryptedKey(encrypted(randomBytes(16)), other.privateKey)).toThrow(XmlEncError);
    const e = encrypted(randomBytes(16));
    children(e)[0]!.setAttribute("Algorithm", RSA_1_5);
    expect(() => decryptEncryptedKey(e, rp.privateKey)).toThrow(/rsa-1_5/);
    const e2 = encrypted(randomBytes(16));
    children(children(e2)[0]!)[0]!.setAttribute("Algorithm", DSIG.sha256);
    expect(() => decryptEncryptedKey(e2, rp.privateKey)).toThrow(XmlEncError);
    const e3 = encrypted(randomBytes(16));
    descendants(e3, NS.xenc, "CipherValue")[0]!.textContent = "not base64!";
    expect(() => decryptEncryptedKey(e3, rp.privateKey)).toThrow(ModelError);
    const e4 = encrypted(randomBytes(16));
    e4.removeChild(descendants(e4, NS.xenc, "CipherData")[0]!);
    expect(() => decryptEncryptedKey(e4, rp.privateKey)).toThrow(ModelError);
    expect(() => decryptEncryptedKey(parseXml("<x/>").documentElement!, rp.privateKey)).toThrow(ModelError);
    expect(() => encryptKeyForCertificate(Buffer.alloc(0), rp.certDer)).toThrow(XmlEncError);
  });
});
