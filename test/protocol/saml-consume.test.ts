// The strict SAML consumer (digest §6 checklist): good SAML 1.1 and 2.0 tokens are accepted; every class of bad
// token is refused with its code; each rule, switched off, changes the outcome.
import { XMLSerializer } from "@xmldom/xmldom";
import { beforeAll, describe, expect, it } from "vitest";
import { FakeClock } from "../../protocol/clock.ts";
import { DSIG, NS } from "../../protocol/namespaces.ts";
import { signAssertion, unsignedAssertion } from "../../protocol/saml/build.ts";
import { AssertionReplayCache, SamlConsumer, type ConsumerOptions, type ConsumerRule, type ConsumeResult, type RejectionCode } from "../../protocol/saml/consume.ts";
import type { AssertionSpec } from "../../protocol/saml/model.ts";
import { signElementEnveloped, type SigningKey } from "../../protocol/dsig/sign.ts";
import { trustAnchorFromCert, type TrustAnchor } from "../../protocol/dsig/verify.ts";
import { generateSelfSignedCertificate } from "../../protocol/x509/certificate.ts";
import { parseXml } from "../../protocol/xml/safe-parse.ts";
import { children, descendants } from "../../protocol/xml/dom.ts";
import { buildWresult, parseWresult } from "../../protocol/wsfed/wresult.ts";

const NOW = Date.UTC(2026, 3, 1, 9, 0, 0);
const REALM = "urn:wsconform:rp:consume";
const ISSUER = "urn:wsconform:idp";
const REPLY = "https://127.0.0.1:9/rp/";
const SKEW = 120;

let idp: SigningKey;
let attacker: SigningKey;
let anchors: TrustAnchor[];

beforeAll(() => {
  const mk = (cn: string) => {
    const c = generateSelfSignedCertificate({ commonName: cn, notBeforeMs: NOW - 86_400_000, notAfterMs: NOW + 365 * 86_400_000 });
    return { privateKey: c.privateKey, certDer: c.certDer };
  };
  idp = mk("wsconform test idp");
  attacker = mk("attacker");
  anchors = [trustAnchorFromCert(idp.certDer)];
});

let seq = 0;
function spec(version: "1.1" | "2.0", over: Partial<AssertionSpec> = {}): AssertionSpec {
  return {
    version,
    id: `_a${++seq}`,
    issuer: ISSUER,
    issueInstant: NOW,
    subject: { nameId: "alice@example.test" },
    confirmation: version === "2.0" ? { method: "bearer", notOnOrAfter: NOW + 600_000, recipient: REPLY } : { method: "bearer" },
    notBefore: NOW - 60_000,
    notOnOrAfter: NOW + 3_600_000,
    audiences: [REALM],
    authn: { method: "urn:oasis:names:tc:SAML:2.0:ac:classes:Password", instant: NOW },
    attributes: [
      version === "2.0"
        ? { name: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/role", values: ["admin", "user"] }
        : { name: "role", values: ["admin", "user"], nameFormatOrNamespace: "http://schemas.xmlsoap.org/claims" },
    ],
    ...over,
  };
}

function consumer(over: Partial<ConsumerOptions> & { clock?: FakeClock } = {}): SamlConsumer {
  return new SamlConsumer({ anchors, issuers: [ISSUER], audience: REALM, recipients: [REPLY], clock: new FakeClock(NOW), skewSeconds: SKEW, ...over });
}

function root(xml: string): Element {
  return parseXml(xml).documentElement!;
}

function refused(r: ConsumeResult, code: RejectionCode): void {
  if (r.ok) throw new Error(`accepted; expected ${code}`);
  expect({ code: r.code, reason: r.reason }).toMatchObject({ code });
  expect(r.rules.length).toBeGreaterThan(0);
}

/** Parse, change, sign again with `key` (for shapes the builder will not write). */
function resign(xml: string, mutate: (a: Element, doc: Document) => void, key: SigningKey = idp): string {
  const doc = parseXml(xml);
  const a = doc.documentElement!;
  mutate(a, doc);
  const v2 = a.namespaceURI === NS.saml2;
  signElementEnveloped(doc, a, v2 ? "ID" : "AssertionID", key, undefined, v2 ? children(a)[1] : null);
  return new XMLSerializer().serializeToString(doc as unknown as Parameters<XMLSerializer["serializeToString"]>[0]);
}

describe.each(["2.0", "1.1"] as const)("SAML %s: accepted", (version) => {
  it("a correctly signed token, standalone and inside a wresult", () => {
    const s = spec(version);
    const xml = signAssertion(s, idp);
    const r = consumer().consume(root(xml));
    expect(r).toMatchObject({ ok: true, subject: "alice@example.test", assertionId: s.id, issuer: ISSUER, samlVersion: version, notOnOrAfter: s.notOnOrAfter });
    const type = version === "2.0" ? "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/role" : "http://schemas.xmlsoap.org/claims/role";
    expect(r.ok && r.claims).toEqual({ [type]: ["admin", "user"] });

    const s2 = spec(version);
    const w = parseWresult(buildWresult({ format: "2005", soap: "1.1", assertionXml: signAssertion(s2, idp), appliesTo: REALM }));
    if (w.kind !== "token") throw new Error("token expected");
    expect(consumer().consume(w.assertion)).toMatchObject({ ok: true, assertionId: s2.id });
  });

  it("a SAML 2.0 signature without KeyInfo verifies with the pinned key (SAML-KEYINFO-OPTIONAL)", () => {
    expect(consumer().consume(root(signAssertion(spec(version), idp, { keyInfo: "none" })))).toMatchObject({ ok: true });
  });

  it("rsa-sha512 is accepted", () => {
    expect(consumer().consume(root(signAssertion(spec(version), idp, { signatureAlgorithm: DSIG.rsaSha512, digestAlgorithm: DSIG.sha512 })))).toMatchObject({ ok: true });
  });
});

describe.each(["2.0", "1.1"] as const)("SAML %s: refused", (version) => {
  it("unsigned (SAML-SIGNED)", () => {
    refused(consumer().consume(root(unsignedAssertion(spec(version)))), "unsigned");
  });

  it("tampered after signing", () => {
    const xml = signAssertion(spec(version), idp).replace("alice@example.test", "admin@example.test");
    refused(consumer().consume(root(xml)), "bad-signature");
  });

  it("signed by another key whose certificate is in KeyInfo (SAML-SIG-KEY-TRUSTED)", () => {
    refused(consumer().consume(root(signAssertion(spec(version), attacker))), "untrusted-key");
  });

  it("signed by the right key but naming another certificate in KeyInfo", () => {
    const xml = signAssertion(spec(version), idp);
    const other = attacker.certDer.toString("base64");
    const swapped = xml.replace(/<ds:X509Certificate>[^<]+<\/ds:X509Certificate>/, `<ds:X509Certificate>${other}</ds:X509Certificate>`);
    expect(swapped).not.toBe(xml);
    refused(consumer().consume(root(swapped)), "untrusted-key");
  });

  it("rsa-sha1 (SAML-SIG-ALG)", () => {
    refused(consumer().consume(root(signAssertion(spec(version), idp, { signatureAlgorithm: DSIG.rsaSha1, digestAlgorithm: DSIG.sha1 }))), "weak-algorithm");
  });

  it("a wrapped evil assertion next to the signed one (XSW: signed original moved aside)", () => {
    const s = spec(version);
    const good = signAssertion(s, idp);
    // The evil twin: same ID, another subject, carrying a copy of the good signature.
    const evil = good.replaceAll("alice@example.test", "admin@example.test");
    const doc = root(`<w:Wrap xmlns:w="urn:wrap"><w:Token>${evil}</w:Token><w:Hidden>${good}</w:Hidden></w:Wrap>`);
    const evilEl = descendants(doc, s.version === "2.0" ? NS.saml2 : NS.saml11, "Assertion")[0]!;
    refused(consumer().consume(evilEl), "signature-wrapping");
  });

  it("an evil assertion with another ID and the original's signature, alone in its document", () => {
    const s = spec(version);
    const good = signAssertion(s, idp);
    const evil = good.replace("alice@example.test", "admin@example.test").replace(new RegExp(`(ID)="${s.id}"`), `$1="_evil"`);
    refused(consumer().consume(root(evil)), "signature-wrapping");
  });

  it("a duplicate ID elsewhere in the document", () => {
    const s = spec(version);
    const doc = root(`<w:Wrap xmlns:w="urn:wrap">${signAssertion(s, idp)}<w:Other ID="${s.id}"/></w:Wrap>`);
    refused(consumer().consume(children(doc)[0]!), "signature-wrapping");
  });

  it("a signature that is not on the assertion (in a wrapper) leaves the assertion unsigned", () => {
    const s = spec(version);
    const good = signAssertion(s, idp);
    const sig = /<ds:Signature[\s\S]*<\/ds:Signature>/.exec(good)![0];
    const bare = good.replace(sig, "");
    const doc = root(`<w:Wrap xmlns:w="urn:wrap">${bare}${sig}</w:Wrap>`);
    refused(consumer().consume(children(doc)[0]!), "unsigned");
  });

  it("the wrong issuer, correctly signed (SAML-ISSUER-TRUSTED)", () => {
    refused(consumer().consume(root(signAssertion(spec(version, { issuer: "urn:other-idp" }), idp))), "wrong-issuer");
  });

  it("the wrong audience, no audience (SAML-AUDIENCE)", () => {
    refused(consumer().consume(root(signAssertion(spec(version, { audiences: ["urn:other-rp"] }), idp))), "wrong-audience");
    refused(consumer().consume(root(signAssertion(spec(version, { audiences: [] }), idp))), "no-audience");
  });

  it("two audience restrictions, only one naming the RP (SAML-AUDIENCE-EACH)", () => {
    const ns = version === "2.0" ? NS.saml2 : NS.saml11;
    const name = version === "2.0" ? "AudienceRestriction" : "AudienceRestrictionCondition";
    const xml = resign(unsignedAssertion(spec(version)), (a, doc) => {
      const cond = children(a, ns, "Conditions")[0]!;
      const r = doc.createElementNS(ns, `${cond.prefix}:${name}`);
      const aud = doc.createElementNS(ns, `${cond.prefix}:Audience`);
      aud.appendChild(doc.createTextNode("urn:other-rp"));
      r.appendChild(aud);
      cond.appendChild(r);
    });
    refused(consumer().consume(root(xml)), "wrong-audience");
  });

  it("a bad version, signed (SAML-VERSION)", () => {
    const xml = resign(unsignedAssertion(spec(version)), (a) => {
      if (version === "2.0") a.setAttribute("Version", "1.9");
      else a.setAttribute("MinorVersion", "0");
    });
    refused(consumer().consume(root(xml)), "bad-version");
  });

  it("an unknown condition (SAML-CONDITIONS-UNKNOWN)", () => {
    const ns = version === "2.0" ? NS.saml2 : NS.saml11;
    const xml = resign(unsignedAssertion(spec(version)), (a, doc) => {
      children(a, ns, "Conditions")[0]!.appendChild(doc.createElementNS("urn:x", "x:Unknown"));
    });
    refused(consumer().consume(root(xml)), "indeterminate-condition");
  });

  it("a reversed window (SAML-VALIDITY-ORDER)", () => {
    refused(consumer().consume(root(signAssertion(spec(version, { notBefore: NOW + 10_000, notOnOrAfter: NOW + 10_000 }), idp))), "bad-window");
  });

  it("sender-vouches (a passive RP takes bearer only)", () => {
    refused(consumer().consume(root(signAssertion(spec(version, { confirmation: { method: "sender-vouches" } }), idp))), "unsupported-confirmation");
  });

  it("replayed (SAML-REPLAY): refused the second time; the cache is bounded and fails closed", () => {
    const c = consumer();
    const xml = signAssertion(spec(version), idp);
    expect(c.consume(root(xml)).ok).toBe(true);
    refused(c.consume(root(xml)), "replay");
    const tiny = consumer({ replayCache: new AssertionReplayCache(new FakeClock(NOW), 1) });
    expect(tiny.consume(root(signAssertion(spec(version), idp))).ok).toBe(true);
    refused(tiny.consume(root(signAssertion(spec(version), idp))), "replay-cache-full");
  });
});

describe("time window at the exact boundaries (NotBefore - skew <= now < NotOnOrAfter + skew)", () => {
  const NB = NOW;
  const NA = NOW + 3_600_000;
  const cases: [string, number, RejectionCode | "ok"][] = [
    ["one ms before NotBefore - skew", NB - SKEW * 1000 - 1, "not-yet-valid"],
    ["at NotBefore - skew", NB - SKEW * 1000, "ok"],
    ["at NotBefore", NB, "ok"],
    ["at NotOnOrAfter", NA, "ok"],
    ["one ms before NotOnOrAfter + skew", NA + SKEW * 1000 - 1, "ok"],
    ["at NotOnOrAfter + skew", NA + SKEW * 1000, "expired"],
  ];
  it.each(cases)("%s", (_, now, expected) => {
    for (const version of ["1.1", "2.0"] as const) {
      const xml = signAssertion(spec(version, { notBefore: NB, notOnOrAfter: NA, confirmation: { method: "bearer" } }), idp);
      const r = consumer({ clock: new FakeClock(now) }).consume(root(xml));
      if (expected === "ok") expect(r).toMatchObject({ ok: true });
      else refused(r, expected);
    }
  });
  it("with no skew, NotOnOrAfter itself is already too late", () => {
    const xml = signAssertion(spec("2.0", { notBefore: NB, notOnOrAfter: NA, confirmation: { method: "bearer" } }), idp);
    refused(consumer({ clock: new FakeClock(NA), skewSeconds: 0 }).consume(root(xml)), "expired");
    expect(consumer({ clock: new FakeClock(NA - 1), skewSeconds: 0 }).consume(root(xml)).ok).toBe(true);
  });
});

describe("SAML 2.0 bearer SubjectConfirmationData (SAML-SC-BEARER-DATA)", () => {
  it("NotOnOrAfter passed (beyond the skew) is refused", () => {
    const xml = signAssertion(spec("2.0", { confirmation: { method: "bearer", notOnOrAfter: NOW - SKEW * 1000 } }), idp);
    refused(consumer().consume(root(xml)), "confirmation-expired");
  });
  it("a Recipient other than this RP is refused; none at all is fine", () => {
    refused(consumer().consume(root(signAssertion(spec("2.0", { confirmation: { method: "bearer", recipient: "https://evil.test/acs" } }), idp))), "wrong-recipient");
    expect(consumer().consume(root(signAssertion(spec("2.0", { confirmation: { method: "bearer", notOnOrAfter: NOW + 60_000 } }), idp))).ok).toBe(true);
  });
});

describe("comments inside identity-bearing text", () => {
  // Signed as one value; the comment, added after signing, is invisible to exc-c14n, so the signature still holds.
  it.each(["2.0", "1.1"] as const)("SAML %s: the full NameID and attribute values are read, never a truncated one", (version) => {
    const s = spec(version, {
      subject: { nameId: "alice@example.test.evil.test" },
      attributes: [{ name: "role", values: ["user-not-admin"], nameFormatOrNamespace: version === "1.1" ? "urn:ns" : undefined }],
    });
    const xml = signAssertion(s, idp).replace("alice@example.test.evil.test", "alice@example.test<!--x-->.evil.test").replace(">user-not-admin<", ">user<!---->-not-admin<");
    expect(xml).toContain("<!--x-->");
    const r = consumer().consume(root(xml));
    expect(r).toMatchObject({ ok: true, subject: "alice@example.test.evil.test" });
    expect(r.ok && Object.values(r.claims)).toEqual([["user-not-admin"]]);
    // The defect reads the first text node only: the identity an attacker wanted.
    const bad = consumer({ off: ["full-text"] }).consume(root(xml));
    expect(bad).toMatchObject({ ok: true, subject: "alice@example.test" });
    expect(bad.ok && Object.values(bad.claims)).toEqual([["user"]]);
  });
  it("CDATA and entity-split values are read whole", () => {
    const xml = signAssertion(spec("2.0", { subject: { nameId: "bob&co" } }), idp).replace("bob&amp;co", "b<![CDATA[ob]]>&amp;co");
    expect(consumer().consume(root(xml))).toMatchObject({ ok: true, subject: "bob&co" });
  });
});

describe("each rule, switched off, changes the outcome", () => {
  const off = (rule: ConsumerRule) => consumer({ off: [rule] });
  it("signature-required", () => {
    const xml = unsignedAssertion(spec("2.0"));
    refused(consumer().consume(root(xml)), "unsigned");
    expect(off("signature-required").consume(root(xml)).ok).toBe(true);
    // A present signature is still checked.
    refused(off("signature-required").consume(root(signAssertion(spec("2.0"), attacker))), "untrusted-key");
  });
  it("anchors-only", () => {
    expect(off("anchors-only").consume(root(signAssertion(spec("2.0"), attacker)))).toMatchObject({ ok: true });
  });
  it("signature-covers (XSW accepted, evil subject processed)", () => {
    const s = spec("1.1");
    const good = signAssertion(s, idp);
    const evil = good.replaceAll("alice@example.test", "admin@example.test");
    const doc = root(`<w:Wrap xmlns:w="urn:wrap"><w:Token>${evil}</w:Token><w:Hidden>${good}</w:Hidden></w:Wrap>`);
    const evilEl = descendants(doc, NS.saml11, "Assertion")[0]!;
    expect(off("signature-covers").consume(evilEl)).toMatchObject({ ok: true, subject: "admin@example.test" });
  });
  it("strong-algorithms", () => {
    expect(off("strong-algorithms").consume(root(signAssertion(spec("2.0"), idp, { signatureAlgorithm: DSIG.rsaSha1, digestAlgorithm: DSIG.sha1 }))).ok).toBe(true);
  });
  it("issuer, audience, lifetime", () => {
    expect(off("issuer").consume(root(signAssertion(spec("2.0", { issuer: "urn:other" }), idp))).ok).toBe(true);
    expect(off("audience").consume(root(signAssertion(spec("2.0", { audiences: ["urn:other"] }), idp))).ok).toBe(true);
    const expired = signAssertion(spec("2.0", { notBefore: NOW - 7_200_000, notOnOrAfter: NOW - 3_600_000, confirmation: { method: "bearer" } }), idp);
    refused(consumer().consume(root(expired)), "expired");
    expect(off("lifetime").consume(root(expired)).ok).toBe(true);
  });
  it("replay", () => {
    const c = off("replay");
    const xml = signAssertion(spec("1.1"), idp);
    expect(c.consume(root(xml)).ok).toBe(true);
    expect(c.consume(root(xml)).ok).toBe(true);
  });
  it("an unknown rule name is a configuration error", () => {
    expect(() => consumer({ off: ["nope" as ConsumerRule] })).toThrow(/unknown consumer rule/);
  });
});
