// DER encoding and certificate generation: node parses what we make, openssl agrees, CA issuance chains.
import { beforeAll, describe, expect, it } from "vitest";
import { X509Certificate, createHash, generateKeyPairSync } from "node:crypto";
import {
  bitString,
  boolean,
  decodeOid,
  explicit,
  generalizedTime,
  integer,
  namedBits,
  nullValue,
  octetString,
  oid,
  printableString,
  readChildren,
  readTlv,
  sequence,
  set,
  utcTime,
  utf8String,
  x509Time,
  DerError,
} from "../../protocol/x509/der.ts";
import {
  certifiedKeyFromPem,
  derToPem,
  generateSelfSignedCertificate,
  pemToDer,
  sameCertificate,
  subjectKeyIdentifier,
  thumbprintSha1,
  type CertifiedKey,
} from "../../protocol/x509/certificate.ts";
import { hasOpenssl, openssl } from "./xmlsec.ts";

const hex = (b: Buffer) => b.toString("hex");
const NOW = Date.UTC(2026, 0, 15, 8, 30, 0);

describe("DER encoder", () => {
  it("INTEGER: minimal two's complement, Buffers as unsigned magnitudes", () => {
    expect(hex(integer(0))).toBe("020100");
    expect(hex(integer(127))).toBe("02017f");
    expect(hex(integer(128))).toBe("02020080");
    expect(hex(integer(256))).toBe("02020100");
    expect(hex(integer(-1))).toBe("0201ff");
    expect(hex(integer(-128))).toBe("020180");
    expect(hex(integer(-129))).toBe("0202ff7f");
    expect(hex(integer(Buffer.from([0, 0, 0x80])))).toBe("02020080");
    expect(hex(integer(Buffer.from([0x01, 0x02])))).toBe("02020102");
    expect(hex(integer(Buffer.alloc(0)))).toBe("020100");
  });

  it("OID", () => {
    expect(hex(oid("1.2.840.113549.1.1.11"))).toBe("06092a864886f70d01010b");
    expect(hex(oid("2.5.4.3"))).toBe("0603550403");
    expect(decodeOid(Buffer.from("2a864886f70d01010b", "hex"))).toBe("1.2.840.113549.1.1.11");
    expect(() => oid("3.1")).toThrow(DerError);
    expect(() => oid("1")).toThrow(DerError);
  });

  it("strings, times, BOOLEAN, NULL, BIT/OCTET STRING, explicit tags", () => {
    expect(hex(utf8String("é"))).toBe("0c02c3a9");
    expect(hex(printableString("CA 1"))).toBe("130443412031");
    expect(() => printableString("a@b")).toThrow(DerError);
    expect(utcTime(NOW).subarray(2).toString()).toBe("260115083000Z");
    expect(generalizedTime(NOW).subarray(2).toString()).toBe("20260115083000Z");
    expect(x509Time(Date.UTC(2050, 0, 1))[0]).toBe(0x18);
    expect(x509Time(Date.UTC(2049, 11, 31))[0]).toBe(0x17);
    expect(() => utcTime(Date.UTC(2050, 0, 1))).toThrow(DerError);
    expect(hex(boolean(true))).toBe("0101ff");
    expect(hex(boolean(false))).toBe("010100");
    expect(hex(nullValue())).toBe("0500");
    expect(hex(bitString(Buffer.from([0xaa])))).toBe("030200aa");
    expect(hex(octetString(Buffer.from([1, 2])))).toBe("04020102");
    expect(hex(explicit(0, integer(2)))).toBe("a003020102");
  });

  it("named bits drop trailing zeros (KeyUsage)", () => {
    expect(hex(namedBits([0]))).toBe("03020780"); // digitalSignature
    expect(hex(namedBits([0, 2]))).toBe("030205a0"); // + keyEncipherment
    expect(hex(namedBits([0, 5, 6]))).toBe("03020186"); // CA usages
    expect(hex(namedBits([8]))).toBe("0303070080");
  });

  it("SET OF sorts its members; long lengths", () => {
    const a = utf8String("b");
    const b = utf8String("a");
    expect(hex(set(a, b))).toBe(`3106${hex(b)}${hex(a)}`);
    const big = octetString(Buffer.alloc(300));
    expect(hex(big.subarray(0, 4))).toBe("0482012c");
    const seq = sequence(big, integer(1));
    const top = readTlv(seq);
    expect(readChildren(seq, top).map((c) => c.tag)).toEqual([0x04, 0x02]);
  });

  it("the reader refuses truncated input", () => {
    expect(() => readTlv(Buffer.from("3005020101", "hex"))).toThrow(DerError);
    expect(() => readTlv(Buffer.from("30", "hex"))).toThrow(DerError);
  });
});

describe("certificates", () => {
  let ca: CertifiedKey;
  let leaf: CertifiedKey;
  let self: CertifiedKey;

  beforeAll(() => {
    ca = generateSelfSignedCertificate({ commonName: "wsconform test CA", notBeforeMs: NOW - 1e9, notAfterMs: NOW + 1e11, isCA: true });
    leaf = generateSelfSignedCertificate({
      commonName: "sts.example",
      notBeforeMs: NOW,
      notAfterMs: Date.UTC(2051, 5, 1),
      issuer: ca,
      serial: Buffer.from("00c0ffee", "hex"),
      keyUsage: ["digitalSignature"],
    });
    self = generateSelfSignedCertificate({ commonName: "Ünïcode signer", notBeforeMs: NOW, notAfterMs: NOW + 86_400_000 });
  });

  it("node parses a self-signed certificate with the requested fields", () => {
    const x = new X509Certificate(self.certDer);
    expect(x.subject).toBe("CN=Ünïcode signer");
    expect(x.issuer).toBe(x.subject);
    expect(new Date(x.validFrom).getTime()).toBe(NOW);
    expect(new Date(x.validTo).getTime()).toBe(NOW + 86_400_000);
    expect(x.ca).toBe(false);
    expect(x.verify(self.publicKey)).toBe(true);
    expect(x.checkPrivateKey(self.privateKey)).toBe(true);
    expect(x.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(x.serialNumber.length).toBe(32);
  });

  it("a CA-issued certificate verifies with the issuer key, not its own", () => {
    const x = new X509Certificate(leaf.certDer);
    expect(x.issuer).toBe("CN=wsconform test CA");
    expect(x.verify(ca.publicKey)).toBe(true);
    expect(x.verify(leaf.publicKey)).toBe(false);
    expect(x.checkIssued(new X509Certificate(ca.certDer))).toBe(true);
    expect(x.serialNumber.toUpperCase()).toBe("C0FFEE");
    expect(new X509Certificate(ca.certDer).ca).toBe(true);
    expect(new Date(x.validTo).getUTCFullYear()).toBe(2051); // GeneralizedTime from 2050
  });

  it("SubjectKeyIdentifier is SHA-1 of the public key bits; the leaf's AKI names the CA's SKI", () => {
    const ski = subjectKeyIdentifier(ca.certDer)!;
    expect(ski.length).toBe(20);
    const spki = ca.publicKey.export({ type: "spki", format: "der" });
    // The BIT STRING is the last 271 bytes of a 2048-bit RSA SPKI (tag, 3 length bytes, unused-bits byte, key).
    const keyBits = spki.subarray(spki.length - 270);
    expect(hex(createHash("sha1").update(keyBits).digest())).toBe(hex(ski));
    expect(hex(leaf.certDer)).toContain(hex(ski));
  });

  it.runIf(hasOpenssl)("openssl verifies the chain and prints the extensions", () => {
    const v = openssl({ "ca.pem": ca.certPem, "leaf.pem": leaf.certPem }, (d) => [
      "verify",
      "-attime",
      String(Math.floor(NOW / 1000) + 60),
      "-CAfile",
      `${d}/ca.pem`,
      `${d}/leaf.pem`,
    ]);
    expect(v.ok, v.output).toBe(true);
    const t = openssl({ "leaf.pem": leaf.certPem }, (d) => ["x509", "-in", `${d}/leaf.pem`, "-noout", "-text"]);
    expect(t.ok, t.output).toBe(true);
    expect(t.output).toContain("CA:FALSE");
    expect(t.output).toContain("Digital Signature");
    expect(t.output).toContain("X509v3 Authority Key Identifier");
    const s = openssl({ "self.pem": self.certPem }, (d) => ["verify", "-attime", String(Math.floor(NOW / 1000) + 60), "-check_ss_sig", "-partial_chain", "-CAfile", `${d}/self.pem`, `${d}/self.pem`]);
    expect(s.ok, s.output).toBe(true);
  });

  it("PEM round trips; certifiedKeyFromPem checks the key belongs to the certificate", () => {
    expect(pemToDer(self.certPem).equals(self.certDer)).toBe(true);
    expect(derToPem(self.certDer)).toBe(self.certPem);
    expect(pemToDer(`junk\n${leaf.certPem}${self.certPem}`).equals(leaf.certDer)).toBe(true);
    expect(() => pemToDer("no pem here")).toThrow();
    const loaded = certifiedKeyFromPem(self.certPem, self.keyPem);
    expect(loaded.certDer.equals(self.certDer)).toBe(true);
    expect(loaded.publicKey.equals(self.publicKey)).toBe(true);
    expect(() => certifiedKeyFromPem(self.certPem, leaf.keyPem)).toThrow(/does not match/);
  });

  it("thumbprint and equality", () => {
    expect(thumbprintSha1(self.certDer).equals(createHash("sha1").update(self.certDer).digest())).toBe(true);
    expect(sameCertificate(self.certDer, Buffer.from(self.certDer))).toBe(true);
    expect(sameCertificate(self.certDer, leaf.certDer)).toBe(false);
  });

  it("reuses a given key pair and refuses bad options", () => {
    const keyPair = generateKeyPairSync("rsa", { modulusLength: 1024 });
    const c = generateSelfSignedCertificate({ commonName: "k", notBeforeMs: NOW, notAfterMs: NOW + 1000, keyPair });
    expect(new X509Certificate(c.certDer).publicKey.equals(keyPair.publicKey)).toBe(true);
    expect(() => generateSelfSignedCertificate({ commonName: "x", notBeforeMs: NOW, notAfterMs: NOW, keyPair })).toThrow(DerError);
    expect(() => generateSelfSignedCertificate({ commonName: "x", notBeforeMs: NOW, notAfterMs: NOW + 1, keyPair, serial: Buffer.alloc(21, 1) })).toThrow(DerError);
  });

  it("writes subjectAltName DNS and IP entries that node's X.509 parser reads back; refuses bad ones", () => {
    const keyPair = generateKeyPairSync("rsa", { modulusLength: 1024 });
    const c = generateSelfSignedCertificate({
      commonName: "localhost",
      notBeforeMs: NOW,
      notAfterMs: NOW + 1000,
      keyPair,
      subjectAltNames: { dns: ["localhost"], ip: ["127.0.0.1", "::1", "fe80::1:2"] },
    });
    const x = new X509Certificate(c.certDer);
    expect(x.subjectAltName).toBe("DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, IP Address:FE80:0:0:0:0:0:1:2");
    expect(x.checkIP("127.0.0.1")).toBe("127.0.0.1");
    for (const ip of ["256.0.0.1", "1::2::3", "12345::1", "1:2:3"]) {
      expect(() => generateSelfSignedCertificate({ commonName: "x", notBeforeMs: NOW, notAfterMs: NOW + 1, keyPair, subjectAltNames: { ip: [ip] } }), ip).toThrow(DerError);
    }
    expect(() => generateSelfSignedCertificate({ commonName: "x", notBeforeMs: NOW, notAfterMs: NOW + 1, keyPair, subjectAltNames: { dns: ["a b"] } })).toThrow(DerError);
  });
});
