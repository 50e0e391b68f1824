// Key material of the reference: two signing keys (rollover), the demo relying parties' encryption keys, a demo
// client certificate and a TLS certificate. Generated on first start and persisted in the data folder (PEM files)
// so that restarts keep the same trust anchors; without a data folder everything lives in memory.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Clock } from "../protocol/clock.ts";
import { certifiedKeyFromPem, generateSelfSignedCertificate, type CertifiedKey } from "../protocol/x509/certificate.ts";
import { DEMO_REALMS } from "./config.ts";

export interface ReferenceKeys {
  signing: { primary: CertifiedKey; secondary: CertifiedKey };
  /** Encryption keys of the demo relying parties, by realm (the harness plays those RPs). */
  relyingParties: Map<string, CertifiedKey>;
  /** A client certificate registered for the certificatemixed endpoints. */
  demoClient: CertifiedKey;
  tls: CertifiedKey;
}

const YEAR = 365 * 86400_000;

function loadOrCreate(
  dir: string | undefined,
  name: string,
  make: () => CertifiedKey,
): CertifiedKey {
  if (!dir) return make();
  const certPath = join(dir, `${name}.cert.pem`);
  const keyPath = join(dir, `${name}.key.pem`);
  if (existsSync(certPath) && existsSync(keyPath)) {
    return certifiedKeyFromPem(readFileSync(certPath, "utf8"), readFileSync(keyPath, "utf8"));
  }
  const k = make();
  mkdirSync(dir, { recursive: true });
  writeFileSync(certPath, k.certPem);
  writeFileSync(keyPath, k.keyPem, { mode: 0o600 });
  return k;
}

/** Demo RP realms that get a generated encryption key (the bearer-only demo RP deliberately has none). */
export const DEMO_ENCRYPTING_REALMS = [DEMO_REALMS.saml20, DEMO_REALMS.saml11, DEMO_REALMS.web];

export function loadOrCreateKeys(clock: Clock, dataDir?: string): ReferenceKeys {
  const now = clock.now();
  const cert = (cn: string, usage: ("digitalSignature" | "keyEncipherment")[]) => () =>
    generateSelfSignedCertificate({ commonName: cn, notBeforeMs: now - 86400_000, notAfterMs: now + 10 * YEAR, keyUsage: usage });
  const relyingParties = new Map<string, CertifiedKey>();
  DEMO_ENCRYPTING_REALMS.forEach((realm, i) => {
    relyingParties.set(realm, loadOrCreate(dataDir, `rp${i + 1}-encryption`, cert(`wsconform demo RP ${i + 1}`, ["keyEncipherment"])));
  });
  return {
    signing: {
      primary: loadOrCreate(dataDir, "signing-primary", cert("wsconform reference STS signing (primary)", ["digitalSignature"])),
      secondary: loadOrCreate(dataDir, "signing-secondary", cert("wsconform reference STS signing (secondary)", ["digitalSignature"])),
    },
    relyingParties,
    demoClient: loadOrCreate(dataDir, "demo-client", cert("wsconform demo client", ["digitalSignature"])),
    tls: loadOrCreate(dataDir, "tls", () =>
      generateSelfSignedCertificate({
        commonName: "localhost",
        notBeforeMs: now - 86400_000,
        notAfterMs: now + 10 * YEAR,
        keyUsage: ["digitalSignature", "keyEncipherment"],
        subjectAltNames: { dns: ["localhost"], ip: ["127.0.0.1", "::1"] },
      }),
    ),
  };
}
