// Load generator for the HTTP benchmarks, run in a worker thread so that the client does not share the server's
// event loop. Plain JavaScript (no TypeScript loader needed inside the worker). Bounded by count and time.
import { parentPort, workerData } from "node:worker_threads";
import { Agent, request } from "undici";

const { url, body, headers, seconds, concurrency, maxRequests } = workerData;
const dispatcher = new Agent({ connections: concurrency, headersTimeout: 10_000, bodyTimeout: 10_000 });
let done = 0;
let failed = 0;
let sent = 0;
const start = performance.now();
const deadline = start + seconds * 1000;
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (performance.now() < deadline && sent < maxRequests) {
      sent++;
      try {
        const res = await request(url, { method: "POST", headers, body, dispatcher });
        await res.body.dump();
        if (res.statusCode === 200) done++;
        else failed++;
      } catch {
        failed++;
      }
    }
  }),
);
const elapsedMs = performance.now() - start;
await dispatcher.close();
parentPort.postMessage({ done, failed, elapsedMs });
