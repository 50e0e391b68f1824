// Load generator for the HTTP benchmarks, run in a worker thread so that the client does not share the server's
// event loop. Like wrk, it keeps `concurrency` keep-alive connections each with one request in flight and reads
// responses with a minimal HTTP/1.1 parser (status line + Content-Length), so the client's own cost stays small
// next to the server's on a 2-core machine. Plain JavaScript; bounded by count and time.
import { connect } from "node:net";
import { parentPort, workerData } from "node:worker_threads";

const { url, body, headers, seconds, concurrency, maxRequests } = workerData;
const target = new URL(url);
const payload = Buffer.from(body, "utf8");
const head = Buffer.from(
  `POST ${target.pathname}${target.search} HTTP/1.1\r\nHost: ${target.host}\r\nConnection: keep-alive\r\n` +
    Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join("") +
    `Content-Length: ${payload.length}\r\n\r\n`,
  "latin1",
);
const request = Buffer.concat([head, payload]);

let done = 0;
let failed = 0;
let sent = 0;
const elu0 = performance.eventLoopUtilization();
const start = performance.now();
const deadline = start + seconds * 1000;

function connection() {
  return new Promise((resolve) => {
    const socket = connect({ host: target.hostname, port: Number(target.port) });
    socket.setNoDelay(true);
    let buf = Buffer.alloc(0);
    const next = () => {
      if (performance.now() >= deadline || sent >= maxRequests) {
        socket.end();
        return;
      }
      sent++;
      socket.write(request);
    };
    socket.on("connect", next);
    socket.on("data", (chunk) => {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      for (;;) {
        const end = buf.indexOf("\r\n\r\n");
        if (end < 0) return;
        const headerText = buf.subarray(0, end).toString("latin1");
        const m = /\r\ncontent-length:\s*(\d+)/i.exec(headerText);
        const length = m ? Number(m[1]) : 0;
        if (buf.length < end + 4 + length) return;
        if (headerText.startsWith("HTTP/1.1 200")) done++;
        else failed++;
        buf = buf.subarray(end + 4 + length);
        next();
      }
    });
    socket.on("error", () => {
      failed++;
      resolve();
    });
    socket.on("close", resolve);
    // A connection that stalls past the deadline is abandoned: the benchmark never hangs.
    setTimeout(() => socket.destroy(), seconds * 1000 + 10_000).unref();
  });
}

await Promise.all(Array.from({ length: concurrency }, connection));
const elapsedMs = performance.now() - start;
const busy = performance.eventLoopUtilization(elu0).utilization;
parentPort.postMessage({ done, failed, elapsedMs, busy });
