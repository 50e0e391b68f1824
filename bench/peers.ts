// Benchmark: Issue throughput of Apache CXF's STS (peers/cxf-sts, a JVM on this machine) against the reference STS,
// both over HTTPS on loopback, same request shape: WS-Trust 1.3, SOAP 1.1, UsernameToken PasswordText + Timestamp,
// SAML 2.0 bearer for urn:wsconform:rp:saml20. The two are measured alternately in rounds (a noisy neighbour slows
// both); the figure is the median per-round ratio CXF / reference. The load generator runs in a worker thread with
// `concurrency` keep-alive TLS connections (undici), each with one request in flight.
//   node cli/run-ts.mjs bench/peers.ts [--rounds 5] [--seconds 3] [--concurrency 8] [--warmup 10]
//                                       [--cxf-url https://127.0.0.1:9443]   (default: start peers/cxf-sts itself)
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Worker } from "node:worker_threads";
import { systemClock } from "../protocol/clock.ts";
import { serve } from "../reference/http.ts";
import { ReferenceSts } from "../reference/sts.ts";
import { bearerIssueRequest } from "./issue-request.ts";
import { freePort, waitForReady } from "../peers/launcher.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseArgs({
  options: {
    rounds: { type: "string", default: "5" },
    seconds: { type: "string", default: "3" },
    concurrency: { type: "string", default: "8" },
    warmup: { type: "string", default: "10" },
    "cxf-url": { type: "string" },
  },
});
const rounds = Number(values.rounds);
const seconds = Number(values.seconds);
const concurrency = Number(values.concurrency);

/** Start peers/cxf-sts/start.sh on a free port; resolves with its base URL once it printed it. */
async function startCxf(): Promise<{ url: string; child: ChildProcess; startupMs: number }> {
  const port = await freePort("127.0.0.1");
  const t0 = performance.now();
  const child = spawn(join(ROOT, "peers/cxf-sts/start.sh"), [], { env: { ...process.env, CXF_STS_PORT: String(port) }, stdio: ["ignore", "pipe", "pipe"] });
  const url = await waitForReady(child, (out) => /^(https:\/\/127\.0\.0\.1:\d+)\s*$/m.exec(out)?.[1], 120_000, "CXF STS");
  return { url, child, startupMs: performance.now() - t0 };
}

/** One SOAP 1.1 Issue request for SAML 2.0 bearer (bench/issue-request.ts) with its HTTP headers. */
function issueRequest(path: string): { xml: string; headers: Record<string, string> } {
  const { xml, action } = bearerIssueRequest(path, "1.1");
  return { xml, headers: { "content-type": "text/xml; charset=utf-8", soapaction: `"${action}"` } };
}

// The load generator (plain CommonJS, evaluated in a worker): undici keep-alive TLS connections.
const LOAD = `
const { parentPort, workerData } = require("node:worker_threads");
const { Agent, request } = require(workerData.undici);
const { url, body, headers, seconds, concurrency, ca } = workerData;
const agent = new Agent({ connections: concurrency, pipelining: 1, connect: { ca } });
(async () => {
  let done = 0, failed = 0, firstFailure;
  const start = performance.now(), deadline = start + seconds * 1000;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < deadline) {
      try {
        const res = await request(url, { method: "POST", body, headers, dispatcher: agent });
        const text = await res.body.text();
        if (res.statusCode === 200 && text.includes("RequestedSecurityToken")) done++;
        else { failed++; firstFailure ??= res.statusCode + " " + text.slice(0, 300); }
      } catch (e) { failed++; firstFailure ??= String(e); }
    }
  }));
  const elapsedMs = performance.now() - start;
  await agent.close();
  parentPort.postMessage({ done, failed, elapsedMs, firstFailure });
})();
`;

async function load(url: string, req: { xml: string; headers: Record<string, string> }, ca: string, secs: number) {
  const worker = new Worker(LOAD, {
    eval: true,
    workerData: { url, body: req.xml, headers: req.headers, seconds: secs, concurrency, ca, undici: join(ROOT, "node_modules/undici/index.js") },
  });
  const r = await new Promise<{ done: number; failed: number; elapsedMs: number; firstFailure?: string }>((resolve, reject) => {
    worker.once("message", resolve);
    worker.once("error", reject);
  });
  await worker.terminate();
  if (r.failed && !r.done) throw new Error(`every request to ${url} failed: ${r.firstFailure}`);
  return { rate: (r.done * 1000) / r.elapsedMs, failed: r.failed };
}

const sts = new ReferenceSts({ clock: systemClock });
const ref = await serve(sts, { port: 0, tls: true });
const refPath = "/adfs/services/trust/13/usernamemixed";
const cxfPath = "/SecurityTokenService/UT";
const started = values["cxf-url"] ? undefined : await startCxf();
const cxfUrl = values["cxf-url"] ?? started!.url;
const cxfCa = readFileSync(join(ROOT, "peers/cxf-sts/keys/tls-ca.pem"), "utf8");
try {
  if (started) console.log(`CXF STS started in ${(started.startupMs / 1000).toFixed(1)} s (JVM launch to ready)`);
  // The requests are prebuilt once; their Timestamp stays fresh for 5 minutes, so they are rebuilt each round.
  const warm = Number(values.warmup);
  await load(`${ref.url}${refPath}`, issueRequest(refPath), sts.keys.tls.certPem, Math.min(warm, 3));
  await load(`${cxfUrl}${cxfPath}`, issueRequest(cxfPath), cxfCa, warm); // the JIT needs a while
  const rows: { ref: number; cxf: number }[] = [];
  let failed = 0;
  for (let r = 0; r < rounds; r++) {
    const a = await load(`${ref.url}${refPath}`, issueRequest(refPath), sts.keys.tls.certPem, seconds);
    const b = await load(`${cxfUrl}${cxfPath}`, issueRequest(cxfPath), cxfCa, seconds);
    failed += a.failed + b.failed;
    rows.push({ ref: a.rate, cxf: b.rate });
  }
  const median = (xs: number[]) => {
    const s = [...xs].sort((x, y) => x - y);
    return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  };
  const ratios = rows.map((r) => r.cxf / r.ref);
  console.log(`Issue, WS-Trust 1.3, SAML 2.0 bearer, HTTPS loopback, ${concurrency} in flight, ${rounds} rounds of ${seconds} s (after ${warm} s CXF warm-up)`);
  console.log(`${"reference STS (node, one event loop)".padEnd(40)} ${median(rows.map((r) => r.ref)).toFixed(0).padStart(6)} /s   per round: ${rows.map((r) => r.ref.toFixed(0)).join(" ")}`);
  console.log(`${"Apache CXF STS 3.6.9 (JVM)".padEnd(40)} ${median(rows.map((r) => r.cxf)).toFixed(0).padStart(6)} /s   per round: ${rows.map((r) => r.cxf.toFixed(0)).join(" ")}`);
  console.log(`ratio CXF / reference: median ${median(ratios).toFixed(2)}  [${Math.min(...ratios).toFixed(2)}..${Math.max(...ratios).toFixed(2)}]`);
  if (failed) console.log(`${failed} requests failed`);
} finally {
  await ref.close();
  if (started) {
    started.child.kill("SIGTERM");
    await new Promise((r) => started.child.once("exit", r));
  }
}
