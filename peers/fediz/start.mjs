#!/usr/bin/env node
// Starts the Apache CXF Fediz IdP (fediz-idp + fediz-idp-sts WARs, see install.sh for the version) as a WS-Federation
// passive IdP: one embedded Tomcat 9 (target/fediz-peer-0.1.0.jar, built by install.sh) on loopback over HTTPS.
// Each start extracts both WARs into a state folder (git-ignored, default peers/fediz/.run/<port>) and changes the
// extracted copy only:
//   - WEB-INF/classes/entities-realma.xml (the realm configuration the IdP loads into its in-process HSQLDB at
//     start, Spring profile "jpa"): one Fediz application per --rp, realm = REALM, passiveRequestorEndpoint =
//     REPLY_URL; idpUrl/stsUrl on the real host:port; no IdP selection page (provideIdpList=false)
//   - security-config.xml: the username/password entry point (/federation/up) uses a login form (fields
//     `username`, `password`; page login.jsp written by this script) instead of HTTP Basic
//   - idp-ssl-trust.jks: trusts the generated TLS certificate (the IdP calls its STS over HTTPS)
// The TLS key pair for 127.0.0.1 is generated with keytool on first start in a state folder (tls.p12, tls-ca.pem).
//
//   node peers/fediz/start.mjs [--port N] [--host 127.0.0.1] [--rp REALM=REPLY_URL ...] [--state DIR] [--describe FILE]
//
//   --rp       a relying party (realm and reply URL). Repeatable; also read from $WSCONFORM_PEER_RPS.
//              Default: three demo RPs (DEFAULT_RPS).
//   --port     default 18140; 0: a free port is picked.
//   --describe where to write the passive-target description (default <state>/passive-target.json).
//   --signout-confirmation  keep the demo realm's sign-out confirmation page (by default wsignout1.0 signs out
//              at once).
//   --rsa-sha1 keep the STS's default token signature (rsa-sha1/sha1; by default it is switched to rsa-sha256).
//
// When the IdP answers (its metadata URL returns 200), prints `ready <base URL>` and `description <file>`.
// SIGTERM/SIGINT stop Tomcat and exit 0. Users (the STS's REALMA): alice/ecila, bob/bob, ted/det.
import { spawn, execFileSync } from "node:child_process";
import { copyFileSync, createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { dirname, join, resolve, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { parseRp, freePort } from "../launcher.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, "../..");
const JAR = join(HERE, "target/fediz-peer-0.1.0.jar");
const WARS = join(HERE, "target/wars");
const FEDIZ_VERSION = "1.2.0";
const DEFAULT_RPS = [1, 2, 3].map((i) => ({ realm: `urn:wsconform:rp:harness${i}`, reply: `http://127.0.0.1:1813${i}/rp${i}/` }));
const DEFAULT_PORT = "18140";
const STOREPASS = "wsconform";
const IDP_CLIENT_ALIAS = "mytomidpkey";
const OVERRIDES = [{ artifact: "commons-lang3", file: "commons-lang3-3.17.0.jar" }];
const IDP_REALM = "urn:org:apache:cxf:fediz:idp:realm-A";

function fail(msg, code = 2) {
  process.stderr.write(`fediz/start: ${msg}\n`);
  process.exit(code);
}



const xmlAttr = (s) => String(s).replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");

/** Replace exactly one occurrence of `from` (the WAR's file changed shape otherwise: stop rather than guess). */
function patch(file, from, to) {
  const s = readFileSync(file, "utf8");
  const n = s.split(from).length - 1;
  if (n < 1) throw new Error(`${file}: expected text not found: ${String(from).slice(0, 120)}`);
  writeFileSync(file, s.split(from).join(to));
}

function extract(war, dir) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  execFileSync("jar", ["xf", war], { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
}

function keytool(args) {
  execFileSync("keytool", ["-noprompt", ...args], { stdio: ["ignore", "ignore", "pipe"] });
}

function prepare(state, host, port, rps, opts) {
  const keys = join(state, "keys");
  mkdirSync(keys, { recursive: true });
  const tlsP12 = join(keys, "tls.p12");
  const tlsCa = join(keys, "tls-ca.pem");
  if (!existsSync(tlsP12) || !existsSync(tlsCa)) {
    rmSync(tlsP12, { force: true });
    keytool(["-genkeypair", "-storetype", "pkcs12", "-keystore", tlsP12, "-storepass", STOREPASS, "-keypass", STOREPASS, "-alias", "tls", "-keyalg", "RSA", "-keysize", "2048", "-sigalg", "SHA256withRSA", "-validity", "3650", "-dname", "CN=127.0.0.1", "-ext", "san=ip:127.0.0.1,dns:localhost"]);
    keytool(["-exportcert", "-rfc", "-storetype", "pkcs12", "-keystore", tlsP12, "-storepass", STOREPASS, "-alias", "tls", "-file", tlsCa]);
  }
  const idp = join(state, "webapps/fediz-idp");
  const sts = join(state, "webapps/fediz-idp-sts");
  extract(join(WARS, "fediz-idp.war"), idp);
  extract(join(WARS, "fediz-idp-sts.war"), sts);
  const base = `https://${host}:${port}`;
  const webInf = join(idp, "WEB-INF");
  // Newer jars for ones that break on Java 17 (target/overrides, see pom.xml): same artifact, other version.
  for (const dir of [join(webInf, "lib"), join(sts, "WEB-INF/lib")]) {
    for (const f of readdirSync(dir)) {
      const o = OVERRIDES.find((x) => f.startsWith(`${x.artifact}-`) && f.endsWith(".jar"));
      if (o) {
        rmSync(join(dir, f));
        copyFileSync(join(HERE, "target/overrides", o.file), join(dir, o.file));
      }
    }
  }

  // The IdP's realm (entities-realma.xml, loaded into its HSQLDB at start): real URLs, no IdP selection page, the
  // harness RPs as applications.
  const cfg = join(webInf, "classes/entities-realma.xml");
  patch(cfg, 'value="https://localhost:9443/fediz-idp-sts/REALMA"', `value="${base}/fediz-idp-sts/REALMA"`);
  patch(cfg, 'value="https://localhost:9443/fediz-idp/federation"', `value="${base}/fediz-idp/federation"`);
  patch(cfg, '<property name="provideIdpList" value="true" />', '<property name="provideIdpList" value="false" />');
  // wsignout1.0 ends the session at once (the demo default asks the user to confirm on a page first).
  if (!opts.signOutConfirmation) patch(cfg, '<property name="rpSingleSignOutConfirmation" value="true"/>', '<property name="rpSingleSignOutConfirmation" value="false"/>');
  const ids = rps.map((_, i) => `srv-wsconform-rp${i + 1}`);
  patch(
    cfg,
    `<ref bean="srv-fedizhelloworld" />
            </util:list>
        </property>
        <property name="trustedIdps">`,
    `<ref bean="srv-fedizhelloworld" />
${ids.map((id) => `                <ref bean="${id}" />`).join("\n")}
            </util:list>
        </property>
        <property name="trustedIdps">`,
  );
  patch(
    cfg,
    `    <bean id="claim_role"`,
    `${rps
      .map(
        (rp, i) => `    <!-- wsconform harness RP ${i + 1} (added by peers/fediz/start.mjs) -->
    <bean id="${ids[i]}" class="org.apache.cxf.fediz.service.idp.service.jpa.ApplicationEntity">
        <property name="realm" value="${xmlAttr(rp.realm)}" />
        <property name="protocol" value="http://docs.oasis-open.org/wsfed/federation/200706" />
        <property name="serviceDisplayName" value="wsconform RP ${i + 1}" />
        <property name="serviceDescription" value="wsconform harness relying party ${i + 1}" />
        <property name="role" value="ApplicationServiceType" />
        <property name="tokenType" value="http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV2.0" />
        <property name="lifeTime" value="3600" />
        <property name="passiveRequestorEndpoint" value="${xmlAttr(rp.reply)}" />
    </bean>
    <bean class="org.apache.cxf.fediz.service.idp.service.jpa.ApplicationClaimEntity">
        <property name="application" ref="${ids[i]}" />
        <property name="claim" ref="claim_role" />
        <property name="optional" value="true" />
    </bean>
`,
      )
      .join("")}
    <bean id="claim_role"`,
  );

  // Token signatures: the STS's default is rsa-sha1 + sha1 (CXF 3.0 SignatureProperties), which the harness refuses
  // by policy and which would hide every later check; rsa-sha256 + sha256 unless --rsa-sha1 keeps the default.
  if (!opts.rsaSha1) {
    patch(
      join(sts, "WEB-INF/cxf-transport.xml"),
      `<property name="issuer" value="Fediz STS" />`,
      `<property name="issuer" value="Fediz STS" />
        <property name="signatureProperties">
            <bean class="org.apache.cxf.sts.SignatureProperties">
                <property name="signatureAlgorithm" value="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256" />
                <property name="digestAlgorithm" value="http://www.w3.org/2001/04/xmlenc#sha256" />
            </bean>
        </property>`,
    );
  }

  // The STS endpoints the IdP authenticates users against: this host and port.
  const sec = join(webInf, "security-config.xml");
  const s = readFileSync(sec, "utf8").split("https://localhost:0/fediz-idp-sts/").join(`${base}/fediz-idp-sts/`);
  writeFileSync(sec, s);
  // A login form instead of HTTP Basic on the username/password entry point.
  patch(
    sec,
    `<security:http pattern="/federation/up" use-expressions="true">
        <security:custom-filter after="CHANNEL_FILTER" ref="stsUPPortFilter" />
        <security:custom-filter after="SERVLET_API_SUPPORT_FILTER" ref="entitlementsEnricher" />
        <security:intercept-url pattern="/FederationMetadata/2007-06/FederationMetadata.xml" access="isAnonymous() or isAuthenticated()" />

        <security:http-basic />`,
    `<security:http pattern="/federation/up/**" use-expressions="true">
        <security:custom-filter after="CHANNEL_FILTER" ref="stsUPPortFilter" />
        <security:custom-filter after="SERVLET_API_SUPPORT_FILTER" ref="entitlementsEnricher" />
        <security:intercept-url pattern="/federation/up/login.jsp" access="permitAll" />
        <security:form-login login-page="/federation/up/login.jsp" login-processing-url="/federation/up/login.do"
            username-parameter="username" password-parameter="password"
            authentication-failure-url="/federation/up/login.jsp?error=1" />`,
  );
  mkdirSync(join(idp, "federation/up"), { recursive: true });
  writeFileSync(
    join(idp, "federation/up/login.jsp"),
    `<%@ page contentType="text/html; charset=UTF-8" session="true" %><!DOCTYPE html>
<html><head><title>Fediz IdP sign-in (wsconform peer)</title></head><body>
<h1>Sign in to REALM A</h1>
<% if (request.getParameter("error") != null) { %><p class="error">The user name or password is wrong.</p><% } %>
<form method="post" action="<%= request.getContextPath() %>/federation/up/login.do">
<label>User name <input type="text" name="username" autocomplete="username"></label>
<label>Password <input type="password" name="password" autocomplete="current-password"></label>
<button type="submit">Sign in</button>
</form></body></html>
`,
  );

  // The IdP's HTTPS client (to its STS) trusts the generated TLS certificate.
  keytool(["-importcert", "-keystore", join(webInf, "classes/idp-ssl-trust.jks"), "-storepass", "ispass", "-alias", "wsconform-tls", "-file", tlsCa]);

  // The IdP's TLS client key (it calls its STS's RP-token endpoint with it): the WAR's own (2014, 1024-bit,
  // SHA-1) is refused by Java 17, so a generated one replaces idp-ssl-key.jks; Tomcat trusts it as a client.
  const clientJks = join(keys, "idp-client.jks");
  const idpClientCert = join(keys, "idp-client.pem");
  const trust = join(keys, "client-trust.p12");
  if (!existsSync(clientJks) || !existsSync(trust)) {
    rmSync(clientJks, { force: true });
    rmSync(trust, { force: true });
    keytool(["-genkeypair", "-storetype", "jks", "-keystore", clientJks, "-storepass", "tompass", "-keypass", "tompass", "-alias", IDP_CLIENT_ALIAS, "-keyalg", "RSA", "-keysize", "2048", "-sigalg", "SHA256withRSA", "-validity", "3650", "-dname", "CN=fediz-idp client"]);
    keytool(["-exportcert", "-rfc", "-keystore", clientJks, "-storepass", "tompass", "-alias", IDP_CLIENT_ALIAS, "-file", idpClientCert]);
    keytool(["-importcert", "-storetype", "pkcs12", "-keystore", trust, "-storepass", STOREPASS, "-alias", "fediz-idp-client", "-file", idpClientCert]);
  }
  copyFileSync(clientJks, join(webInf, "classes/idp-ssl-key.jks"));

  // The realm's token-signing key: the WARs' REALMA certificate expired in 2023 (the STS refuses the IdP token
  // signed with it), so a fresh REALMA key pair (same alias and passwords) replaces it in both WARs and in the STS
  // trust store. Its certificate is the trust anchor the harness verifies tokens and metadata with.
  const realmJks = join(keys, "stsrealm_a.jks");
  const signing = join(keys, "realma-signing.pem");
  if (!existsSync(realmJks) || !existsSync(signing)) {
    rmSync(realmJks, { force: true });
    keytool(["-genkeypair", "-storetype", "jks", "-keystore", realmJks, "-storepass", "storepass", "-keypass", "realma", "-alias", "realma", "-keyalg", "RSA", "-keysize", "2048", "-sigalg", "SHA256withRSA", "-validity", "3650", "-dname", "CN=REALMA"]);
    keytool(["-exportcert", "-rfc", "-keystore", realmJks, "-storepass", "storepass", "-alias", "realma", "-file", signing]);
  }
  for (const app of [idp, sts]) {
    copyFileSync(realmJks, join(app, "WEB-INF/classes/stsrealm_a.jks"));
    const der = join(app, "WEB-INF/classes/realma.cert");
    rmSync(der, { force: true });
    keytool(["-exportcert", "-keystore", realmJks, "-storepass", "storepass", "-alias", "realma", "-file", der]);
  }
  const stsTrust = join(sts, "WEB-INF/classes/ststrust.jks");
  keytool(["-delete", "-keystore", stsTrust, "-storepass", "storepass", "-alias", "stskey_realma"]);
  keytool(["-importcert", "-keystore", stsTrust, "-storepass", "storepass", "-alias", "stskey_realma", "-file", signing]);
  return { idp, sts, tlsP12, tlsCa, signing, trust };
}

function get(url, ca) {
  return new Promise((res) => {
    const req = request(url, { ca, timeout: 5000 }, (r) => {
      r.resume();
      r.on("end", () => res(r.statusCode));
    });
    req.on("error", () => res(0));
    req.on("timeout", () => req.destroy());
    req.end();
  });
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
        "rsa-sha1": { type: "boolean", default: false },
        "signout-confirmation": { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    }));
  } catch (e) {
    fail(e.message);
  }
  if (values.help) {
    process.stdout.write(readFileSync(fileURLToPath(import.meta.url), "utf8").split("\n").slice(1, 26).map((l) => l.replace(/^\/\/ ?/, "")).join("\n") + "\n");
    return;
  }
  if (!existsSync(JAR) || !existsSync(join(WARS, "fediz-idp.war")) || !existsSync(join(WARS, "fediz-idp-sts.war"))) fail("not installed (run peers/fediz/install.sh)", 3);
  let rps;
  try {
    rps = [...values.rp, ...(process.env.WSCONFORM_PEER_RPS ?? "").split(/\s+/).filter(Boolean)].map(parseRp);
  } catch (e) {
    fail(e.message);
  }
  if (rps.length === 0) rps = DEFAULT_RPS;
  const host = values.host;
  const port = Number(values.port) || (await freePort(host));
  const state = resolve(values.state ?? join(HERE, ".run", String(port)));
  mkdirSync(state, { recursive: true });
  const started = Date.now();
  let files;
  try {
    files = prepare(state, host, port, rps, { rsaSha1: values["rsa-sha1"], signOutConfirmation: values["signout-confirmation"] });
  } catch (e) {
    fail(`preparing the WARs: ${e.message}`, 4);
  }
  const base = `https://${host}:${port}`;
  const cp = [JAR, join(HERE, "target/lib/*")].join(":");
  const logFile = join(state, "tomcat.log");
  const java = spawn(
    "java",
    [
      "-Xmx768m",
      "-XX:+UseSerialGC",
      "-XX:TieredStopAtLevel=1",
      "-Djava.net.preferIPv4Stack=true",
      "-Djava.security.egd=file:/dev/./urandom",
      // Spring 3.2 / CXF 3.0 define proxy and helper classes reflectively.
      "--add-opens=java.base/java.lang=ALL-UNNAMED",
      "--add-opens=java.base/java.util=ALL-UNNAMED",
      "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
      "--add-opens=java.base/java.net=ALL-UNNAMED",
      "--add-opens=java.base/sun.security.x509=ALL-UNNAMED",
      "--add-opens=java.xml/com.sun.org.apache.xerces.internal.dom=ALL-UNNAMED",
      "--add-exports=java.xml/com.sun.org.apache.xerces.internal.dom=ALL-UNNAMED",
      "--add-exports=java.xml/com.sun.org.apache.xerces.internal.jaxp=ALL-UNNAMED",
      "--add-exports=java.xml/com.sun.org.apache.xerces.internal.util=ALL-UNNAMED",
      "--add-exports=java.xml/com.sun.org.apache.xml.internal.serialize=ALL-UNNAMED",
      "--add-exports=java.base/sun.security.action=ALL-UNNAMED",
      "--add-opens=java.base/java.security=ALL-UNNAMED",
      `-Dfediz.port=${port}`,
      `-Dfediz.host=${host}`,
      `-Dfediz.idpDir=${files.idp}`,
      `-Dfediz.stsDir=${files.sts}`,
      `-Dfediz.keystore=${files.tlsP12}`,
      `-Dfediz.truststore=${files.trust}`,
      `-Dfediz.storepass=${STOREPASS}`,
      `-Dfediz.workDir=${join(state, "tomcat")}`,
      "-cp",
      cp,
      "wsconform.fediz.Launcher",
    ],
    { cwd: state, stdio: ["ignore", "pipe", "pipe"] },
  );
  let log = "";
  const logStream = createWriteStream(logFile);
  const keep = (b) => {
    logStream.write(b);
    log += b.toString();
    if (log.length > 400_000) log = log.slice(-200_000);
  };
  java.stdout.on("data", keep);
  java.stderr.on("data", keep);
  const flush = () => {};
  let stopping = false;
  java.on("exit", (code, signal) => {
    flush();
    if (!stopping) {
      process.stderr.write(`fediz/start: Tomcat exited (${code ?? signal}); last output (full log: ${logFile}):\n${log.slice(-6000)}\n`);
      process.exit(5);
    }
    process.exit(0);
  });
  const stop = () => {
    stopping = true;
    java.kill("SIGTERM");
    setTimeout(() => java.kill("SIGKILL"), 8000).unref();
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);

  const ca = readFileSync(files.tlsCa);
  const metadataUrl = `${base}/fediz-idp/FederationMetadata/2007-06/FederationMetadata.xml`;
  const deadline = Date.now() + 240_000;
  for (;;) {
    if (Date.now() > deadline) {
      flush();
      stop();
      fail(`the IdP did not answer ${metadataUrl} within 240 s (log: ${logFile})`, 6);
    }
    if (/started \d+/.test(log) && (await get(metadataUrl, ca)) === 200) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  flush();
  const rel = (p) => relative(ROOT, p);
  const description = {
    $comment: `A WS-Federation passive IdP target: Apache CXF Fediz ${FEDIZ_VERSION} IdP (fediz-idp + fediz-idp-sts WARs from Maven Central) in embedded Tomcat 9, as started by peers/fediz/start.mjs. Paths are relative to the repository root.`,
    target: { kind: "http", name: `fediz-${FEDIZ_VERSION}-idp`, baseUrl: base },
    credentials: { username: "alice", password: "ecila", otherUser: { username: "bob", password: "bob" } },
    trustAnchors: [rel(files.signing)],
    issuerName: "STS Realm A",
    passive: {
      signInUrl: `${base}/fediz-idp/federation`,
      metadataUrl,
      tlsCa: [rel(files.tlsCa)],
      relyingParties: rps.map((rp) => ({ realm: rp.realm, replyUrl: rp.reply })),
      unregisteredRealm: "urn:wsconform:rp:unregistered",
      loginForm: { usernameField: "username", passwordField: "password" },
      capabilities: { signOut: true, freshness: true, metadata: true, tokenTypes: ["saml20"] },
    },
    $peer: {
      implementation: { name: "Apache CXF Fediz IdP", version: FEDIZ_VERSION, source: "Maven Central org.apache.cxf.fediz:fediz-idp and fediz-idp-sts WARs" },
      users: [
        { username: "alice", password: "ecila" },
        { username: "bob", password: "bob" },
        { username: "ted", password: "det" },
      ],
      idpRealm: IDP_REALM,
      login: { method: "form (Spring Security form-login replacing the WAR's HTTP Basic on /federation/up)", action: "/fediz-idp/federation/up/login.do", usernameField: "username", passwordField: "password" },
      stateDir: rel(state),
      log: rel(logFile),
      startMs: Date.now() - started,
    },
  };
  const describeFile = resolve(values.describe ?? join(state, "passive-target.json"));
  writeFileSync(describeFile, JSON.stringify(description, null, 2) + "\n");
  process.stdout.write(`ready ${base}/fediz-idp/\ndescription ${describeFile}\n`);
}

await main();
