#!/usr/bin/env node
// A WS-Federation relying party made of passport-wsfed-saml2 4.6.1 (auth0's passport strategy) behind a small
// express app.
//
//   node peers/passport-wsfed-rp/server.mjs (--cert PEM_FILE | --thumbprint SHA1_HEX ...) [--realm URI]
//        [--idp-url URL] [--port N] [--host 127.0.0.1] [--no-cleanup] [--state DIR] [--describe FILE]
//        [--issuer NAME] [--key PEM_FILE]
//
//   --cert        the trusted IdP signing certificate (PEM); or --thumbprint (SHA-1 hex of the certificate, the
//                 library then trusts the certificate embedded in the signature's KeyInfo when its thumbprint matches)
//   --realm       this RP's realm: the audience the library requires (default urn:wsconform:rp:passport)
//   --idp-url     where unauthenticated visitors are sent (wa=wsignin1.0&wtrealm=...&wctx=<path>); default
//                 http://127.0.0.1:8089/adfs/ls/
//   --issuer, --key  recorded in the description only (the issuer name and the private key file of the IdP the
//                 harness plays; the library itself checks neither the issuer nor anything but the signature)
//   --no-cleanup  answer wa=wsignoutcleanup1.0 with 404, as an app using the library alone would (the library has no
//                 sign-out handling; by default this app clears its own session on cleanup, see below)
//
// Endpoints
//   GET  /protected      200 + the signed-in user's claims as JSON; else 302 to the IdP (wctx = /protected)
//   POST /wsfed          the reply URL: a wsignin1.0 response (wa, wresult, wctx) checked by the library; success sets
//                        the session cookie and 302s to wctx (a local path) or /protected; failure is a 401 JSON
//                        {error} with the library's reason
//   GET  /wsfed?wa=wsignoutcleanup1.0   app-level cleanup (also POSTed): ends the cookie's session, 200 image/gif
//   GET  /wsfed?wa=wsignout1.0 or /logout  ends the local session and redirects to the IdP's wsignout1.0
//   GET  /_wsconform/events               JSON list of sign-in/cleanup events seen (for sign-out suites)
//   GET  /health
// When listening it prints `ready <base URL>` then `description <file>`; SIGTERM/SIGINT close it and exit 0.
import { randomBytes, X509Certificate } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import express from "express";
import passport from "passport";
import wsfedSaml2 from "passport-wsfed-saml2";

const HERE = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
// A 1x1 transparent GIF: what a cleanup answer is usually embedded as (an <img> on the IdP's sign-out page).
const GIF = Buffer.from("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7", "base64");

function fail(msg, code = 2) {
  process.stderr.write(`passport-wsfed-rp: ${msg}\n`);
  process.exit(code);
}

async function main() {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: "string", default: "0" },
        host: { type: "string", default: "127.0.0.1" },
        realm: { type: "string", default: "urn:wsconform:rp:passport" },
        "idp-url": { type: "string", default: "http://127.0.0.1:8089/adfs/ls/" },
        cert: { type: "string" },
        thumbprint: { type: "string", multiple: true, default: [] },
        "no-cleanup": { type: "boolean", default: false },
        issuer: { type: "string", default: "urn:wsconform:harness:idp" },
        key: { type: "string" },
        state: { type: "string" },
        describe: { type: "string" },
      },
    }));
  } catch (e) {
    fail(e.message);
  }
  if (!values.cert && values.thumbprint.length === 0) fail("--cert PEM_FILE or --thumbprint SHA1_HEX is required");
  let certB64;
  if (values.cert) {
    try {
      const pem = readFileSync(values.cert, "utf8");
      const x = new X509Certificate(pem);
      certB64 = x.raw.toString("base64");
    } catch (e) {
      fail(`--cert ${values.cert}: ${e.message}`);
    }
  }
  const thumbprints = values.thumbprint.map((t) => t.replace(/[:\s]/g, "").toUpperCase());

  const sessions = new Map(); // sid -> { profile, created }
  const events = [];
  const sidOf = (req) => /(?:^|;\s*)passportrp_sid=([A-Za-z0-9_-]+)/.exec(req.headers.cookie ?? "")?.[1];

  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  app.use(express.urlencoded({ extended: false, limit: "1mb" }));

  let base = ""; // set once listening
  const strategy = new wsfedSaml2.Strategy(
    {
      realm: values.realm,
      identityProviderUrl: values["idp-url"],
      cert: certB64,
      thumbprints: thumbprints.length ? thumbprints : undefined,
      protocol: "wsfed",
      homeRealm: "",
    },
    (profile, done) => done(null, profile),
  );
  passport.use(strategy);
  app.use(passport.initialize());

  app.get("/health", (_req, res) => res.type("text/plain").send("ok\n"));
  app.get("/_wsconform/events", (_req, res) => res.json(events));

  app.get("/protected", (req, res, next) => {
    const s = sessions.get(sidOf(req) ?? "");
    if (s) {
      res.json({ signedIn: true, claims: s.profile });
      return;
    }
    // The library builds the sign-in redirect (wa, wtrealm, wctx).
    passport.authenticate("wsfed-saml2", { session: false, wctx: "/protected" })(req, res, next);
  });

  const reply = (req, res, next) => {
    if (req.body?.wa === "wsignoutcleanup1.0") return cleanup(req, res); // a POSTed cleanup (F32), not a sign-in
    strategy.options.recipientUrl = `${base}/wsfed`;
    passport.authenticate("wsfed-saml2", { session: false }, (err, user, info) => {
      if (err || !user) {
        const reason = err?.message ?? (typeof info === "string" ? info : info?.message) ?? "not authenticated";
        events.push({ at: new Date().toISOString(), event: "signin-refused", reason });
        res.status(401).json({ signedIn: false, error: reason });
        return;
      }
      const sid = randomBytes(18).toString("base64url");
      sessions.set(sid, { profile: user, created: Date.now() });
      events.push({ at: new Date().toISOString(), event: "signin", name: user["http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier"] ?? user.id ?? null, issuer: user.issuer ?? null });
      res.setHeader("set-cookie", `passportrp_sid=${sid}; Path=/; HttpOnly; SameSite=Lax`);
      const wctx = typeof req.body?.wctx === "string" ? req.body.wctx : "";
      res.redirect(302, wctx.startsWith("/") && !wctx.startsWith("//") ? wctx : "/protected");
    })(req, res, next);
  };
  app.post("/wsfed", reply);

  const endSession = (req, res) => {
    const sid = sidOf(req);
    const had = !!(sid && sessions.delete(sid));
    res.setHeader("set-cookie", "passportrp_sid=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
    return had;
  };
  app.get(["/wsfed", "/"], (req, res, next) => {
    const wa = req.query.wa;
    if (wa === "wsignoutcleanup1.0") return cleanup(req, res);
    if (wa === "wsignout1.0") return signOut(req, res);
    if (req.path === "/") {
      res.redirect(302, "/protected");
      return;
    }
    next();
  });
  function cleanup(req, res) {
    if (values["no-cleanup"]) {
      events.push({ at: new Date().toISOString(), event: "cleanup-ignored" });
      res.status(404).type("text/plain").send("not found\n");
      return;
    }
    const had = endSession(req, res);
    events.push({ at: new Date().toISOString(), event: "cleanup", method: req.method, hadSession: had });
    // wreply is not followed: an open redirect otherwise, and the digest's AD FS note says it is ignored there too.
    res.status(200).type("image/gif").send(GIF);
  }
  const signOut = (req, res) => {
    endSession(req, res);
    events.push({ at: new Date().toISOString(), event: "signout" });
    const u = new URL(values["idp-url"]);
    u.searchParams.set("wa", "wsignout1.0");
    u.searchParams.set("wtrealm", values.realm);
    u.searchParams.set("wreply", `${base}/`);
    res.redirect(302, u.toString());
  };
  app.get("/logout", signOut);

  app.use((err, _req, res, _next) => {
    process.stderr.write(`passport-wsfed-rp: ${err?.stack ?? err}\n`);
    res.status(500).type("text/plain").send("internal error\n");
  });

  const server = await new Promise((res, rej) => {
    const s = app.listen(Number(values.port), values.host, () => res(s));
    s.once("error", rej);
  });
  const { port } = server.address();
  base = `http://${values.host.includes(":") ? `[${values.host}]` : values.host}:${port}`;

  const state = resolve(values.state ?? join(HERE, ".run"));
  mkdirSync(state, { recursive: true });
  // A wsconform.config.json describing this RP as a relying-party target (adapters/target-config.ts); "$" keys
  // are comments. signingKey.key is only there when --key was given (the harness signs with it).
  const description = {
    $comment: "A WS-Federation relying party target: passport-wsfed-saml2 4.6.1 behind express, as started by peers/passport-wsfed-rp/server.mjs",
    target: { kind: "http", name: "passport-wsfed-saml2-4.6.1", baseUrl: base },
    credentials: {},
    relyingParty: {
      realm: values.realm,
      replyUrl: `${base}/wsfed`,
      cleanupUrl: values["no-cleanup"] ? undefined : `${base}/wsfed`,
      probe: { url: `${base}/protected`, status: 200 },
      issuer: values.issuer,
      signingKey: { cert: values.cert ? resolve(values.cert) : "(trusted by thumbprint: give the certificate file here)", key: values.key ? resolve(values.key) : "(the private key of the trusted certificate)" },
      tokenTypes: ["saml11", "saml20"],
    },
    $peer: {
      implementation: {
        name: "passport-wsfed-saml2",
        version: require("passport-wsfed-saml2/package.json").version,
        xmlCrypto: require("xml-crypto/package.json").version,
        passport: require("passport/package.json").version,
        express: require("express/package.json").version,
      },
      protectedUrl: `${base}/protected`,
      signOutUrl: `${base}/logout`,
      eventsUrl: `${base}/_wsconform/events`,
      identityProviderUrl: values["idp-url"],
      trust: certB64 ? { certificateFile: resolve(values.cert) } : { thumbprints },
      signOutCleanup: values["no-cleanup"] ? "none (404)" : "the express app clears its own session on GET or POST wa=wsignoutcleanup1.0 (the library has no sign-out handling)",
      knownLimits: [
        "the library takes RequestedSecurityToken's first child as the token: a pretty-printed wresult fails ('Signature is missing')",
        "no replay cache: a wresult can be posted again",
        "the Issuer is not checked (only the signature by the trusted certificate)",
      ],
    },
  };
  const describePath = resolve(values.describe ?? join(state, `relying-party-${port}.json`));
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
