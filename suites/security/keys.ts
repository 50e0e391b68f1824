// Keys of the attack constructions. The attacker's own key pair is a fixed test-only key from vectors/security/keys
// (key generation is slow and the attacker's identity does not matter); the certificates derived from the IdP's
// key or certificate (cloned, expired, wrong usage) are made for whichever IdP key the consumer trusts.
import { X509Certificate, createHash, createPublicKey } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { certifiedKeyFromPem, generateSelfSignedCertificate, type CertifiedKey } from "../../protocol/x509/certificate.ts";
import type { SigningKey } from "../../protocol/dsig/sign.ts";
import type { AttackerKeys } from "./scenario.ts";

export const VECTOR_KEYS_DIR = fileURLToPath(new URL("../../vectors/security/keys/", import.meta.url));

export function loadVectorKey(name: "idp" | "attacker"): CertifiedKey {
  return certifiedKeyFromPem(readFileSync(`${VECTOR_KEYS_DIR}${name}.cert.pem`, "utf8"), readFileSync(`${VECTOR_KEYS_DIR}${name}.key.pem`, "utf8"));
}

let attackerCache: CertifiedKey | undefined;
export function attackerKey(): CertifiedKey {
  attackerCache ??= loadVectorKey("attacker");
  return attackerCache;
}

function commonName(subject: string): string {
  const m = /(?:^|\n|,\s*)CN=([^\n,]+)/.exec(subject);
  return m?.[1] ?? "wsconform IdP";
}

const derivedCache = new WeakMap<Buffer, AttackerKeys>();

/**
 * The attacker's keys for an IdP signing key. The clone copies the IdP certificate's common name and serial into a
 * self-signed certificate for the attacker's key (so subject, issuer and serial read the same as a self-signed IdP
 * certificate's); `nowMs` dates the derived certificates.
 */
export function attackerKeysFor(idp: SigningKey, nowMs: number): AttackerKeys {
  const hit = derivedCache.get(idp.certDer);
  if (hit) return hit;
  const attacker = attackerKey();
  const x509 = new X509Certificate(idp.certDer);
  const cn = commonName(x509.subject);
  const serial = Buffer.from(x509.serialNumber.length % 2 ? `0${x509.serialNumber}` : x509.serialNumber, "hex");
  const day = 24 * 3600_000;
  const idpPair = { privateKey: idp.privateKey, publicKey: createPublicKey(idp.privateKey) };
  const cloned = generateSelfSignedCertificate({
    commonName: cn,
    serial,
    notBeforeMs: Date.parse(x509.validFrom),
    notAfterMs: Date.parse(x509.validTo),
    keyPair: { privateKey: attacker.privateKey, publicKey: attacker.publicKey },
  });
  // Serials derived from the IdP certificate, so vectors built from a fixed IdP key are byte-stable.
  const serialFor = (purpose: string) => {
    const b = createHash("sha256").update(purpose).update(idp.certDer).digest().subarray(0, 16);
    b[0] = (b[0]! & 0x7f) | 0x01;
    return b;
  };
  const expired = generateSelfSignedCertificate({ commonName: cn, serial: serialFor("expired"), notBeforeMs: nowMs - 400 * day, notAfterMs: nowMs - 30 * day, keyPair: idpPair });
  const wrongUsage = generateSelfSignedCertificate({ commonName: cn, serial: serialFor("wrong-usage"), notBeforeMs: nowMs - day, notAfterMs: nowMs + 365 * day, keyUsage: ["keyEncipherment", "dataEncipherment"], keyPair: idpPair });
  const keys: AttackerKeys = {
    attacker: { privateKey: attacker.privateKey, certDer: attacker.certDer, certPem: attacker.certPem },
    cloned: { privateKey: cloned.privateKey, certDer: cloned.certDer },
    expired: { certDer: expired.certDer },
    wrongUsage: { certDer: wrongUsage.certDer },
  };
  derivedCache.set(idp.certDer, keys);
  return keys;
}
