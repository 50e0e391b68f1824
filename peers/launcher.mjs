// Shared by the peer launchers (peers/*/start.mjs, peers/wsfed-idp/server.mjs) and whatever starts a peer as a child
// process (test/interop, bench/peers.ts): the `--rp REALM=REPLY_URL` syntax, a free loopback port, waiting for a
// child's readiness line, stopping it. Node built-ins only, so every peer can import it whatever its own
// dependencies. Types: launcher.d.mts.
import { createServer } from "node:net";

/** `--rp REALM=REPLY_URL`: a relying party the peer IdP is to trust. */
export function parseRp(item) {
  const m = /^(.+?)=(https?:\/\/.+)$/.exec(item.trim());
  if (!m) throw new Error(`--rp ${JSON.stringify(item)}: expected REALM=REPLY_URL (the reply URL starts with http:// or https://)`);
  return { realm: m[1], reply: m[2] };
}

/** A port the OS reports free on `host` (for `--port 0`). */
export function freePort(host) {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once("error", rej);
    s.listen(0, host, () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

/**
 * Resolve with what `ready` finds in the child's output so far (stdout and stderr), checked on each stdout chunk;
 * reject when the child exits first or after `timeoutMs`, with the end of its output.
 */
export function waitForReady(child, ready, timeoutMs, what) {
  let out = "";
  return new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`${what} not ready within ${timeoutMs / 1000} s:\n${out.slice(-3000)}`)), timeoutMs);
    child.stdout.on("data", (d) => {
      out += d.toString();
      const found = ready(out);
      if (found !== undefined) {
        clearTimeout(timer);
        res(found);
      }
    });
    child.stderr.on("data", (d) => (out += d.toString()));
    child.once("exit", (code) => {
      clearTimeout(timer);
      rej(new Error(`${what} exited (${code}) before it was ready:\n${out.slice(-3000)}`));
    });
  });
}

/** SIGTERM a child that is still running (SIGKILL after 5 s) and wait until it has exited. */
export function stopChild(child) {
  return new Promise((resolve) => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return resolve();
    const t = setTimeout(() => child.kill("SIGKILL"), 5000);
    child.once("exit", () => {
      clearTimeout(t);
      resolve();
    });
    child.kill("SIGTERM");
  });
}
