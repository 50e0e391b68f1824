#!/usr/bin/env node
// Drives adal-node's own WS-Trust code (lib/wstrust-request.js: WSTrustRequest#acquireToken builds the RST with
// _buildRST, posts it with axios and reads the answer with lib/wstrust-response.js) against one usernamemixed
// endpoint, and prints one JSON object: the outcome, the token adal extracted, and the wire exchange.
//
//   node wstrust-client.cjs --endpoint URL --username U --password P --applies-to URI
//                           [--version 13|2005] [--ca-file PEM] [--timeout MS] [--add-password-type]
//
// --version defaults to what the endpoint path says (/trust/13/ or /trust/2005/), as adal's mex reader would.
// Exit status: 0 when adal returned a token, 1 when adal reported an error (the JSON says what), 2 on usage errors.
"use strict";
const fs = require("node:fs");
const https = require("node:https");
const { parseArgs } = require("node:util");
const axios = require("axios");
const adalPackage = require("adal-node/package.json");
// Load adal the way an application does: its main module runs util.adalInit() (the x-client-Ver header).
require("adal-node");
const WSTrustRequest = require("adal-node/lib/wstrust-request");
const { WSTrustVersion } = require("adal-node/lib/constants");

const PASSWORD_TEXT = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText";

function usage(msg) {
  process.stderr.write(`wstrust-client: ${msg}\n`);
  process.exit(2);
}

let values;
try {
  ({ values } = parseArgs({
    options: {
      endpoint: { type: "string" },
      username: { type: "string" },
      password: { type: "string" },
      "applies-to": { type: "string" },
      version: { type: "string" },
      "ca-file": { type: "string" },
      timeout: { type: "string", default: "10000" },
      "add-password-type": { type: "boolean", default: false },
    },
  }));
} catch (e) {
  usage(e.message);
}
for (const k of ["endpoint", "username", "password", "applies-to"]) if (values[k] === undefined) usage(`--${k} is required`);
const endpoint = values.endpoint;
let version = values.version;
if (version === undefined) version = /\/trust\/2005\//.test(endpoint) ? "2005" : /\/trust\/13\//.test(endpoint) ? "13" : usage("--version needed");
if (version !== "13" && version !== "2005") usage("--version is 13 or 2005");

const exchanges = [];
// adal posts with the module-level axios instance: record what goes out and what comes back.
axios.interceptors.request.use((config) => {
  if (values["add-password-type"] && typeof config.data === "string") {
    // adal sends <wsse:Password> without Type (WS-I BSP R4201 wants it; the profile's default is PasswordText).
    config.data = config.data.replace("<wsse:Password>", `<wsse:Password Type='${PASSWORD_TEXT}'>`);
  }
  config.metadata = { started: Date.now() };
  exchanges.push({ request: { method: config.method.toUpperCase(), url: config.url, headers: { ...config.headers }, body: config.data } });
  return config;
});
const record = (response) => {
  const x = exchanges[exchanges.length - 1];
  if (x && response) {
    x.response = { status: response.status, headers: { ...response.headers }, body: typeof response.data === "string" ? response.data : JSON.stringify(response.data) };
    x.ms = Date.now() - (response.config?.metadata?.started ?? Date.now());
  }
};
axios.interceptors.response.use(
  (r) => (record(r), r),
  (e) => (record(e.response), Promise.reject(e)),
);

const http = { timeout: Number(values.timeout), responseType: "text", transitional: { forcedJSONParsing: false } };
if (values["ca-file"]) http.httpsAgent = new https.Agent({ ca: fs.readFileSync(values["ca-file"]) });
// The call context adal's AuthenticationContext would pass (log context + per-call http options).
const callContext = { _logContext: { correlationId: "wsconform-interop" }, options: { http } };
const request = new WSTrustRequest(callContext, endpoint, values["applies-to"], version === "2005" ? WSTrustVersion.WSTRUST2005 : WSTrustVersion.WSTRUST13);

const out = { client: "adal-node", clientVersion: adalPackage.version, axiosVersion: require("axios/package.json").version, endpoint, version, passwordTypeAdded: values["add-password-type"] };
let finished = false;
request.acquireToken(values.username, values.password, (err, response) => {
  if (finished) return; // adal may call back twice (see the report)
  finished = true;
  if (err) {
    out.ok = false;
    out.error = String(err && err.message ? err.message : err);
    if (response && typeof response === "object" && "errorCode" in response) {
      out.faultCode = response.errorCode;
      out.faultMessage = response.faultMessage;
    }
  } else {
    out.ok = true;
    out.tokenType = response.tokenType;
    out.token = response.token;
  }
  out.exchanges = exchanges;
  process.stdout.write(JSON.stringify(out) + "\n");
  process.exitCode = out.ok ? 0 : 1;
});
