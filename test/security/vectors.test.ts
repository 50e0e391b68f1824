// The committed vectors in vectors/security are exactly what the attack constructions produce for the fixed
// scenario, and the strict consumer (test/calibration/adapters/strict.ts) treats each one as its manifest says a
// correct consumer must.
import { readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { derToPem } from "../../protocol/x509/certificate.ts";
import { VECTORS_DIR, VECTOR_NOW, VECTOR_TRUST, buildVectors, manifestText, vectorScenario, type VectorEntry } from "../../suites/security/vectors.ts";
import { EVIL, LEGIT } from "../../suites/security/scenario.ts";
import { createStrictConsumer } from "../calibration/adapters/strict.ts";

const built = buildVectors();

describe("security vectors", () => {
  test("the committed vector files and manifest are current (npx tsx suites/security/vectors.ts rewrites them)", () => {
    expect(readFileSync(join(VECTORS_DIR, "manifest.json"), "utf8")).toBe(manifestText(built.manifest));
    for (const [rel, content] of built.files) {
      expect(existsSync(join(VECTORS_DIR, rel)), rel).toBe(true);
      expect(readFileSync(join(VECTORS_DIR, rel), "utf8"), rel).toBe(content);
    }
  });

  const entries = (built.manifest as { vectors: VectorEntry[] }).vectors;
  const certificatePem = derToPem(vectorScenario().idp.key.certDer);
  for (const e of entries) {
    test(`strict consumer on ${e.id} (${e.judge})`, () => {
      const consume = createStrictConsumer();
      const opts = { certificatePem, issuer: VECTOR_TRUST.issuer, audience: VECTOR_TRUST.audience, recipient: VECTOR_TRUST.recipient, now: new Date(VECTOR_NOW), delivery: e.delivery };
      const outcomes = e.variants.map((v) => {
        try {
          return { accepted: true as const, ...consume(readFileSync(join(VECTORS_DIR, v.file), "utf8"), opts) };
        } catch (err) {
          return { accepted: false as const, reason: (err as Error).message };
        }
      });
      for (const [i, o] of outcomes.entries()) {
        const what = `${e.variants[i]!.name}: ${JSON.stringify(o)}`;
        const ids = o.accepted ? [o.subject, ...Object.values(o.claims).flat()] : [];
        if (e.judge === "reject") expect(o.accepted, what).toBe(false);
        if (e.judge === "identity" || e.judge === "truncation") expect(ids, what).not.toContain(EVIL.subject);
        if (e.judge === "identity" && o.accepted) expect(o.subject, what).toBe(LEGIT.subject);
        if (e.judge === "accept") expect(o.accepted, what).toBe(true);
        if (e.judge === "replay") expect(o.accepted, what).toBe(i === 0);
      }
    });
  }
});
