// The language-neutral form of the attack catalogue: every construction run once against a fixed scenario (the
// test-only IdP key in vectors/security/keys, a fixed time, counting IDs), written as XML files plus a manifest
// (class, requirements, judge, what a correct consumer does). `npx tsx suites/security/vectors.ts` rewrites them;
// test/security/vectors.test.ts checks they are current.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { toXsDateTime } from "../../protocol/clock.ts";
import { ATTACKS, type Attack, type Judge } from "./attacks.ts";
import { attackerKeysFor, loadVectorKey } from "./keys.ts";
import { EVIL, LEGIT, countingIds, type DeliveryKind, type Scenario } from "./scenario.ts";

export const VECTORS_DIR = fileURLToPath(new URL("../../vectors/security/", import.meta.url));
export const VECTOR_NOW = Date.UTC(2026, 5, 1, 12, 0, 0);
export const VECTOR_TRUST = { issuer: "https://idp.wsconform.test/", audience: "urn:wsconform:rp:vectors", recipient: "https://rp.wsconform.test/acs", skewSeconds: 120 };

const EXPECTED: Record<Judge, string> = {
  reject: "reject",
  identity: `reject, or accept reporting only the legitimate identity (${LEGIT.subject}); never ${EVIL.subject}`,
  truncation: `reject, or accept reporting the full signed identity; never the truncated ${EVIL.subject}`,
  observe: "accept or reject (recorded, not judged)",
  accept: "accept",
  replay: "accept the first delivery, reject the second",
};

export function vectorScenario(): Scenario {
  const idp = loadVectorKey("idp");
  const key = { privateKey: idp.privateKey, certDer: idp.certDer };
  return {
    idp: { issuer: VECTOR_TRUST.issuer, key },
    audience: VECTOR_TRUST.audience,
    recipient: VECTOR_TRUST.recipient,
    now: VECTOR_NOW,
    skewSeconds: VECTOR_TRUST.skewSeconds,
    keys: attackerKeysFor(key, VECTOR_NOW),
    newId: countingIds(),
  };
}

function kindFor(a: Attack): DeliveryKind {
  return a.kinds ? (a.kinds.includes("wresult") ? "wresult" : a.kinds[0]!) : "assertion";
}

export interface VectorEntry {
  id: string;
  class: string;
  title: string;
  requirements: string[];
  cve?: string;
  judge: Judge;
  expectedForCorrectConsumer: string;
  delivery: DeliveryKind;
  samlVersion: "2.0";
  variants: { name: string; file: string }[];
}

/** Every vector file (path relative to vectors/security → content) and the manifest. */
export function buildVectors(): { files: Map<string, string>; manifest: object } {
  const files = new Map<string, string>();
  const entries: VectorEntry[] = [];
  for (const a of ATTACKS) {
    const s = vectorScenario();
    const kind = kindFor(a);
    const variants = a.craft(s, kind, "2.0");
    const listed = variants.map((v, i) => {
      const file = `${a.id}${i ? `.${i + 1}` : ""}.xml`;
      files.set(file, v.xml.endsWith("\n") ? v.xml : `${v.xml}\n`);
      return { name: v.name, file };
    });
    entries.push({
      id: `security/${a.id}`,
      class: a.id.split("/")[0]!,
      title: a.title,
      requirements: a.requirements,
      cve: a.cve,
      judge: a.judge,
      expectedForCorrectConsumer: EXPECTED[a.judge],
      delivery: kind,
      samlVersion: "2.0",
      variants: listed,
    });
  }
  const manifest = {
    description: "Crafted tokens of the wsconform token-consumer security suite. Each vector was built from a token the test IdP signed; feed it to a consumer configured as below, at the given time, and compare with expectedForCorrectConsumer.",
    consumerConfiguration: {
      trustedCertificate: "keys/idp.cert.pem",
      issuer: VECTOR_TRUST.issuer,
      audience: VECTOR_TRUST.audience,
      recipient: VECTOR_TRUST.recipient,
      now: toXsDateTime(VECTOR_NOW),
      clockSkewSeconds: VECTOR_TRUST.skewSeconds,
    },
    keys: {
      "keys/idp.cert.pem": "the IdP the consumer trusts (its key keys/idp.key.pem signs the genuine tokens)",
      "keys/attacker.cert.pem": "the attacker's own key pair (keys/attacker.key.pem); cloned, expired and wrong-usage certificates are derived in suites/security/keys.ts and embedded in the vectors' KeyInfo",
    },
    identities: { legitimate: LEGIT.subject, forged: EVIL.subject },
    vectors: entries,
  };
  return { files, manifest };
}

export function manifestText(manifest: object): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { files, manifest } = buildVectors();
  for (const [rel, content] of files) {
    const p = join(VECTORS_DIR, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, content);
  }
  writeFileSync(join(VECTORS_DIR, "manifest.json"), manifestText(manifest));
  console.log(`wrote ${files.size} vector files and manifest.json to ${VECTORS_DIR}`);
}
