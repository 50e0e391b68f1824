#!/usr/bin/env node
// A WS-Federation passive IdP made of npm `wsfed` 6.0.0 (auth0's IdP middleware: a SAML 1.1 assertion in a WS-Trust
// 2005 RSTR, auto-posted; federation metadata; no sign-out) behind a small express app with a login form.
//
//   node peers/wsfed-idp/server.mjs [--port N] [--host 127.0.0.1] [--rp REALM=REPLY_URL ...] [--state DIR]
//                                   [--describe FILE] [--issuer URI]
//
//   --rp       a relying party: its realm (wtrealm) and a reply URL (where the wresult is posted). Repeatable (the
//              same realm twice registers two reply URLs); also read from $WSCONFORM_PEER_RPS (whitespace-separated
//              REALM=REPLY_URL items). The split is at the '=' followed by http:// or https://.
//              Default: one demo RP (DEFAULT_RPS).
//   --port     default 18091; 0: a free port.
//   --state    where the signing key and certificate live (generated with openssl on first start) and where the
//              passive-target description is written (default peers/wsfed-idp/.run).
//
// Endpoints: GET /wsfed?wa=wsignin1.0&wtrealm=...[&wreply][&wctx] (sign-in; unknown realm or an unregistered wreply
// is a 400), GET/POST /login (form fields `username`, `password`; hidden `return`), GET
// /FederationMetadata/2007-06/FederationMetadata.xml, GET /health. wa=wsignout1.0 answers 501: the library has no
// sign-out. Users alice/ecila and bob/bob. When listening it prints `ready <base URL>` then `description <file>`;
// SIGTERM/SIGINT close it and exit 0.
import { execFileSync } from "node:child_process";
import { randomBytes, timingSafeEqual, createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { parseRp } from "../launcher.mjs";
import express from "express";
import wsfed from "wsfed";

const HERE = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
// Three harness RPs on loopback (the sign-out propagation cases want three or more).
const DEFAULT_RPS = [1, 2, 3].map((i) => ({ realm: `urn:wsconform:rp:harness${i}`, reply: `http://127.0.0.1:1808${i}/rp${i}/` }));
const DEFAULT_PORT = "18091";
const USERS = {
  alice: { password: "ecila", profile: { id: "alice", displayName: "Alice Liddell", emails: [{ value: "alice@wsconform.test" }], name: { givenName: "Alice", familyName: "Liddell" } } },
  bob: { password: "bob", profile: { id: "bob", displayName: "Bob", emails: [{ value: "bob@wsconform.test" }], name: { givenName: "Bob", familyName: "Builder" } } },
};

function fail(msg, code = 2) {
  process.stderr.write(`wsfed-idp: ${msg}\n`);
  process.exit(code);
}


const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const sameSecret = (a, b) => timingSafeEqual(createHash("sha256").update(a).digest(), createHash("sha256").update(b).digest());

function loginPage(returnTo, error) {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>Sign in (wsfed ${esc(require("wsfed/package.json").version)})</title></head>
<body>
<h1>Sign in</h1>
${error ? `<p class="error">${esc(error)}</p>` : ""}
<form method="post" action="/login">
  <input type="hidden" name="return" value="${esc(returnTo)}">
  <label>User name <input type="text" name="username" autocomplete="username"></label>
  <label>Password <input type="password" name="password" autocomplete="current-password"></label>
  <button type="submit">Sign in</button>
</form>
</body></html>
`;
}

async function main() {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: "string", default: DEFAULT_PORT },
        host: { type: "string", default: "127.0.0.1" },
        rp: { type: "string", multiple: true, default: [] },
        state: { type: "string" },
        describe: { type: "string" },
        issuer: { type: "string", default: "urn:wsconform:peer:wsfed-idp" },
      },
    }));
  } catch (e) {
    fail(e.message);
  }
  let rpItems;
  try {
    rpItems = [...values.rp, ...(process.env.WSCONFORM_PEER_RPS ?? "").split(/\s+/).filter(Boolean)].map(parseRp);
  } catch (e) {
    fail(e.message);
  }
  if (rpItems.length === 0) rpItems = DEFAULT_RPS;
  /** realm -> registered reply URLs (the first is the default). */
  const rps = new Map();
  for (const { realm, reply } of rpItems) rps.set(realm, [...(rps.get(realm) ?? []), reply]);

  const state = resolve(values.state ?? join(HERE, ".run"));
  mkdirSync(state, { recursive: true });
  const keyFile = join(state, "idp.key.pem");
  const certFile = join(state, "idp.cert.pem");
  if (!existsSync(keyFile) || !existsSync(certFile)) {
    execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", "3650", "-subj", "/CN=wsconform wsfed IdP", "-keyout", keyFile, "-out", certFile], { stdio: ["ignore", "ignore", "pipe"] });
  }
  const key = readFileSync(keyFile);
  const cert = readFileSync(certFile);

  const sessions = new Map(); // sid -> username
  const sessionUser = (req) => {
    const m = /(?:^|;\s*)wsfedidp_sid=([A-Za-z0-9_-]+)/.exec(req.headers.cookie ?? "");
    const name = m && sessions.get(m[1]);
    return name ? USERS[name].profile : undefined;
  };

  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  app.use(express.urlencoded({ extended: false, limit: "16kb" }));

  app.get("/health", (_req, res) => res.type("text/plain").send("ok\n"));

  app.get("/login", (req, res) => res.type("html").send(loginPage(typeof req.query.return === "string" ? req.query.return : "/")));
  app.post("/login", (req, res) => {
    const { username, password } = req.body ?? {};
    let returnTo = typeof req.body?.return === "string" ? req.body.return : "/";
    if (!returnTo.startsWith("/") || returnTo.startsWith("//")) returnTo = "/"; // local paths only
    const u = typeof username === "string" ? USERS[username] : undefined;
    if (!u || typeof password !== "string" || !sameSecret(password, u.password)) {
      res.status(401).type("html").send(loginPage(returnTo, "Unknown user name or wrong password."));
      return;
    }
    const sid = randomBytes(18).toString("base64url");
    sessions.set(sid, username);
    res.setHeader("set-cookie", `wsfedidp_sid=${sid}; Path=/; HttpOnly; SameSite=Lax`);
    res.redirect(302, returnTo);
  });

  const signIn = wsfed.auth({
    issuer: values.issuer,
    cert,
    key,
    signatureAlgorithm: "rsa-sha256",
    digestAlgorithm: "sha256",
    lifetimeInSeconds: 3600,
    getUserFromRequest: sessionUser,
    // The reply URL: a registered one only. Unknown realm -> 400 (no postUrl); an unregistered wreply -> 400.
    getPostURL(wtrealm, wreply, _req, callback) {
      const replies = rps.get(wtrealm);
      if (!replies) return callback(null, null);
      if (wreply) return callback(null, replies.includes(wreply) ? wreply : null);
      return callback(null, replies[0]);
    },
  });

  app.get("/wsfed", (req, res, next) => {
    const wa = req.query.wa;
    if (wa === "wsignout1.0" || wa === "wsignoutcleanup1.0") {
      res.status(501).type("text/plain").send(`${wa} is not supported: npm wsfed 6.0.0 has no sign-out\n`);
      return;
    }
    if (wa !== "wsignin1.0") {
      res.status(400).type("text/plain").send("wa must be wsignin1.0\n");
      return;
    }
    const realm = req.query.wtrealm;
    if (typeof realm !== "string" || !rps.has(realm)) {
      res.status(400).type("text/plain").send("unknown or missing wtrealm\n");
      return;
    }
    if (!sessionUser(req)) {
      res.redirect(302, `/login?return=${encodeURIComponent(req.originalUrl)}`);
      return;
    }
    signIn(req, res, next);
  });

  app.get("/FederationMetadata/2007-06/FederationMetadata.xml", wsfed.metadata({ issuer: values.issuer, cert, endpointPath: "/wsfed" }));

  app.use((err, _req, res, _next) => {
    process.stderr.write(`wsfed-idp: ${err?.stack ?? err}\n`);
    res.status(500).type("text/plain").send("internal error\n");
  });

  const server = await new Promise((res, rej) => {
    const s = app.listen(Number(values.port), values.host, () => res(s));
    s.once("error", rej);
  });
  const { port } = server.address();
  const base = `http://${values.host.includes(":") ? `[${values.host}]` : values.host}:${port}`;

  // A wsconform.config.json describing this IdP as a passive target (adapters/target-config.ts); "$" keys are comments.
  const description = {
    $comment: "A WS-Federation passive IdP target: npm wsfed 6.0.0 behind express, as started by peers/wsfed-idp/server.mjs",
    target: { kind: "http", name: "npm-wsfed-6.0.0", baseUrl: base },
    credentials: { username: "alice", password: USERS.alice.password, otherUser: { username: "bob", password: USERS.bob.password } },
    trustAnchors: [certFile],
    issuerName: values.issuer,
    passive: {
      signInUrl: `${base}/wsfed`,
      metadataUrl: `${base}/FederationMetadata/2007-06/FederationMetadata.xml`,
      relyingParties: [...rps].flatMap(([realm, replyUrls]) => replyUrls.map((replyUrl) => ({ realm, replyUrl }))),
      unregisteredRealm: "urn:wsconform:rp:unregistered",
      loginForm: { usernameField: "username", passwordField: "password" },
      capabilities: { signOut: false, freshness: false, metadata: true, tokenTypes: ["saml11"] },
    },
    $peer: {
      implementation: { name: "wsfed (npm)", version: require("wsfed/package.json").version, express: require("express/package.json").version },
      users: Object.entries(USERS).map(([username, u]) => ({ username, password: u.password })),
      login: { method: "form", action: "/login", usernameField: "username", passwordField: "password", hiddenFields: ["return"] },
      signOut: "none: wa=wsignout1.0 and wsignoutcleanup1.0 answer 501 (the library has no sign-out)",
      wresult: "wst 2005 RequestSecurityTokenResponse with Context=wctx and RequestedSecurityToken only (no TokenType, Lifetime, AppliesTo)",
      token: "SAML 1.1 assertion, rsa-sha256 + exc-c14n enveloped signature, bearer confirmation",
      wreplyPolicy: "must be one of the realm's registered reply URLs (else 400); the first one when wreply is absent",
      stateDir: state,
    },
  };
  const describePath = resolve(values.describe ?? join(state, "passive-target.json"));
  writeFileSync(describePath, JSON.stringify(description, null, 2) + "\n");

  const stop = () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  process.stdout.write(`ready ${base}\ndescription ${describePath}\n`);
}

main().catch((e) => fail(e?.stack ?? String(e), 1));
