// Each harness RP defect, over HTTP through the RelyingPartyTarget adapter: the clean RP refuses (or behaves), the
// defective one does the wrong thing. And every defect names requirements that exist in the catalogue.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeClock } from "../../protocol/clock.ts";
import { DSIG } from "../../protocol/namespaces.ts";
import { signAssertion, unsignedAssertion } from "../../protocol/saml/build.ts";
import type { AssertionSpec } from "../../protocol/saml/model.ts";
import type { SigningKey } from "../../protocol/dsig/sign.ts";
import { generateSelfSignedCertificate } from "../../protocol/x509/certificate.ts";
import { buildWresult } from "../../protocol/wsfed/wresult.ts";
import { RP_DEFECTS, RP_DEFECT_NAMES, type RpDefectName } from "../../adapters/harness-rp/defects.ts";
import type { HarnessRpInstance } from "../../adapters/harness-rp/server.ts";
import { referenceRelyingPartyTarget, type RelyingPartyTarget } from "../../adapters/relying-party-target.ts";
import { loadCatalogue } from "../../suites/requirements/catalogue.ts";

const NOW = Date.UTC(2026, 6, 1, 12, 0, 0);
const ISSUER = "urn:wsconform:defects-idp";
const clock = new FakeClock(NOW);
let key: SigningKey;
let attacker: SigningKey;
type Rp = RelyingPartyTarget & { rp: HarnessRpInstance };
let clean: Rp;
const defective = new Map<RpDefectName, Rp>();

let seq = 0;
function spec(rp: Rp, over: Partial<AssertionSpec> = {}): AssertionSpec {
  return {
    version: "1.1",
    id: `_d${++seq}`,
    issuer: ISSUER,
    issueInstant: clock.now(),
    subject: { nameId: "alice@example.test" },
    confirmation: { method: "bearer" },
    notBefore: clock.now(),
    notOnOrAfter: clock.now() + 3_600_000,
    audiences: [rp.realm],
    authn: { method: "urn:oasis:names:tc:1.0:am:password", instant: clock.now() },
    attributes: [{ name: "role", values: ["user"], nameFormatOrNamespace: "http://schemas.xmlsoap.org/claims" }],
    ...over,
  };
}

const wresult = (assertionXml: string) => buildWresult({ format: "2005", assertionXml });

/** Sign in with one wresult in a fresh session; true when a session was established. */
async function signsIn(rp: Rp, w: string): Promise<boolean> {
  const s = rp.newSession();
  await s.postWresult(w);
  return s.signedIn();
}

/** What the RP made of the last sign-in it received. */
function lastSignIn(rp: Rp) {
  return rp.rp.calls().filter((c) => c.method === "POST").at(-1)!;
}

/** Each scenario answers: did the RP do the wrong thing? */
const SCENARIOS: Record<RpDefectName, (rp: Rp) => Promise<boolean>> = {
  "accept-unsigned": (rp) => signsIn(rp, wresult(unsignedAssertion(spec(rp)))),
  "trust-keyinfo-cert": (rp) => signsIn(rp, wresult(signAssertion(spec(rp), attacker))),
  "accept-xsw": async (rp) => {
    // The signed original hidden in an RSTR extension; an evil twin (same ID, another subject) as the token.
    const s = spec(rp);
    const good = signAssertion(s, key);
    const evil = good.replaceAll("alice@example.test", "admin@example.test");
    const w = wresult(evil).replace("</t:RequestSecurityTokenResponse>", `<x:Hidden xmlns:x="urn:x">${good}</x:Hidden></t:RequestSecurityTokenResponse>`);
    const session = rp.newSession();
    await session.postWresult(w);
    return (await session.signedIn()) && lastSignIn(rp).reason === "subject admin@example.test";
  },
  "skip-issuer": (rp) => signsIn(rp, wresult(signAssertion(spec(rp, { issuer: "urn:not-the-idp" }), key))),
  "skip-lifetime": (rp) => signsIn(rp, wresult(signAssertion(spec(rp, { notBefore: NOW - 7_200_000, notOnOrAfter: NOW - 3_600_000 }), key))),
  "skip-audience": (rp) => signsIn(rp, wresult(signAssertion(spec(rp, { audiences: ["urn:some-other-rp"] }), key))),
  "no-assertion-replay-cache": async (rp) => {
    const w = wresult(signAssertion(spec(rp), key));
    expect(await signsIn(rp, w)).toBe(true);
    return signsIn(rp, w);
  },
  "nameid-truncated-at-comment": async (rp) => {
    const xml = signAssertion(spec(rp, { subject: { nameId: "alice@example.test.evil.test" } }), key).replaceAll(
      "alice@example.test.evil.test",
      "alice@example.test<!---->.evil.test",
    );
    expect(await signsIn(rp, wresult(xml))).toBe(true);
    return lastSignIn(rp).reason !== "subject alice@example.test.evil.test";
  },
  "cleanup-keeps-session": async (rp) => {
    const s = rp.newSession();
    await s.postWresult(wresult(signAssertion(spec(rp), key)));
    expect(await s.signedIn()).toBe(true);
    const x = await s.cleanup();
    expect(x).toMatchObject({ status: 200, contentType: "image/gif" });
    return s.signedIn();
  },
  "cleanup-follows-any-wreply": async (rp) => {
    const x = await rp.newSession().cleanup("https://evil.test/phish");
    return x.redirected === true && x.location === "https://evil.test/phish";
  },
};

beforeAll(async () => {
  const mk = (cn: string) => {
    const c = generateSelfSignedCertificate({ commonName: cn, notBeforeMs: NOW - 86_400_000, notAfterMs: NOW + 86_400_000 * 365 });
    return { privateKey: c.privateKey, certDer: c.certDer };
  };
  key = mk("defects idp");
  attacker = mk("attacker");
  clean = await referenceRelyingPartyTarget({ clock, signingKey: key, issuer: ISSUER });
  for (const d of RP_DEFECT_NAMES) defective.set(d, await referenceRelyingPartyTarget({ clock, signingKey: key, issuer: ISSUER, defects: [d] }));
});

afterAll(async () => {
  await Promise.all([clean, ...defective.values()].map((t) => t.close()));
});

describe("harness RP defects", () => {
  it("every defect has a scenario and names catalogued requirements", () => {
    expect(Object.keys(SCENARIOS).sort()).toEqual([...RP_DEFECT_NAMES].sort());
    const catalogue = loadCatalogue();
    for (const [name, info] of Object.entries(RP_DEFECTS)) {
      expect(info.breaks.length, name).toBeGreaterThan(0);
      for (const id of info.breaks) expect(catalogue.has(id), `${name} breaks ${id}`).toBe(true);
    }
  });

  it.each(RP_DEFECT_NAMES)("%s: the clean RP behaves, the defective one does not", async (d) => {
    expect(await SCENARIOS[d](clean)).toBe(false);
    expect(await SCENARIOS[d](defective.get(d)!)).toBe(true);
  });

  it("a defect does not leak into other rules: the XSW-defective RP still refuses an unsigned token", async () => {
    const rp = defective.get("accept-xsw")!;
    expect(await signsIn(rp, wresult(unsignedAssertion(spec(rp))))).toBe(false);
    expect(lastSignIn(rp).reason).toMatch(/^unsigned/);
  });
});
