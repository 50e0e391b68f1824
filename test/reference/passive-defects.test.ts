// Each WS-Federation defect of the switchboard changes the passive IdP's behaviour: the same scenario observes a
// different value on the clean reference and with the defect on (the passive half of test/reference/defects.test.ts).
import { describe, expect, it } from "vitest";
import { FakeClock } from "../../protocol/clock.ts";
import { parseAssertion } from "../../protocol/saml/parse.ts";
import { checkFederationMetadata } from "../../protocol/wsfed/metadata.ts";
import { DEMO_REALMS } from "../../reference/config.ts";
import { DEFECTS, DEFECT_NAMES, defectArea, type DefectName } from "../../reference/defects.ts";
import { ReferenceIdp } from "../../reference/passive/idp.ts";
import { ReferenceSts } from "../../reference/sts.ts";
import { START, testKeys } from "../helpers/reference.ts";
import { Browser, ORIGIN, formsOf, imagesOf, readWresult, signInResponse, signInUrl } from "./passive-support.ts";

function makeIdp(defects: string[]) {
  const sts = new ReferenceSts({ clock: new FakeClock(START), keys: testKeys(), defects });
  const idp = new ReferenceIdp(sts.context);
  return { idp, browser: new Browser(idp) };
}
type Ref = ReturnType<typeof makeIdp>;

async function signIn(b: Browser, params: Record<string, string>) {
  const first = await b.get(signInUrl(params));
  if (signInResponse(first)) return first;
  if (!formsOf(String(first.body)).some((f) => f.inputTypes.Password === "password")) return first;
  return b.login(first, "alice", "ecila");
}

/** What a scenario observes: the token's audience, the form's target, the pages' images... */
const SCENARIOS: Partial<Record<DefectName, (ref: Ref) => Promise<unknown>>> = {
  "wreply-not-checked": async ({ browser }) => signInResponse(await signIn(browser, { wtrealm: DEMO_REALMS.saml20, wreply: "https://attacker.example/" }))?.action ?? "refused",
  "wctx-altered": async ({ browser }) => signInResponse(await signIn(browser, { wtrealm: DEMO_REALMS.saml20, wctx: "ru=/a b&c=d" }))?.fields.wctx,
  "cleanup-not-propagated": async ({ browser }) => {
    await signIn(browser, { wtrealm: DEMO_REALMS.saml20 });
    await signIn(browser, { wtrealm: DEMO_REALMS.web });
    return imagesOf(String((await browser.get("/adfs/ls/?wa=wsignout1.0")).body));
  },
  "metadata-unsigned": async ({ idp }) => {
    const r = await idp.handle({ method: "GET", url: "/FederationMetadata/2007-06/FederationMetadata.xml", headers: {}, secure: false, origin: ORIGIN });
    return checkFederationMetadata(String(r.body)).signature;
  },
  "session-kept-after-signout": async ({ browser }) => {
    await signIn(browser, { wtrealm: DEMO_REALMS.saml20 });
    await browser.get("/adfs/ls/?wa=wsignout1.0");
    return signInResponse(await browser.get(signInUrl({ wtrealm: DEMO_REALMS.saml20 }))) ? "token without login" : "login";
  },
  "signout-wreply-not-checked": async ({ browser }) =>
    String((await browser.get(`/adfs/ls/?wa=wsignout1.0&wreply=${encodeURIComponent("https://attacker.example/")}`)).body).includes("https://attacker.example/"),
  "unknown-realm-issued": async ({ browser }) => signInResponse(await signIn(browser, { wtrealm: "https://unregistered.example/" }))?.action ?? "refused",
  "wfresh-ignored": async ({ browser }) => {
    await signIn(browser, { wtrealm: DEMO_REALMS.saml20 });
    return signInResponse(await browser.get(signInUrl({ wtrealm: DEMO_REALMS.saml20, wfresh: "0" }))) ? "token without login" : "login";
  },
  "audience-not-realm": async ({ browser }) => {
    const r = signInResponse(await signIn(browser, { wtrealm: DEMO_REALMS.saml20 }))!;
    return parseAssertion(readWresult(r.fields.wresult!).assertion).audiences;
  },
};

const IDP_DEFECTS = DEFECT_NAMES.filter((n) => defectArea(n) === "idp");

describe("WS-Fed defects", () => {
  it("every IdP-area defect has a scenario here, and each names the F rows it breaks", () => {
    expect(Object.keys(SCENARIOS).sort()).toEqual([...IDP_DEFECTS].sort());
    expect(IDP_DEFECTS.length).toBe(9);
    for (const n of IDP_DEFECTS) expect(DEFECTS[n].breaks.every((id) => /^F\d\d$/.test(id)), n).toBe(true);
    // The STS's defects stay in the STS area (the kill matrix iterates those).
    expect(defectArea("context-not-echoed")).toBe("sts");
  });

  for (const name of IDP_DEFECTS) {
    it(`${name} changes behaviour`, async () => {
      const clean = await SCENARIOS[name]!(makeIdp([]));
      const broken = await SCENARIOS[name]!(makeIdp([name]));
      expect(broken).not.toEqual(clean);
    });
  }

  it("the wfresh-ignored defect also drops the lifetime cap (F09)", async () => {
    const lifetime = async (defects: string[]) => {
      const { browser } = makeIdp(defects);
      const r = signInResponse(await signIn(browser, { wtrealm: DEMO_REALMS.saml20, wfresh: "5" }))!;
      const { rstr } = readWresult(r.fields.wresult!);
      return rstr.lifetime!.expires! - rstr.lifetime!.created!;
    };
    expect(await lifetime([])).toBe(300_000);
    expect(await lifetime(["wfresh-ignored"])).toBe(3600_000);
  });
});
