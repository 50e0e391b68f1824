// The XML parser attack cases (suites/security/xml): they pass against the reference (its STS and its relying
// party parse with limits and refuse DTDs), and they FAIL against a deliberately naive consumer: one that parses
// with @xmldom/xmldom directly (no size/depth/attribute limits, a DOCTYPE accepted and its internal subset
// ignored: xmldom never fetches anything) but otherwise validates tokens correctly (signature against the pinned
// certificate, issuer, window, audience). A second variant also resolves the SYSTEM identifiers of its DOCTYPE,
// the way an XXE-vulnerable parser does, so the canary judgement is exercised too.
import { X509Certificate } from "node:crypto";
import { DOMParser } from "@xmldom/xmldom";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeClock } from "../../protocol/clock.ts";
import { verifyAssertion } from "../../protocol/saml/parse.ts";
import { trustAnchorFromCert } from "../../protocol/dsig/verify.ts";
import { pemToDer } from "../../protocol/x509/certificate.ts";
import { referenceTargetConfig } from "../../adapters/target-config.ts";
import { libraryConsumer, type LibraryConsumeOptions } from "../../adapters/library-consumer.ts";
import type { StsTarget } from "../../adapters/sts-target.ts";
import { loadOrCreateKeys, type ReferenceKeys } from "../../reference/keys.ts";
import { runCase, type CaseResult } from "../../suites/case.ts";
import { createTarget } from "../../suites/target.ts";
import { consumerOnlyTarget } from "../../suites/security/support.ts";
import { loadVectorKey } from "../../suites/security/keys.ts";
import { XML_CASES } from "../../suites/security/xml/xml.cases.ts";
import { XML_ATTACKS, applyPayload, SOAP_HEADER } from "../../suites/security/xml/payloads.ts";

const NOW = Date.UTC(2026, 10, 21, 12, 0, 0);
const SKEW = 300;

function findAssertion(e: Element): Element | undefined {
  if (e.localName === "Assertion") return e;
  for (let c = e.firstChild; c; c = c.nextSibling) {
    if (c.nodeType !== 1) continue;
    const f = findAssertion(c as Element);
    if (f) return f;
  }
  return undefined;
}

/** Naive: xmldom straight on the input (no limits, DTD tolerated); the token checks themselves are sound. */
function naiveConsume(resolveExternal: boolean) {
  return async (xml: string, o: LibraryConsumeOptions) => {
    if (resolveExternal) {
      // What an XXE-vulnerable parser does with SYSTEM identifiers in the DTD: fetch them.
      const dtd = /<!DOCTYPE[\s\S]*?(\]>|>)/.exec(xml)?.[0] ?? "";
      for (const m of dtd.matchAll(/SYSTEM\s+"([^"]+)"/g)) await fetch(m[1]!).then((r) => r.text()).catch(() => "");
    }
    const doc = new DOMParser({ onError: () => {} }).parseFromString(xml, "text/xml") as unknown as Document;
    const el = doc.documentElement && findAssertion(doc.documentElement);
    if (!el) throw new Error("no assertion");
    const der = pemToDer(o.certificatePem);
    void new X509Certificate(der);
    const r = verifyAssertion(el, [trustAnchorFromCert(der)]);
    if (!r.ok) throw new Error(`${r.code}: ${r.reason}`);
    const a = r.assertion;
    const now = o.now.getTime();
    if (a.issuer !== o.issuer) throw new Error("issuer");
    if (now + SKEW * 1000 < a.notBefore || now - SKEW * 1000 >= a.notOnOrAfter) throw new Error("window");
    if (!a.audienceRestrictions.every((x) => x.includes(o.audience))) throw new Error("audience");
    return { subject: a.subject.nameId, claims: {} };
  };
}

function naiveTarget(resolveExternal: boolean): StsTarget {
  const idp = loadVectorKey("idp");
  const consumer = libraryConsumer(
    { consume: naiveConsume(resolveExternal), meta: { name: "naive xmldom consumer", deliveries: ["wresult"], tokenTypes: ["saml20"], clockSkewSeconds: SKEW } },
    { trust: { issuer: "https://idp.wsconform.test/", signingKey: { privateKey: idp.privateKey, certDer: idp.certDer }, audience: "urn:wsconform:rp:naive" }, clock: new FakeClock(NOW) },
  );
  return consumerOnlyTarget(consumer);
}

const consumerCases = XML_CASES.filter((c) => c.id.startsWith("security/xml/consumer-"));
let keys: ReferenceKeys;

beforeAll(() => {
  keys = loadOrCreateKeys(new FakeClock(Date.now()));
});

describe("payloads", () => {
  it("put the DOCTYPE before the root and the probe after the SOAP Header start tag", () => {
    const xml = `<?xml version="1.0"?><s:Envelope xmlns:s="urn:s"><s:Header><h/></s:Header><s:Body/></s:Envelope>`;
    const out = applyPayload(xml, XML_ATTACKS[0]!.payload("http://127.0.0.1:1/"), SOAP_HEADER);
    expect(out).toMatch(/^<\?xml version="1.0"\?><!DOCTYPE s:Envelope \[<!ENTITY xxe SYSTEM "http:\/\/127.0.0.1:1\/xxe">\]><s:Envelope xmlns:s="urn:s"><s:Header><wsc:Probe [^>]*>&xxe;<\/wsc:Probe><h\/>/);
  });
});

describe("security/xml against the reference", () => {
  let target: StsTarget;
  beforeAll(async () => {
    target = await createTarget(referenceTargetConfig(), { referenceKeys: keys });
  });
  afterAll(() => target.close());
  for (const c of XML_CASES) {
    it(`${c.id} passes`, async () => {
      const r = await runCase(c, target, { strict: true });
      expect(r.verdict, `${r.message}`).toBe("PASS");
    }, 30_000);
  }
});

describe("security/xml against a naive xmldom consumer", () => {
  const results = new Map<string, CaseResult>();
  beforeAll(async () => {
    const target = naiveTarget(false);
    for (const c of consumerCases) results.set(c.id, await runCase(c, target));
  }, 120_000);

  it("every DTD attack FAILs citing SAML-NO-DTD (the DOCTYPE was accepted)", () => {
    for (const a of XML_ATTACKS.filter((x) => x.dtd)) {
      const r = results.get(`security/xml/consumer-${a.name}`)!;
      expect([a.name, r.verdict, r.failedRequirement], r.message).toEqual([a.name, "FAIL", "SAML-NO-DTD"]);
      expect(r.message).toMatch(/accepted a token in a document carrying a DTD/);
    }
  });

  it("the unlimited parser also takes the size attacks (WARN: ROBUST-LIMITS is a SHOULD), and no case errs", () => {
    const verdicts = Object.fromEntries([...results].map(([id, r]) => [id.replace("security/xml/consumer-", ""), r.verdict]));
    expect(Object.values(verdicts).filter((v) => v === "ERROR")).toEqual([]);
    for (const a of XML_ATTACKS.filter((x) => !x.dtd)) expect(verdicts[a.name], a.name).toBe("WARN");
  });

  it("a consumer that resolves external identifiers is caught by the canary", async () => {
    const target = naiveTarget(true);
    for (const n of ["external-dtd", "external-parameter-entity", "xxe-external-entity"]) {
      const r = await runCase(consumerCases.find((c) => c.id === `security/xml/consumer-${n}`)!, target);
      expect(r.verdict, n).toBe("FAIL");
      expect(r.message, n).toMatch(/the consumer fetched the canary \(GET \//);
    }
  }, 60_000);
});
