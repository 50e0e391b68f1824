// Benchmark: Issue throughput of the reference STS for SAML 2.0 bearer tokens signed with RSA-2048, in-process and
// over HTTP loopback, each reported as a ratio of node's raw RSA-2048 sign rate measured in the same run (so the
// figures compare across machines). The three measurements are interleaved in rounds and each ratio is taken
// within its round, so a noisy neighbour slows baseline and subject alike; the median ratio is reported.
// With --memory N it also reports the RSS after N more issues (replay cache and token store are bounded).
//   node cli/run-ts.mjs bench/issue.ts [--rounds 5] [--seconds 1] [--concurrency 8] [--memory 100000]
import { sign, createHash } from "node:crypto";
import { parseArgs } from "node:util";
import { Worker } from "node:worker_threads";
import { systemClock } from "../protocol/clock.ts";
import { serve } from "../reference/http.ts";
import { ReferenceSts } from "../reference/sts.ts";
import { bearerIssueRequest } from "./issue-request.ts";

const { values } = parseArgs({
  options: {
    rounds: { type: "string", default: "5" },
    seconds: { type: "string", default: "1" },
    memory: { type: "string", default: "0" },
    concurrency: { type: "string", default: "8" },
  },
});
const rounds = Number(values.rounds);
const ms = Number(values.seconds) * 1000;
const memoryIssues = Number(values.memory);
const concurrency = Number(values.concurrency);

const sts = new ReferenceSts({ clock: systemClock });
const key = sts.keys.signing.primary.privateKey;
const digest = createHash("sha256").update("wsconform").digest();

/** Raw RSA-2048 signatures per second on this thread (node's crypto, synchronous). */
function rawSignRate(): number {
  for (let i = 0; i < 20; i++) sign("sha256", digest, key);
  const start = performance.now();
  let n = 0;
  while (performance.now() - start < ms) {
    sign("sha256", digest, key);
    n++;
  }
  return (n * 1000) / (performance.now() - start);
}

const path = "/adfs/services/trust/13/usernamemixed";
// One prebuilt request, issued over and over.
const { xml, action } = bearerIssueRequest(path, "1.2");
const contentType = `application/soap+xml; charset=utf-8; action="${action}"`;
const handleOnce = () => sts.handle({ path, contentType, body: xml });
const check = await handleOnce();
if (check.status !== 200) throw new Error(`the benchmark request failed: ${check.body.slice(0, 400)}`);

/** Completed in-process issues per second with `inFlight` concurrent callers (the full request pipeline). */
async function inProcessRate(inFlight: number): Promise<number> {
  for (let i = 0; i < 20; i++) await handleOnce();
  const start = performance.now();
  let n = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() - start < ms) {
        await handleOnce();
        n++;
      }
    }),
  );
  return (n * 1000) / (performance.now() - start);
}

// HTTP loopback: a worker thread keeps `concurrency` requests in flight through undici with keep-alive; the server
// runs on this thread, as `wsconform serve` would. (The load generator shares the machine's cores.)
const running = await serve(sts, { port: 0 });
async function httpRate(): Promise<{ rate: number; failed: number; clientBusy: number }> {
  const worker = new Worker(new URL("./http-load.mjs", import.meta.url), {
    workerData: { url: `${running.url}${path}`, body: xml, headers: { "content-type": contentType }, seconds: ms / 1000, concurrency, maxRequests: 1_000_000 },
  });
  const load = await new Promise<{ done: number; failed: number; elapsedMs: number; busy: number }>((resolve, reject) => {
    worker.once("message", resolve);
    worker.once("error", reject);
  });
  await worker.terminate();
  return { rate: (load.done * 1000) / load.elapsedMs, failed: load.failed, clientBusy: load.busy };
}

const rows: { raw: number; serial: number; inProcess: number; http: number; clientBusy: number }[] = [];
let failed = 0;
for (let r = 0; r < rounds; r++) {
  const raw = rawSignRate();
  const serial = await inProcessRate(1);
  const inProcess = await inProcessRate(concurrency);
  const h = await httpRate();
  failed += h.failed;
  rows.push({ raw, serial, inProcess, http: h.rate, clientBusy: h.clientBusy });
}
await running.close();

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const ratios = (k: "serial" | "inProcess" | "http") => rows.map((row) => row[k] / row.raw);
const line = (label: string, k: "serial" | "inProcess" | "http", target?: number) => {
  const rs = ratios(k);
  const m = median(rs);
  console.log(
    `${label.padEnd(48)} ${median(rows.map((row) => row[k])).toFixed(0).padStart(6)} /s   ratio ${m.toFixed(2)}` +
      `  [${Math.min(...rs).toFixed(2)}..${Math.max(...rs).toFixed(2)}]` +
      (target === undefined ? "" : `  target >= ${target.toFixed(2)}: ${m >= target ? "met" : "NOT met"}`),
  );
};
if (rows.length) {
console.log(`UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE ?? "(default 4)"}, ${rounds} rounds of ${ms / 1000} s, median (min..max) of per-round ratios`);
console.log(`${"raw RSA-2048 sign (node crypto, one thread)".padEnd(48)} ${median(rows.map((r) => r.raw)).toFixed(0).padStart(6)} /s   ratio 1.00`);
line("Issue SAML 2.0 bearer, in-process, 1 in flight", "serial");
line(`Issue SAML 2.0 bearer, in-process, ${concurrency} in flight`, "inProcess", 0.8);
line(`Issue SAML 2.0 bearer, HTTP loopback, ${concurrency} in flight`, "http", 0.5);
console.log(`(the HTTP load generator's event loop was busy ${(100 * median(rows.map((r) => r.clientBusy))).toFixed(0)}% of the time on the same 2 cores)`);
if (failed) console.log(`${failed} HTTP requests failed`);
}

if (memoryIssues > 0) {
  const before = process.memoryUsage().rss;
  let inFlight: Promise<unknown>[] = [];
  for (let i = 0; i < memoryIssues; i++) {
    inFlight.push(handleOnce());
    if (inFlight.length >= concurrency) {
      const outs = (await Promise.all(inFlight)) as { status: number }[];
      if (outs.some((o) => o.status !== 200)) throw new Error("issue failed during the memory run");
      inFlight = [];
    }
  }
  await Promise.all(inFlight);
  (globalThis as { gc?: () => void }).gc?.();
  const rss = process.memoryUsage().rss;
  const heap = process.memoryUsage().heapUsed;
  console.log(
    `RSS after ${memoryIssues} more issues: ${(rss / 2 ** 20).toFixed(0)} MB (before: ${(before / 2 ** 20).toFixed(0)} MB; ` +
      `heap in use ${(heap / 2 ** 20).toFixed(0)} MB; token store ${sts.context.store.size} entries, replay cache ${sts.context.replay.size}; target < 200 MB)`,
  );
}
