// The passive IdP and the metadata over real HTTP on loopback (reference/http.ts, undici fetch, cookies by hand):
// metadata from the well-known path passes the checker and its certificate verifies a token got through the login
// form; sign-out propagates to three realms and ends the session.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { request as httpRequest } from "node:http";
import { fetch } from "undici";
import { FakeClock } from "../../protocol/clock.ts";
import { trustAnchorFromCert } from "../../protocol/dsig/verify.ts";
import { verifyAssertion } from "../../protocol/saml/parse.ts";
import { checkFederationMetadata, parseFederationMetadata } from "../../protocol/wsfed/metadata.ts";
import { DEMO_REALMS } from "../../reference/config.ts";
import { endpointListing, serve, type RunningServer } from "../../reference/http.ts";
import { ReferenceIdp } from "../../reference/passive/idp.ts";
import { ReferenceSts } from "../../reference/sts.ts";
import { START, testKeys } from "../helpers/reference.ts";
import { formsOf, imagesOf, readWresult, signInUrl } from "./passive-support.ts";

let running: RunningServer;
let sts: ReferenceSts;
let idp: ReferenceIdp;

beforeAll(async () => {
  sts = new ReferenceSts({ clock: new FakeClock(START), keys: testKeys() });
  idp = new ReferenceIdp(sts.context);
  running = await serve(sts, { port: 0, idp });
});

afterAll(async () => {
  await running.close();
});

/** A browser reduced to what the test needs: one cookie, GET and form POST, no redirects. */
class HttpBrowser {
  cookie?: string;
  login?: string;
  async request(path: string, init: { method?: string; form?: Record<string, string> } = {}) {
    const headers: Record<string, string> = {};
    const jar = [this.cookie && `wsconform_idp=${this.cookie}`, this.login && path.startsWith("/adfs/ls") && `wsconform_idp_login=${this.login}`].filter(Boolean);
    if (jar.length) headers.cookie = jar.join("; ");
    if (init.form) headers["content-type"] = "application/x-www-form-urlencoded";
    const res = await fetch(`${running.url}${path}`, {
      method: init.method ?? (init.form ? "POST" : "GET"),
      headers,
      body: init.form ? new URLSearchParams(init.form).toString() : undefined,
      redirect: "manual",
    });
    const setCookie = res.headers.getSetCookie();
    for (const c of setCookie) {
      const m = /^wsconform_idp=([^;]*)/.exec(c);
      if (m) this.cookie = /max-age=0/i.test(c) || !m[1] ? undefined : m[1];
      const l = /^wsconform_idp_login=([^;]*)/.exec(c);
      if (l) this.login = l[1];
    }
    return { status: res.status, headers: res.headers, setCookie, body: await res.text() };
  }
  async signIn(realm: string, wctx?: string) {
    let page = await this.request(signInUrl({ wtrealm: realm, wctx }));
    let f = formsOf(page.body);
    const login = f.find((x) => x.inputTypes.Password === "password");
    if (login) {
      page = await this.request(login.action!, { form: { ...login.fields, UserName: "alice", Password: "ecila" } });
      f = formsOf(page.body);
    }
    const resp = f.find((x) => x.fields.wresult !== undefined);
    return { page, resp, prompted: !!login };
  }
}

describe("passive IdP over HTTP", () => {
  it("serves signed metadata at the well-known path and the AD FS alias; the checker finds no problem (F35-F47)", async () => {
    const b = new HttpBrowser();
    const r = await b.request("/FederationMetadata/2007-06/FederationMetadata.xml");
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toMatch(/^application\/samlmetadata\+xml/);
    const anchors = [trustAnchorFromCert(testKeys().signing.primary.certDer)];
    const c = checkFederationMetadata(r.body, { anchors, url: `${running.url}/FederationMetadata/2007-06/FederationMetadata.xml` });
    expect(c.problems).toEqual([]);
    expect(c.signature).toBe("valid");
    const md = c.metadata!;
    expect(md.entityId).toBe(sts.config.issuer);
    const role = md.securityTokenServices[0]!;
    // Both keys of the rollover pair are published, the active one first.
    expect(role.signingCertificates.length).toBe(2);
    expect(role.signingCertificates[0]!.equals(testKeys().signing.primary.certDer)).toBe(true);
    expect(role.signingCertificates[1]!.equals(testKeys().signing.secondary.certDer)).toBe(true);
    expect(role.passiveRequestorEndpoints).toEqual([`${running.url}/adfs/ls/`]);
    expect(role.securityTokenServiceEndpoints).toEqual([`${running.url}/adfs/services/trust/13/usernamemixed`]);
    expect(md.applications.length).toBe(1);
    const alias = await b.request("/adfs/ls/federationmetadata/2007-06/federationmetadata.xml");
    expect(alias.body).toBe(r.body);
    // HEAD answers the headers only.
    const head = await b.request("/FederationMetadata/2007-06/FederationMetadata.xml", { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.body).toBe("");
  });

  it("a Host header that is not loopback does not reach the signed metadata", async () => {
    // node:http sends the Host header as given (fetch may not let a caller set it).
    const get = (host: string) =>
      new Promise<string>((resolve, reject) => {
        const req = httpRequest(`${running.url}/FederationMetadata/2007-06/FederationMetadata.xml`, { headers: { host } }, (res) => {
          let body = "";
          res.setEncoding("utf8");
          res.on("data", (c: string) => (body += c));
          res.on("end", () => resolve(body));
        });
        req.on("error", reject);
        req.end();
      });
    const port = new URL(running.url).port;
    const passive = async (host: string) => parseFederationMetadata(await get(host)).securityTokenServices[0]!.passiveRequestorEndpoints;
    expect(await passive("evil.example")).toEqual([`${running.url}/adfs/ls/`]);
    // A loopback name is believed (the browser may say localhost).
    expect(await passive(`localhost:${port}`)).toEqual([`http://localhost:${port}/adfs/ls/`]);
  });

  it("signs in through the login form; the token verifies with the certificate read from the served metadata", async () => {
    const b = new HttpBrowser();
    const mdRes = await b.request("/FederationMetadata/2007-06/FederationMetadata.xml");
    const anchors = parseFederationMetadata(mdRes.body).securityTokenServices[0]!.signingCertificates.map((c) => trustAnchorFromCert(c));
    const wctx = `ru=/päge?a=1&b="2"+3 <x> 'y' %25`;
    const first = await b.request(signInUrl({ wtrealm: DEMO_REALMS.saml20, wctx }));
    expect(first.status).toBe(200);
    expect(first.setCookie.filter((c) => c.startsWith("wsconform_idp="))).toEqual([]);
    const { resp, page, prompted } = await b.signIn(DEMO_REALMS.saml20, wctx);
    expect(prompted).toBe(true);
    expect(page.setCookie[0]).toMatch(/HttpOnly/);
    expect(b.cookie).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(resp!.action).toBe("https://rp.wsconform.test/saml20/");
    expect(resp!.fields.wctx).toBe(wctx);
    const v = verifyAssertion(readWresult(resp!.fields.wresult!).assertion, anchors);
    expect(v.ok, v.ok ? "" : v.reason).toBe(true);
    expect(v.ok && v.assertion.audiences).toEqual([DEMO_REALMS.saml20]);
  });

  it("three realms in one session, then sign-out: three cleanup images, the session is gone, the next sign-in asks for credentials", async () => {
    const b = new HttpBrowser();
    for (const realm of [DEMO_REALMS.saml20, DEMO_REALMS.saml11, DEMO_REALMS.web]) expect((await b.signIn(realm)).resp).toBeDefined();
    const before = idp.sessions.size;
    const out = await b.request("/adfs/ls/?wa=wsignout1.0");
    expect(out.status).toBe(200);
    expect(imagesOf(out.body)).toEqual([
      "https://rp.wsconform.test/saml20/?wa=wsignoutcleanup1.0",
      "https://rp.wsconform.test/saml11/?wa=wsignoutcleanup1.0",
      "https://rp.wsconform.test/app/?wa=wsignoutcleanup1.0",
    ]);
    expect(b.cookie).toBeUndefined();
    expect(idp.sessions.size).toBe(before - 1);
    expect((await b.signIn(DEMO_REALMS.saml20)).prompted).toBe(true);
  });

  it("refusals over HTTP are HTML error pages with 4xx, and the STS endpoints still answer SOAP", async () => {
    const b = new HttpBrowser();
    const r = await b.request(signInUrl({ wtrealm: DEMO_REALMS.saml20, wreply: "https://attacker.example/" }));
    expect(r.status).toBe(400);
    expect(r.headers.get("content-type")).toMatch(/^text\/html/);
    expect(r.body).not.toContain("wresult");
    const big = await b.request("/adfs/ls/", { form: { pending: "x".repeat(70_000) } });
    expect(big.status).toBe(413);
    const soap = await fetch(`${running.url}/adfs/services/trust/13/usernamemixed`, { method: "POST", headers: { "content-type": "application/soap+xml" }, body: "<x/>" });
    expect(soap.status).toBe(400);
    expect(await soap.text()).toContain("InvalidRequest");
  });

  it("the endpoint listing names the passive and metadata URLs", async () => {
    const listing = endpointListing(sts, running.url);
    expect(listing).toContain(`${running.url}/adfs/ls/`);
    expect(listing).toContain(`${running.url}/FederationMetadata/2007-06/FederationMetadata.xml`);
    expect((await new HttpBrowser().request("/")).body).toContain("/FederationMetadata/2007-06/FederationMetadata.xml");
  });
});
