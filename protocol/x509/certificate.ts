// X.509 v3 certificates for the harness's own keys (reference STS signing keys, test CAs, client certificates).
// Node can parse certificates but not make them, so the TBSCertificate is encoded here with der.ts.
import {
  X509Certificate,
  createHash,
  createPrivateKey,
  generateKeyPairSync,
  randomBytes,
  sign as cryptoSign,
  type KeyObject,
} from "node:crypto";
import {
  DerError,
  bitString,
  boolean,
  contentBytes,
  explicit,
  implicitPrimitive,
  integer,
  namedBits,
  nullValue,
  octetString,
  oid,
  readChildren,
  readTlv,
  decodeOid,
  sequence,
  set,
  tlvBytes,
  utf8String,
  x509Time,
} from "./der.ts";

export interface CertifiedKey {
  certDer: Buffer;
  certPem: string;
  keyPem: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export type KeyUsageName = "digitalSignature" | "keyEncipherment" | "dataEncipherment";

export interface CertificateOptions {
  commonName: string;
  notBeforeMs: number;
  notAfterMs: number;
  /** RSA modulus size; 2048 unless told. */
  keyBits?: number;
  /** Positive serial number (unsigned big-endian); 16 random bytes unless told. */
  serial?: Buffer;
  /** Key usages of an end-entity certificate; digitalSignature + keyEncipherment unless told. */
  keyUsage?: KeyUsageName[];
  /** Sign with this CA instead of self-signing. */
  issuer?: CertifiedKey;
  /** Make a CA certificate (BasicConstraints cA, keyCertSign + cRLSign). */
  isCA?: boolean;
  /** subjectAltName entries (RFC 5280 4.2.1.6), e.g. for a TLS server certificate: DNS names and IP addresses. */
  subjectAltNames?: { dns?: string[]; ip?: string[] };
  /** Use this key pair instead of generating one (key rollover tests, deterministic fixtures). */
  keyPair?: { privateKey: KeyObject; publicKey: KeyObject };
}

const OID = {
  sha256WithRSA: "1.2.840.113549.1.1.11",
  commonName: "2.5.4.3",
  subjectKeyIdentifier: "2.5.29.14",
  keyUsage: "2.5.29.15",
  basicConstraints: "2.5.29.19",
  authorityKeyIdentifier: "2.5.29.35",
  subjectAltName: "2.5.29.17",
} as const;

const KEY_USAGE_BIT: Record<KeyUsageName | "keyCertSign" | "cRLSign", number> = {
  digitalSignature: 0,
  keyEncipherment: 2,
  dataEncipherment: 3,
  keyCertSign: 5,
  cRLSign: 6,
};

function sha256WithRsaAlgId(): Buffer {
  // RFC 4055: the parameters of sha256WithRSAEncryption MUST be NULL.
  return sequence(oid(OID.sha256WithRSA), nullValue());
}

function nameFromCommonName(cn: string): Buffer {
  if (!cn) throw new DerError("commonName must not be empty");
  return sequence(set(sequence(oid(OID.commonName), utf8String(cn))));
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  // DER omits a BOOLEAN equal to its DEFAULT (critical FALSE).
  return critical ? sequence(oid(id), boolean(true), octetString(value)) : sequence(oid(id), octetString(value));
}

/** RFC 5280 4.2.1.2 method (1): SHA-1 of the subjectPublicKey BIT STRING value. */
function keyIdentifierOfSpki(spki: Buffer): Buffer {
  const top = readTlv(spki);
  const [, bits] = readChildren(spki, top);
  if (!bits || bits.tag !== 0x03) throw new DerError("SubjectPublicKeyInfo lacks its BIT STRING");
  return createHash("sha1").update(contentBytes(spki, bits).subarray(1)).digest();
}

interface TbsParts {
  subject: Buffer;
  subjectKeyIdentifier?: Buffer;
}

/** The subject Name (raw TLV) and the SKI extension value of a certificate. */
function readTbsParts(certDer: Buffer): TbsParts {
  const cert = readTlv(certDer);
  const [tbs] = readChildren(certDer, cert);
  if (!tbs) throw new DerError("certificate lacks a TBSCertificate");
  const fields = readChildren(certDer, tbs);
  let i = 0;
  if (fields[0]?.tag === 0xa0) i = 1; // version
  // serial, signature, issuer, validity, subject, spki
  const subject = fields[i + 4];
  if (!subject) throw new DerError("TBSCertificate lacks a subject");
  const out: TbsParts = { subject: tlvBytes(certDer, subject) };
  for (const f of fields.slice(i + 6)) {
    if (f.tag !== 0xa3) continue;
    const [exts] = readChildren(certDer, f);
    if (!exts) continue;
    for (const ext of readChildren(certDer, exts)) {
      const parts = readChildren(certDer, ext);
      const id = parts[0];
      const value = parts[parts.length - 1];
      if (!id || !value || id.tag !== 0x06 || value.tag !== 0x04) continue;
      if (decodeOid(contentBytes(certDer, id)) !== OID.subjectKeyIdentifier) continue;
      const inner = contentBytes(certDer, value);
      const ski = readTlv(inner);
      if (ski.tag === 0x04) out.subjectKeyIdentifier = Buffer.from(contentBytes(inner, ski));
    }
  }
  return out;
}

/** GeneralNames with dNSName [2] (IA5String) and iPAddress [7] (4 or 16 octets) entries. */
function generalNames(dns: string[], ips: string[]): Buffer {
  const names: Buffer[] = [];
  for (const d of dns) {
    if (!/^[A-Za-z0-9.*-]+$/.test(d)) throw new DerError(`${d} is not a DNS name`);
    names.push(implicitPrimitive(2, Buffer.from(d, "ascii")));
  }
  for (const ip of ips) names.push(implicitPrimitive(7, ipBytes(ip)));
  return sequence(...names);
}

function ipBytes(ip: string): Buffer {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (v4) {
    const octets = v4.slice(1).map(Number);
    if (octets.some((o) => o > 255)) throw new DerError(`${ip} is not an IP address`);
    return Buffer.from(octets);
  }
  const halves = ip.split("::");
  const groupsOk = (t: string) => t === "" || t.split(":").every((g) => /^[0-9A-Fa-f]{1,4}$/.test(g));
  if (halves.length > 2 || !halves.every(groupsOk)) throw new DerError(`${ip} is not an IP address`);
  const [headText, tailText] = halves.length === 2 ? [halves[0]!, halves[1]!] : [ip, undefined];
  const head = headText ? headText.split(":") : [];
  const tail = tailText ? tailText.split(":") : [];
  const groups = tailText === undefined ? head : [...head, ...Array(8 - head.length - tail.length).fill("0"), ...tail];
  if (groups.length !== 8) throw new DerError(`${ip} is not an IP address`);
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g || "0", 16), i * 2));
  return out;
}

function randomSerial(): Buffer {
  const s = randomBytes(16);
  s[0] = ((s[0] ?? 0) & 0x7f) | 0x01; // positive and exactly 16 bytes
  return s;
}

/** Generate an RSA key and a certificate for it: self-signed, or issued by `opts.issuer`. */
export function generateSelfSignedCertificate(opts: CertificateOptions): CertifiedKey {
  if (!(opts.notAfterMs > opts.notBeforeMs)) throw new DerError("notAfter must be later than notBefore");
  const keys =
    opts.keyPair ??
    generateKeyPairSync("rsa", { modulusLength: opts.keyBits ?? 2048, publicExponent: 0x10001 });
  if (keys.publicKey.asymmetricKeyType !== "rsa") throw new DerError("only RSA keys are supported");
  const spki = keys.publicKey.export({ type: "spki", format: "der" });
  const ski = keyIdentifierOfSpki(spki);
  const subject = nameFromCommonName(opts.commonName);

  let issuerName = subject;
  let authorityKeyId: Buffer | undefined;
  let signer = keys.privateKey;
  if (opts.issuer) {
    const parts = readTbsParts(opts.issuer.certDer);
    issuerName = parts.subject;
    authorityKeyId = parts.subjectKeyIdentifier;
    signer = opts.issuer.privateKey;
  }

  const serial = opts.serial ?? randomSerial();
  if (serial.length === 0 || serial.length > 20) throw new DerError("serial must be 1..20 bytes (RFC 5280)");

  const usages: number[] = opts.isCA
    ? [KEY_USAGE_BIT.digitalSignature, KEY_USAGE_BIT.keyCertSign, KEY_USAGE_BIT.cRLSign]
    : (opts.keyUsage ?? ["digitalSignature", "keyEncipherment"]).map((u) => KEY_USAGE_BIT[u]);
  const extensions: Buffer[] = [
    extension(OID.basicConstraints, true, opts.isCA ? sequence(boolean(true)) : sequence()),
    extension(OID.keyUsage, true, namedBits(usages)),
    extension(OID.subjectKeyIdentifier, false, octetString(ski)),
  ];
  const san = opts.subjectAltNames;
  if (san && ((san.dns?.length ?? 0) > 0 || (san.ip?.length ?? 0) > 0)) {
    extensions.push(extension(OID.subjectAltName, false, generalNames(san.dns ?? [], san.ip ?? [])));
  }
  if (authorityKeyId) {
    extensions.push(extension(OID.authorityKeyIdentifier, false, sequence(implicitPrimitive(0, authorityKeyId))));
  }

  const tbs = sequence(
    explicit(0, integer(2)), // v3
    integer(serial),
    sha256WithRsaAlgId(),
    issuerName,
    sequence(x509Time(opts.notBeforeMs), x509Time(opts.notAfterMs)),
    subject,
    spki,
    explicit(3, sequence(...extensions)),
  );
  const signature = cryptoSign("sha256", tbs, signer);
  const certDer = sequence(tbs, sha256WithRsaAlgId(), bitString(signature));
  return {
    certDer,
    certPem: derToPem(certDer),
    keyPem: keys.privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    privateKey: keys.privateKey,
    publicKey: keys.publicKey,
  };
}

/** Load a certificate and its private key; throws when the key does not belong to the certificate. */
export function certifiedKeyFromPem(certPem: string, keyPem: string): CertifiedKey {
  const certDer = pemToDer(certPem);
  const x509 = new X509Certificate(certDer);
  const privateKey = createPrivateKey(keyPem);
  if (!x509.checkPrivateKey(privateKey)) throw new Error("the private key does not match the certificate");
  return {
    certDer,
    certPem: derToPem(certDer),
    keyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    privateKey,
    publicKey: x509.publicKey,
  };
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/;

/** DER bytes of the first CERTIFICATE block of a PEM text. */
export function pemToDer(pem: string): Buffer {
  const m = PEM_CERT.exec(pem);
  if (!m) throw new Error("no CERTIFICATE block in PEM text");
  const b64 = (m[1] ?? "").replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length % 4 !== 0) throw new Error("CERTIFICATE block is not base64");
  return Buffer.from(b64, "base64");
}

export function derToPem(der: Buffer, label = "CERTIFICATE"): string {
  const b64 = der.toString("base64");
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

/** SHA-1 of the DER certificate (WSS ThumbprintSHA1, AD FS thumbprints). */
export function thumbprintSha1(der: Buffer): Buffer {
  return createHash("sha1").update(der).digest();
}

/** Byte equality of two DER certificates (certificates are public, so timing does not matter). */
export function sameCertificate(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && a.equals(b);
}

/** The SubjectKeyIdentifier extension value, if the certificate has one (WSS X509SubjectKeyIdentifier). */
export function subjectKeyIdentifier(der: Buffer): Buffer | undefined {
  return readTbsParts(der).subjectKeyIdentifier;
}
