// Shared by the peer launchers (peers/*/start.mjs, peers/wsfed-idp/server.mjs): the `--rp REALM=REPLY_URL` syntax
// and a free loopback port. Node built-ins only, so every peer can import it whatever its own dependencies.
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
