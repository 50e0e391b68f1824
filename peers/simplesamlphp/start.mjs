#!/usr/bin/env node
// Starts SimpleSAMLphp (Debian's 1.19.7, installed by install.sh) as a WS-Federation passive IdP: its adfs module
// (SAML 1.1 assertion in a WS-Trust 2005 RSTR, federation metadata, wsignout1.0 with wsignoutcleanup1.0 to each
// signed-in RP) served by `php -S` on loopback. Everything it needs is generated into a state folder (git-ignored,
// default peers/simplesamlphp/.run/<port>): config.php, authsources.php, the IdP and SP metadata, and the IdP's
// signing key and certificate (openssl, on first start in that folder).
//
//   node peers/simplesamlphp/start.mjs [--port N] [--host 127.0.0.1] [--rp REALM=REPLY_URL ...] [--state DIR]
//                                      [--describe FILE] [--trust-host HOST:PORT ...]
//
//   --rp       a relying party: its realm (wtrealm) and its reply URL (where the wresult is posted). Repeatable;
//              also read from $WSCONFORM_PEER_RPS (whitespace-separated REALM=REPLY_URL items). The split is at the
//              '=' that is followed by http:// or https://. Default: one demo RP (see DEFAULT_RPS).
//   --port     default 18092; 0: a free port is picked.
//   --describe where to write the passive-target description (default <state>/passive-target.json).
//   --trust-host  HOST[:PORT] SimpleSAMLphp may redirect to (wreply on sign-in and sign-out); the hosts of the
//              registered reply URLs are always trusted. Repeatable.
//
// When it answers, it prints `ready <base URL>` on stdout (then the description path). SIGTERM/SIGINT stop php and
// exit 0. Users: alice/ecila, bob/bob (exampleauth:UserPass; login form fields `username`, `password`).
import { spawn, execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { parseRp, freePort } from "../launcher.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const SSP_ROOT = "/usr/share/simplesamlphp";
// Three harness RPs on loopback (the sign-out propagation cases want three or more).
const DEFAULT_RPS = [1, 2, 3].map((i) => ({ realm: `urn:wsconform:rp:harness${i}`, reply: `http://127.0.0.1:1808${i}/rp${i}/` }));
const DEFAULT_PORT = "18092";
const USERS = [
  { username: "alice", password: "ecila", attributes: { uid: "alice", mail: "alice@wsconform.test", givenName: "Alice", sn: "Liddell", eduPersonAffiliation: ["member", "admin"] } },
  { username: "bob", password: "bob", attributes: { uid: "bob", mail: "bob@wsconform.test", eduPersonAffiliation: ["member"] } },
];

function fail(msg, code = 2) {
  process.stderr.write(`simplesamlphp/start: ${msg}\n`);
  process.exit(code);
}



/** A PHP single-quoted string literal. */
const php = (s) => `'${String(s).replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
const phpValue = (v) => (Array.isArray(v) ? `[${v.map(php).join(", ")}]` : php(v));

function main() {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: "string", default: DEFAULT_PORT },
        host: { type: "string", default: "127.0.0.1" },
        rp: { type: "string", multiple: true, default: [] },
        state: { type: "string" },
        describe: { type: "string" },
        "trust-host": { type: "string", multiple: true, default: [] },
        help: { type: "boolean", short: "h", default: false },
      },
    }));
  } catch (e) {
    fail(e.message);
  }
  if (values.help) {
    process.stdout.write(readFileSync(fileURLToPath(import.meta.url), "utf8").split("\n").slice(1, 21).map((l) => l.replace(/^\/\/ ?/, "")).join("\n") + "\n");
    return;
  }
  return run(values);
}

async function run(values) {
  if (!existsSync(join(SSP_ROOT, "www/module.php"))) fail(`SimpleSAMLphp is not installed at ${SSP_ROOT} (run peers/simplesamlphp/install.sh)`, 3);
  let rps;
  try {
    const fromEnv = (process.env.WSCONFORM_PEER_RPS ?? "").split(/\s+/).filter(Boolean);
    rps = [...values.rp, ...fromEnv].map(parseRp);
  } catch (e) {
    fail(e.message);
  }
  if (rps.length === 0) rps = DEFAULT_RPS;
  const host = values.host;
  const port = Number(values.port) || (await freePort(host));
  const base = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  const state = resolve(values.state ?? join(HERE, ".run", String(port)));
  for (const d of ["config", "metadata", "cert", "tmp", "log", "sessions", "data"]) mkdirSync(join(state, d), { recursive: true });

  // The IdP signing key: generated once per state folder.
  const keyFile = join(state, "cert", "idp.key.pem");
  const certFile = join(state, "cert", "idp.cert.pem");
  if (!existsSync(keyFile) || !existsSync(certFile)) {
    execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", "3650", "-subj", "/CN=wsconform SimpleSAMLphp WS-Fed IdP", "-keyout", keyFile, "-out", certFile], { stdio: ["ignore", "ignore", "pipe"] });
  }
  const saltFile = join(state, "secretsalt");
  if (!existsSync(saltFile)) writeFileSync(saltFile, randomBytes(24).toString("hex"));
  const salt = readFileSync(saltFile, "utf8").trim();
  const entityId = `${base}/simplesaml/adfs-idp`;
  const hostPort = (url) => {
    const u = new URL(url);
    const standard = (u.protocol === "http:" && (u.port === "" || u.port === "80")) || (u.protocol === "https:" && (u.port === "" || u.port === "443"));
    return standard ? u.hostname : `${u.hostname}:${u.port}`;
  };
  const trustedHosts = [...new Set([...rps.map((rp) => hostPort(rp.reply)), ...values["trust-host"]])];

  writeFileSync(
    join(state, "config", "config.php"),
    `<?php
// Generated by peers/simplesamlphp/start.mjs: a WS-Federation IdP on loopback for wsconform interop tests.
$config = [
    'baseurlpath' => ${php(base + "/")},
    'certdir' => ${php(join(state, "cert") + "/")},
    'loggingdir' => ${php(join(state, "log") + "/")},
    'datadir' => ${php(join(state, "data") + "/")},
    'tempdir' => ${php(join(state, "tmp"))},
    'metadatadir' => ${php(join(state, "metadata") + "/")},
    'attributenamemapdir' => '/etc/simplesamlphp/attributemap/',
    'secretsalt' => ${php(salt)},
    'auth.adminpassword' => ${php(randomBytes(12).toString("hex"))},
    'admin.protectindexpage' => true,
    'admin.protectmetadata' => false,
    'admin.checkforupdates' => false,
    'technicalcontact_name' => 'wsconform',
    'technicalcontact_email' => 'na@wsconform.test',
    'timezone' => 'UTC',
    // Redirect and wreply targets SimpleSAMLphp accepts (HTTP::checkURLAllowed compares host[:port] exactly, a
    // non-standard port included): the registered reply URLs' hosts and any --trust-host.
    'trusted.url.domains' => [${trustedHosts.map(php).join(", ")}],
    'showerrors' => true,
    'errorreporting' => false,
    'logging.level' => SimpleSAML\\Logger::INFO,
    'logging.handler' => 'file',
    'logging.logfile' => 'simplesamlphp.log',
    'enable.saml20-idp' => false,
    'enable.shib13-idp' => false,
    'enable.adfs-idp' => true,
    'module.enable' => ['adfs' => true, 'exampleauth' => true, 'core' => true, 'admin' => true],
    'session.cookie.secure' => false,
    'session.cookie.samesite' => null,
    'session.phpsession.savepath' => ${php(join(state, "sessions"))},
    'language.cookie.secure' => false,
    'store.type' => 'phpsession',
    'metadata.sources' => [['type' => 'flatfile']],
    'production' => false,
];
`,
  );
  const userEntries = USERS.map((u) => `        ${php(`${u.username}:${u.password}`)} => [${Object.entries(u.attributes).map(([k, v]) => `${php(k)} => ${Array.isArray(v) ? phpValue(v) : `[${php(v)}]`}`).join(", ")}],`).join("\n");
  writeFileSync(
    join(state, "config", "authsources.php"),
    `<?php
$config = [
    'admin' => ['core:AdminPassword'],
    'example-userpass' => [
        'exampleauth:UserPass',
${userEntries}
    ],
];
`,
  );
  writeFileSync(
    join(state, "metadata", "adfs-idp-hosted.php"),
    `<?php
$metadata[${php(entityId)}] = [
    'host' => '__DEFAULT__',
    'privatekey' => 'idp.key.pem',
    'certificate' => 'idp.cert.pem',
    'auth' => 'example-userpass',
    'authproc' => [
        // LDAP-style attribute names to WS-Fed claim URIs (Debian's attributemap/name2claim.php).
        100 => ['class' => 'core:AttributeMap', 'name2claim'],
    ],
];
`,
  );
  writeFileSync(
    join(state, "metadata", "adfs-sp-remote.php"),
    `<?php
${rps.map((rp) => `$metadata[${php(rp.realm)}] = [\n    'prp' => ${php(rp.reply)},\n    // uid after name2claim (the authproc below renames attributes to claim URIs before this is read).\n    'simplesaml.nameidattribute' => 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name',\n];`).join("\n")}
`,
  );
  for (const f of ["saml20-idp-hosted.php", "saml20-sp-remote.php", "saml20-idp-remote.php", "shib13-idp-hosted.php", "shib13-sp-remote.php"]) {
    writeFileSync(join(state, "metadata", f), "<?php\n");
  }

  const description = describe({ base, entityId, certFile, rps, state, trustedHosts });
  const describePath = resolve(values.describe ?? join(state, "passive-target.json"));
  writeFileSync(describePath, JSON.stringify(description, null, 2) + "\n");

  const child = spawn(
    "php",
    ["-d", `session.save_path=${join(state, "sessions")}`, "-d", "display_errors=stderr", "-d", "log_errors=On", "-S", `${host}:${port}`, "-t", join(SSP_ROOT, "www")],
    { env: { ...process.env, SIMPLESAMLPHP_CONFIG_DIR: join(state, "config") }, stdio: ["ignore", "ignore", "pipe"] },
  );
  const logLines = [];
  child.stderr.on("data", (b) => {
    logLines.push(b.toString());
    if (logLines.length > 200) logLines.shift();
    if (process.env.WSCONFORM_PEER_VERBOSE) process.stderr.write(b);
  });
  let stopping = false;
  child.on("exit", (code, signal) => {
    if (!stopping) {
      process.stderr.write(`simplesamlphp/start: php exited (${code ?? signal}); last output:\n${logLines.join("").slice(-4000)}\n`);
      process.exit(1);
    }
  });
  const stop = () => {
    if (stopping) return;
    stopping = true;
    child.once("exit", () => process.exit(0));
    child.kill("SIGTERM");
    setTimeout(() => child.kill("SIGKILL"), 3000).unref();
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);

  // Ready when the metadata document answers (PHP and SimpleSAMLphp's config both load).
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      const r = await fetch(description.passive.metadataUrl);
      const body = await r.text();
      if (r.status === 200 && body.includes("EntityDescriptor")) break;
      if (Date.now() > deadline) fail(`metadata answered ${r.status}: ${body.slice(0, 500)}`, 1);
    } catch (e) {
      if (Date.now() > deadline) fail(`no answer from ${base} in 20 s: ${e.message}; php said:\n${logLines.join("").slice(-2000)}`, 1);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  process.stdout.write(`ready ${base}\ndescription ${describePath}\n`);
}

// A wsconform.config.json describing this IdP as a passive target (adapters/target-config.ts); "$" keys are comments.
function describe({ base, entityId, certFile, rps, state, trustedHosts }) {
  return {
    $comment: "A WS-Federation passive IdP target: SimpleSAMLphp 1.19.7 (Debian) adfs module, as started by peers/simplesamlphp/start.mjs",
    target: { kind: "http", name: "simplesamlphp-1.19.7-adfs", baseUrl: base },
    credentials: { username: USERS[0].username, password: USERS[0].password, otherUser: { username: USERS[1].username, password: USERS[1].password } },
    trustAnchors: [certFile],
    issuerName: entityId,
    passive: {
      signInUrl: `${base}/module.php/adfs/idp/prp.php`,
      metadataUrl: `${base}/module.php/adfs/idp/metadata.php`,
      relyingParties: rps.map((rp) => ({ realm: rp.realm, replyUrl: rp.reply })),
      unregisteredRealm: "urn:wsconform:rp:unregistered",
      loginForm: { usernameField: "username", passwordField: "password" },
      capabilities: { signOut: true, freshness: false, metadata: true, tokenTypes: ["saml11"] },
    },
    $peer: {
      implementation: { name: "SimpleSAMLphp", version: "1.19.7", source: "Debian bookworm package simplesamlphp (1.19.7-1+deb12u*)" },
      users: USERS.map((u) => ({ username: u.username, password: u.password })),
      // exampleauth:UserPass renders core/loginuserpass.php: a POST form (action "?") with a hidden AuthState.
      login: { method: "form", action: "module.php/core/loginuserpass.php", usernameField: "username", passwordField: "password", hiddenFields: ["AuthState"] },
      signOut: "wa=wsignout1.0 at the sign-in URL: wsignoutcleanup1.0 to each signed-in RP's reply URL in a redirect chain (wreply back to prp.php?assocId=...), then wreply if given",
      wresult: "pretty-printed wst 2005 RequestSecurityTokenResponse (XML declaration, RequestedSecurityToken, AppliesTo with a 2004/08 wsa EndpointReference; no Context, TokenType or Lifetime)",
      token: "SAML 1.1 assertion, rsa-sha256 + exc-c14n enveloped signature, no SubjectConfirmation, NameIdentifier Format http://schemas.xmlsoap.org/claims/UPN",
      wreplyPolicy: `any URL on a trusted host[:port] (${trustedHosts.join(", ")}): not tied to the realm; the registered prp when wreply is absent`,
      stateDir: state,
    },
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
