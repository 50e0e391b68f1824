// The thread-pool signing path writes the same bytes as the synchronous one, and fromDom gives back writer nodes
// that re-serialize to the canonical form of the parsed element.
import { describe, expect, it } from "vitest";
import { excC14n } from "../../protocol/dsig/c14n.ts";
import { signAssertion, signAssertionAsync } from "../../protocol/saml/build.ts";
import type { AssertionSpec } from "../../protocol/saml/model.ts";
import { generateSelfSignedCertificate } from "../../protocol/x509/certificate.ts";
import { encryptKeyForCertificate } from "../../protocol/xmlenc.ts";
import { parseXml } from "../../protocol/xml/safe-parse.ts";
import { fromDom, serialize, XmlWriteError } from "../../protocol/xml/writer.ts";

const NOW = Date.UTC(2026, 5, 1);
const key = generateSelfSignedCertificate({ commonName: "signer", notBeforeMs: NOW - 1000, notAfterMs: NOW + 86400_000 });

const spec = (version: "1.1" | "2.0"): AssertionSpec => ({
  version,
  id: "_async-1",
  issuer: "urn:issuer",
  issueInstant: NOW,
  subject: { nameId: "alice" },
  confirmation: { method: "holder-of-key", keyInfo: encryptKeyForCertificate(Buffer.alloc(32, 5), key.certDer) },
  notBefore: NOW,
  notOnOrAfter: NOW + 3600_000,
  audiences: ["urn:rp"],
  authn: { method: "urn:oasis:names:tc:SAML:2.0:ac:classes:Password", instant: NOW },
  attributes: [{ name: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name", values: ["alice & <bob>"] }],
});

describe("signing on the thread pool", () => {
  for (const v of ["1.1", "2.0"] as const) {
    it(`SAML ${v}: signAssertionAsync writes exactly the bytes signAssertion writes`, async () => {
      const s = spec(v);
      const sync = signAssertion(s, { privateKey: key.privateKey, certDer: key.certDer });
      const async = await signAssertionAsync(s, { privateKey: key.privateKey, certDer: key.certDer });
      expect(async).toBe(sync);
    });
  }

  it("rejects (does not throw synchronously) on a bad argument", async () => {
    const p = signAssertionAsync({ ...spec("2.0"), id: "not an id" }, { privateKey: key.privateKey, certDer: key.certDer });
    await expect(p).rejects.toThrow();
  });
});

describe("fromDom", () => {
  it("re-serializes a parsed element to its exc-c14n form", () => {
    const xml = signAssertion(spec("2.0"), { privateKey: key.privateKey, certDer: key.certDer });
    const el = parseXml(xml).documentElement!;
    expect(serialize(fromDom(el))).toBe(excC14n(el));
  });

  it("refuses a namespace the writer has no prefix for", () => {
    const el = parseXml('<x:a xmlns:x="urn:unknown"/>').documentElement!;
    expect(() => fromDom(el)).toThrow(XmlWriteError);
  });
});
