// Benchmark: Issue throughput of the reference STS for SAML 2.0 bearer tokens signed with RSA-2048, in-process and
// over HTTP loopback, each reported as a ratio of node's raw RSA-2048 sign rate measured in the same run (so the
// figures compare across machines). Also the RSS after many issues (replay cache and token store are bounded).
//   node cli/run-ts.mjs bench/issue.ts [--seconds 3] [--memory 100000]
import { sign, createHash } from "node:crypto";
import { parseArgs } from "node:util";
import { Worker } from "node:worker_threads";
import { systemClock } from "../protocol/clock.ts";
import { TRUST, TOKEN_TYPES } from "../protocol/namespaces.ts";
import { StsClient } from "../adapters/sts-client.ts";
import type { SoapTransport } from "../adapters/transport.ts";
import { DEMO_REALMS } from "../reference/config.ts";
import { serve } from "../reference/http.ts";
import { ReferenceSts } from "../reference/sts.ts";

const { values } = parseArgs({
  options: { seconds: { type: "string", default: "3" }, memory: { type: "string", default: "0" }, concurrency: { type: "string", default: "8" } },
});
const seconds = Number(values.seconds);
const memoryIssues = Number(values.memory);
const concurrency = Number(values.concurrency);

function rate(fn: () => void, ms: number): number {
  // Warm-up, then count completed calls within the window.
  for (let i = 0; i < 50; i++) fn();
  const start = performance.now();
  let n = 0;
  while (performance.now() - start < ms) {
    fn();
    n++;
  }
  return (n * 1000) / (performance.now() - start);
}

const sts = new ReferenceSts({ clock: systemClock });
const key = sts.keys.signing.primary.privateKey;
const digest = createHash("sha256").update("wsconform").digest();
const rawSign = rate(() => sign("sha256", digest, key), seconds * 1000);

const T = TRUST["1.3"];
const rst = {
  version: "1.3" as const,
  requestType: T.requestType("Issue"),
  tokenType: TOKEN_TYPES.saml20,
  keyType: T.keyType("Bearer"),
  appliesTo: { address: DEMO_REALMS.saml20 },
};
const path = "/adfs/services/trust/13/usernamemixed";
const client = (transport: SoapTransport) =>
  new StsClient({ transport, clock: systemClock, path, soapVersion: "1.2", trustVersion: "1.3", credentials: { username: "alice", password: "ecila" } });

// In-process: the full request pipeline (parse, authenticate, issue, sign, serialize) on a prebuilt message.
const { xml, action } = client(async () => ({ status: 0, contentType: "", body: "" })).build(rst);
const contentType = `application/soap+xml; charset=utf-8; action="${action}"`;
const check = sts.handle({ path, contentType, body: xml });
if (check.status !== 200) throw new Error(`the benchmark request failed: ${check.body.slice(0, 400)}`);
const inProcess = rate(() => {
  sts.handle({ path, contentType, body: xml });
}, seconds * 1000);

// HTTP loopback: a worker thread keeps `concurrency` requests in flight through undici with keep-alive; the server
// runs on this thread, as `wsconform serve` would.
const running = await serve(sts, { port: 0 });
const worker = new Worker(new URL("./http-load.mjs", import.meta.url), {
  workerData: {
    url: `${running.url}${path}`,
    body: xml,
    headers: { "content-type": contentType },
    seconds,
    concurrency,
    maxRequests: 1_000_000,
  },
});
const load = await new Promise<{ done: number; failed: number; elapsedMs: number }>((resolve, reject) => {
  worker.once("message", resolve);
  worker.once("error", reject);
});
await worker.terminate();
const http = (load.done * 1000) / load.elapsedMs;
const failed = load.failed;
await running.close();

const fmt = (n: number) => n.toFixed(0).padStart(7);
console.log(`raw RSA-2048 sign (node crypto, one thread)  ${fmt(rawSign)} /s   1.00`);
console.log(`Issue SAML 2.0 bearer, in-process            ${fmt(inProcess)} /s   ${(inProcess / rawSign).toFixed(2)}  (target >= 0.80)`);
console.log(`Issue SAML 2.0 bearer, HTTP loopback (c=${concurrency})   ${fmt(http)} /s   ${(http / rawSign).toFixed(2)}  (target >= 0.50)${failed ? `  ${failed} failed` : ""}`);

if (memoryIssues > 0) {
  const before = process.memoryUsage().rss;
  for (let i = 0; i < memoryIssues; i++) {
    const out = sts.handle({ path, contentType, body: xml });
    if (out.status !== 200) throw new Error("issue failed during the memory run");
  }
  (globalThis as { gc?: () => void }).gc?.();
  const rss = process.memoryUsage().rss;
  console.log(`RSS after ${memoryIssues} issues: ${(rss / 2 ** 20).toFixed(0)} MB (before: ${(before / 2 ** 20).toFixed(0)} MB; token store ${sts.context.store.size} entries, target < 200 MB)`);
}
