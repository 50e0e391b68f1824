// The passive-profile scenarios, run against both PassiveBrowser drivers with the same assertions: the undici
// driver (rules over parsed HTML) and Debian's Chromium (the pages' own scripts). Fixture servers on 127.0.0.1
// stand in for an IdP and three RPs. Chromium: a missing /usr/bin/chromium fails under CI=true, skips otherwise.
import { existsSync } from "node:fs";
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newBrowser, CHROMIUM_PATH, type BrowserDriverName, type PassiveBrowser } from "../../adapters/browser/index.ts";
import { generateSelfSignedCertificate } from "../../protocol/x509/certificate.ts";

const chromiumAvailable = process.env.CI === "true" || existsSync(CHROMIUM_PATH);

type Handler = (req: IncomingMessage, res: ServerResponse, body: string, url: URL) => void;

interface Fixture {
  url: string;
  hits: { method: string; path: string; cookie?: string; body: string }[];
  server: Server;
}

async function serve(handler: Handler, tls?: { key: string; cert: string }): Promise<Fixture> {
  const hits: Fixture["hits"] = [];
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const url = new URL(req.url ?? "/", "http://x");
      hits.push({ method: req.method ?? "", path: url.pathname + url.search, cookie: req.headers.cookie, body });
      handler(req, res, body, url);
    });
  };
  const server = tls ? createHttpsServer(tls, onRequest) : createHttpServer(onRequest);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const port = (server.address() as AddressInfo).port;
  return { url: `${tls ? "https" : "http"}://127.0.0.1:${port}`, hits, server };
}

async function stop(f: Fixture): Promise<void> {
  f.server.closeAllConnections();
  await new Promise<void>((r) => f.server.close(() => r()));
}

const html = (res: ServerResponse, body: string, headers: Record<string, string | string[]> = {}, status = 200): void => {
  res.writeHead(status, { "content-type": "text/html; charset=utf-8", ...headers });
  res.end(body);
};
// A 1x1 GIF: what WIF's cleanup handler answers.
const GIF = Buffer.from("R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==", "base64");

const cookie = (b: PassiveBrowser, url: string, name: string): string | undefined => b.cookies(url).find((c) => c.name === name)?.value;

function cookieOf(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? "").split(/;\s*/)) {
    const [k, ...v] = part.split("=");
    if (k === name) return v.join("=");
  }
  return undefined;
}

// Three RPs: POST wresult -> session cookie + 302 to /app; GET /app needs the cookie; cleanup clears it.
function rpHandler(name: string): Handler {
  return (req, res, body, url) => {
    if (req.method === "POST" && url.pathname === "/rp/") {
      const f = new URLSearchParams(body);
      if (f.get("wa") !== "wsignin1.0" || !f.get("wresult")) return html(res, "bad", {}, 400);
      res.writeHead(302, { location: `/app?ctx=${encodeURIComponent(f.get("wctx") ?? "")}`, "set-cookie": `${name}-session=s-${name}; Path=/; HttpOnly` });
      return res.end();
    }
    if (url.pathname === "/app") {
      return cookieOf(req, `${name}-session`) ? html(res, `<p>hello from ${name}, ctx=${url.searchParams.get("ctx")}</p>`) : html(res, "no session", {}, 401);
    }
    if (url.pathname === "/rp/" && url.searchParams.get("wa") === "wsignoutcleanup1.0") {
      const had = cookieOf(req, `${name}-session`) !== undefined;
      res.writeHead(200, {
        "content-type": "image/gif",
        "x-had-session": String(had),
        "set-cookie": `${name}-session=; Path=/; Max-Age=0`,
      });
      return res.end(GIF);
    }
    if (url.pathname === "/frame") return html(res, `<p>cleanup done for ${name}</p><img src="/rp/?wa=wsignoutcleanup1.0">`);
    html(res, "not found", {}, 404);
  };
}

const signInResponse = (rp: string, ctx: string): string => `<!DOCTYPE html>
<html><head><title>Working...</title></head><body>
<form method="POST" name="hiddenform" action="${rp}/rp/">
<input type="hidden" name="wa" value="wsignin1.0" />
<input type="hidden" name="wresult" value="&lt;t:RequestSecurityTokenResponse xmlns:t=&quot;http://schemas.xmlsoap.org/ws/2005/02/trust&quot;&gt;&lt;t:Lifetime/&gt;&lt;/t:RequestSecurityTokenResponse&gt;" />
<input type="hidden" name="wctx" value="rm=0&amp;id=passive&amp;ru=%2fapp" />
<noscript><p>Script is disabled. Click Submit to continue.</p><input type="submit" value="Submit" /></noscript>
</form>
<script language="javascript">window.setTimeout('document.forms[0].submit()', 0);</script>
</body></html>`;

let idp: Fixture;
let rps: Fixture[];
let tlsSite: Fixture;
let tlsCa: string;
let otherCa: string;

beforeAll(async () => {
  rps = [await serve(rpHandler("rp0")), await serve(rpHandler("rp1")), await serve(rpHandler("rp2"))];
  idp = await serve((req, res, body, url) => {
    const session = cookieOf(req, "idp-session");
    switch (url.pathname) {
      case "/adfs/ls/":
        if (url.searchParams.get("wa") === "wsignout1.0") {
          const tag = url.searchParams.get("frames") === "1" ? "iframe" : "img";
          const target = (rp: Fixture): string => (tag === "img" ? `${rp.url}/rp/?wa=wsignoutcleanup1.0` : `${rp.url}/frame`);
          return html(res, `<html><body><p>Signed out</p>${rps.map((rp) => `<${tag} src="${target(rp)}" width=1 height=1 ${tag === "iframe" ? "></iframe>" : "/>"}`).join("\n")}</body></html>`, {
            "set-cookie": "idp-session=; Path=/; Max-Age=0",
          });
        }
        if (!session) {
          res.writeHead(302, { location: `/login?return=${encodeURIComponent(url.pathname + url.search)}` });
          return res.end();
        }
        return html(res, signInResponse(rps[Number(url.searchParams.get("rp") ?? 0)]!.url, url.searchParams.get("wctx") ?? ""));
      case "/login":
        if (req.method === "POST") {
          const f = new URLSearchParams(body);
          if (f.get("UserName") === "alice" && f.get("Password") === "ecila" && f.get("AuthMethod") === "FormsAuthentication") {
            res.writeHead(302, { location: f.get("return") ?? "/", "set-cookie": ["idp-session=alice; Path=/; HttpOnly", "stale=1; Path=/; Max-Age=0"] });
            return res.end();
          }
          return html(res, loginPage(f.get("return") ?? "/", "Incorrect user ID or password."));
        }
        return html(res, loginPage(url.searchParams.get("return") ?? "/", ""));
      case "/loop":
        res.writeHead(302, { location: `/loop?n=${Number(url.searchParams.get("n") ?? 0) + 1}` });
        return res.end();
      case "/huge":
        return html(res, `<html><body>${"<p>padding padding padding</p>".repeat(200_000)}</body></html>`);
      case "/huge-chunked": {
        // No Content-Length: the limit has to be found while reading.
        res.writeHead(200, { "content-type": "text/html" });
        for (let i = 0; i < 40; i++) res.write(`<p>${"chunk ".repeat(5000)}</p>`);
        return res.end();
      }
      case "/hostile":
        return html(res, HOSTILE.replace("RP0", rps[0]!.url));
      case "/refresh":
        return html(res, `<html><head><meta http-equiv="Refresh" content="0; URL='/landing?via=meta'"></head><body>moving</body></html>`);
      case "/scripted":
        return html(res, `<html><body><script>window.location.href = "\\/landing?via=script";</script></body></html>`);
      case "/landing":
        return html(res, `<p>landed ${url.searchParams.get("via")}</p>`);
      default:
        html(res, "not found", {}, 404);
    }
  });
  const now = Date.now();
  const ca = generateSelfSignedCertificate({ commonName: "browser test CA", notBeforeMs: now - 3600_000, notAfterMs: now + 86400_000, isCA: true });
  const leaf = generateSelfSignedCertificate({ commonName: "127.0.0.1", notBeforeMs: now - 3600_000, notAfterMs: now + 86400_000, issuer: ca, subjectAltNames: { ip: ["127.0.0.1"] } });
  otherCa = generateSelfSignedCertificate({ commonName: "unrelated CA", notBeforeMs: now - 3600_000, notAfterMs: now + 86400_000, isCA: true }).certPem;
  tlsCa = ca.certPem;
  // The chain includes the CA: Chromium's trust of a given CA needs it (see chromium-browser.ts).
  tlsSite = await serve((_req, res) => html(res, "<title>tls</title><p>secure hello</p>", { "set-cookie": "tls=1; Path=/; Secure" }), { key: leaf.keyPem, cert: leaf.certPem + ca.certPem });
}, 60_000);

afterAll(async () => {
  for (const f of [idp, ...rps, tlsSite]) if (f) await stop(f);
});

function loginPage(ret: string, error: string): string {
  // AD FS-shaped: a hidden AuthMethod, the username as an email input, a span "submit" with a script, and a
  // real submit button.
  return `<html><head><title>Sign In</title></head><body>
<div id="error">${error}</div>
<form method="post" id="loginForm" autocomplete="off" action="/login">
  <input type="hidden" name="return" value="${ret.replace(/&/g, "&amp;").replace(/"/g, "&quot;")}">
  <input id="userNameInput" name="UserName" type="email" value="" placeholder="someone@example.com">
  <input id="passwordInput" name="Password" type="password" placeholder="Password">
  <input id="kmsiInput" type="checkbox" name="Kmsi" value="true">
  <input type="hidden" name="AuthMethod" value="FormsAuthentication">
  <span id="submitButton" class="submit" role="button">Sign in</span>
  <input type="submit" value="Sign in">
</form></body></html>`;
}

// Unclosed tags, unquoted attributes, entities, a stray "<", duplicate attributes, a form in a form, comments
// hiding markup, and a script whose text contains a fake form.
const HOSTILE = `<html><body><p>a < b & c &lt; d <b>unclosed <i>tags
<!-- <form action="http://127.0.0.1:1/comment"><input type=hidden name=x value=y></form> -->
<form method=post action=RP0/rp/ name=f class=a class=b>
<form action="http://127.0.0.1:1/nested">
<input type=hidden name=wa value=wsignin1.0>
<input type=hidden name=wresult value='&lt;r a=&quot;1&quot;/&gt;&#x26;&#38;&amp&#8364;'>
<input type=hidden name="wctx" value=a&amp;b=c&#61;d>
<script>var s = "<form action='http://127.0.0.1:1/script'>"; document.forms.f.submit()</script>
<noscript><input type=submit value=Go></noscript>
<div><span><table><tr><td>never closed
`;

const drivers: BrowserDriverName[] = ["undici", "chromium"];
const timings: Record<string, Record<string, number>> = {};

afterAll(() => {
  const names = Object.keys(timings.undici ?? timings.chromium ?? {});
  const rows = names.map((n) => `  ${n.padEnd(44)} undici ${String(timings.undici?.[n] ?? "-").padStart(6)} ms   chromium ${String(timings.chromium?.[n] ?? "-").padStart(6)} ms`);
  if (rows.length) console.log(`browser scenarios, time per scenario:\n${rows.join("\n")}`);
});

for (const driver of drivers) {
  const run = driver === "chromium" ? describe.runIf(chromiumAvailable) : describe;
  run(`PassiveBrowser scenarios (${driver})`, () => {
    const timed = (name: string, fn: () => Promise<void>, timeout = 30_000): void => {
      it(
        name,
        async () => {
          const t0 = performance.now();
          await fn();
          (timings[driver] ??= {})[name] = Math.round(performance.now() - t0);
        },
        timeout,
      );
    };
    let b: PassiveBrowser;
    beforeAll(async () => {
      b = await newBrowser(driver, { ca: [tlsCa], timeoutMs: 10_000, maxResponseBytes: 1024 * 1024 });
    }, 60_000);
    afterAll(async () => {
      await b?.close();
    });

    timed("sign-in: redirect, login, auto-post to the RP", async () => {
      const nav = await b.navigate(`${idp.url}/adfs/ls/?wa=wsignin1.0&wtrealm=urn:rp0&wctx=abc`, { credentials: { username: "alice", password: "ecila" } });
      expect(nav.loginPrompted).toBe(true);
      const kinds = nav.steps.filter((s) => s.kind !== "subresource").map((s) => `${s.kind} ${s.method} ${new URL(s.url).pathname} ${s.status}`);
      expect(kinds).toEqual([
        "navigation GET /adfs/ls/ 302",
        "navigation GET /login 200",
        "form-post POST /login 302",
        "navigation GET /adfs/ls/ 200",
        "form-post POST /rp/ 302",
        "navigation GET /app 200",
      ]);
      const loginPost = nav.steps[2]!;
      expect(loginPost.form).toMatchObject({ UserName: "alice", Password: "ecila", AuthMethod: "FormsAuthentication" });
      expect(loginPost.form).not.toHaveProperty("Kmsi");
      expect(nav.steps[0]!.location).toMatch(/^\/login\?return=/);
      expect(nav.autoPosts).toHaveLength(1);
      expect(nav.autoPosts[0]!.action).toBe(`${rps[0]!.url}/rp/`);
      expect(nav.autoPosts[0]!.fields).toEqual({
        wa: "wsignin1.0",
        wresult: '<t:RequestSecurityTokenResponse xmlns:t="http://schemas.xmlsoap.org/ws/2005/02/trust"><t:Lifetime/></t:RequestSecurityTokenResponse>',
        wctx: "rm=0&id=passive&ru=%2fapp",
      });
      expect(nav.finalUrl).toBe(`${rps[0]!.url}/app?ctx=${encodeURIComponent("rm=0&id=passive&ru=%2fapp")}`);
      expect(nav.finalStatus).toBe(200);
      expect(nav.finalBody).toContain("hello from rp0");
      expect(cookie(b, `${idp.url}/adfs/ls/`, "idp-session")).toBe("alice");
      expect(cookie(b, `${rps[0]!.url}/app`, "rp0-session")).toBe("s-rp0");
      // Every fixture is on 127.0.0.1: cookies ignore ports, so one host's cookies go to all of them.
      expect(cookie(b, `${rps[1]!.url}/`, "idp-session")).toBe("alice");
      expect(cookie(b, `${idp.url}/adfs/ls/`, "stale")).toBeUndefined();
    });

    timed("signed in already: no login prompt, straight auto-post to a second RP", async () => {
      const nav = await b.navigate(`${idp.url}/adfs/ls/?wa=wsignin1.0&rp=1&wctx=x`, { credentials: { username: "alice", password: "ecila" } });
      expect(nav.loginPrompted).toBe(false);
      expect(nav.autoPosts.map((p) => p.action)).toEqual([`${rps[1]!.url}/rp/`]);
      expect(nav.finalBody).toContain("hello from rp1");
      await b.navigate(`${idp.url}/adfs/ls/?wa=wsignin1.0&rp=2`);
      expect(cookie(b, `${rps[2]!.url}/app`, "rp2-session")).toBe("s-rp2");
    });

    timed("sign-out page: one img per RP, each RP sees its cookie and clears it", async () => {
      const before = rps.map((rp) => rp.hits.length);
      const nav = await b.navigate(`${idp.url}/adfs/ls/?wa=wsignout1.0`);
      expect(nav.finalStatus).toBe(200);
      expect(nav.finalBody).toContain("Signed out");
      const cleanups = rps.map((rp) => `${rp.url}/rp/?wa=wsignoutcleanup1.0`);
      expect(nav.subresources.map((s) => s.url).sort()).toEqual([...cleanups].sort());
      expect(nav.subresources.every((s) => s.status === 200)).toBe(true);
      expect(nav.steps.filter((s) => s.kind === "subresource")).toHaveLength(3);
      rps.forEach((rp, i) => {
        const calls = rp.hits.slice(before[i]).filter((h) => h.path.includes("wsignoutcleanup1.0"));
        expect(calls).toHaveLength(1);
        expect(calls[0]!.cookie).toContain(`rp${i}-session=s-rp${i}`);
        expect(cookie(b, `${rp.url}/app`, `rp${i}-session`)).toBeUndefined();
      });
      expect(cookie(b, `${idp.url}/adfs/ls/`, "idp-session")).toBeUndefined();
    });

    timed("sign-out page with iframes: each frame's page and its image load", async () => {
      // Sign in to all three again (login once, then the session carries).
      await b.navigate(`${idp.url}/adfs/ls/?wa=wsignin1.0&rp=0`, { credentials: { username: "alice", password: "ecila" } });
      await b.navigate(`${idp.url}/adfs/ls/?wa=wsignin1.0&rp=1`);
      await b.navigate(`${idp.url}/adfs/ls/?wa=wsignin1.0&rp=2`);
      const before = rps.map((rp) => rp.hits.length);
      const nav = await b.navigate(`${idp.url}/adfs/ls/?wa=wsignout1.0&frames=1`);
      const urls = nav.subresources.map((s) => s.url);
      for (const rp of rps) {
        expect(urls).toContain(`${rp.url}/frame`);
        expect(urls).toContain(`${rp.url}/rp/?wa=wsignoutcleanup1.0`);
      }
      expect(nav.subresources).toHaveLength(6);
      rps.forEach((rp, i) => {
        const cleanup = rp.hits.slice(before[i]).filter((h) => h.path.includes("wsignoutcleanup1.0"));
        expect(cleanup).toHaveLength(1);
        expect(cleanup[0]!.cookie).toContain(`rp${i}-session=s-rp${i}`);
      });
    });

    timed("wrong password: the login form comes back, submitted once only", async () => {
      const fresh = await newBrowser(driver, {});
      try {
        const nav = await fresh.navigate(`${idp.url}/adfs/ls/?wa=wsignin1.0`, { credentials: { username: "alice", password: "wrong" } });
        expect(nav.loginPrompted).toBe(true);
        expect(nav.steps.filter((s) => s.kind === "form-post")).toHaveLength(1);
        expect(nav.autoPosts).toEqual([]);
        expect(nav.finalBody).toContain("Incorrect user ID or password.");
        const noCreds = await fresh.navigate(`${idp.url}/adfs/ls/?wa=wsignin1.0`);
        expect(noCreds.loginPrompted).toBe(true);
        expect(noCreds.steps.map((s) => s.kind)).toEqual(["navigation", "navigation"]);
        expect(noCreds.finalUrl).toMatch(/\/login\?return=/);
      } finally {
        await fresh.close();
      }
    });

    timed("redirect loop: bounded, ends with an error step", async () => {
      const nav = await b.navigate(`${idp.url}/loop`, { maxSteps: 10 });
      expect(nav.steps).toHaveLength(11);
      expect(nav.steps.slice(0, 10).every((s) => s.status === 302 && s.error === undefined)).toBe(true);
      expect(nav.steps[10]!.error).toBe("more than 10 steps");
      expect(nav.steps[10]!.url).toBe(`${idp.url}/loop?n=10`);
      expect(nav.finalUrl).toBe(`${idp.url}/loop?n=9`);
      expect(nav.finalBody).toBe("");
    });

    timed("huge page: over the size limit, an error step and no body", async () => {
      const nav = await b.navigate(`${idp.url}/huge`);
      expect(nav.steps).toHaveLength(1);
      expect(nav.steps[0]!.status).toBe(200);
      expect(nav.steps[0]!.error).toBe(`response larger than ${1024 * 1024} bytes`);
      expect(nav.finalBody).toBe("");
      const chunked = await b.navigate(`${idp.url}/huge-chunked`);
      expect(chunked.steps.map((s) => s.error)).toEqual([`response larger than ${1024 * 1024} bytes`]);
      expect(chunked.finalBody).toBe("");
    });

    timed("hostile HTML: the real form is found and posted with decoded values", async () => {
      const nav = await b.navigate(`${idp.url}/hostile`);
      expect(nav.autoPosts).toEqual([
        { action: `${rps[0]!.url}/rp/`, fields: { wa: "wsignin1.0", wresult: '<r a="1"/>&&&\u20ac', wctx: "a&b=c=d" } },
      ]);
      expect(nav.steps.map((s) => new URL(s.url).port)).not.toContain("1");
      expect(nav.finalBody).toContain("hello from rp0");
    });

    timed("meta refresh and script location redirects", async () => {
      const meta = await b.navigate(`${idp.url}/refresh`);
      expect(meta.finalUrl).toBe(`${idp.url}/landing?via=meta`);
      expect(meta.finalBody).toContain("landed meta");
      const script = await b.navigate(`${idp.url}/scripted`);
      expect(script.finalUrl).toBe(`${idp.url}/landing?via=script`);
      expect(script.steps.map((s) => s.status)).toEqual([200, 200]);
    });

    timed("HTTPS with a custom CA: trusted when given, refused otherwise", async () => {
      const nav = await b.navigate(`${tlsSite.url}/`);
      expect(nav.finalStatus).toBe(200);
      expect(nav.finalBody).toContain("secure hello");
      expect(cookie(b, `${tlsSite.url}/`, "tls")).toBe("1");
      // Secure: not sent over plain HTTP.
      expect(cookie(b, `${tlsSite.url.replace("https", "http")}/`, "tls")).toBeUndefined();
      const other = await newBrowser(driver, { ca: [otherCa] });
      try {
        const refused = await other.navigate(`${tlsSite.url}/`);
        expect(refused.finalStatus).toBeUndefined();
        expect(refused.steps).toHaveLength(1);
        expect(refused.steps[0]!.error).toMatch(/CERT|certificate|issuer/i);
      } finally {
        await other.close();
      }
    }, 60_000);

    timed("a navigation that starts with a POST: a crafted wresult posted to an RP", async () => {
      const fields = { wa: "wsignin1.0", wresult: "<t:RequestSecurityTokenResponse/>", wctx: "posted & raw" };
      const nav = await b.navigate(`${rps[1]!.url}/rp/`, { form: fields });
      expect(nav.steps.map((s) => `${s.kind} ${s.method} ${s.status}`)).toEqual(["form-post POST 302", "navigation GET 200"]);
      expect(nav.steps[0]!.form).toEqual(fields);
      expect(nav.autoPosts).toEqual([]);
      expect(nav.finalBody).toContain("hello from rp1, ctx=posted & raw");
      const hit = rps[1]!.hits.filter((h) => h.method === "POST").at(-1)!;
      expect(Object.fromEntries(new URLSearchParams(hit.body))).toEqual(fields);
    });

    timed("unreachable server: an error step, no hang", async () => {
      const dead = await serve(() => undefined);
      const url = dead.url;
      await stop(dead);
      const nav = await b.navigate(`${url}/`);
      expect(nav.steps).toHaveLength(1);
      expect(nav.steps[0]!.error).toBeTruthy();
      expect(nav.finalStatus).toBeUndefined();
    });
  });
}
