// A target that hangs, resets, answers garbage or floods the harness yields an ERROR verdict, within bounded time,
// never a crash or a hang of the harness. The misbehaving targets are loopback servers made here.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { referenceTargetConfig, validateTargetConfig } from "../../adapters/target-config.ts";
import { runCase } from "../../suites/case.ts";
import { createTarget } from "../../suites/target.ts";
import { ISSUE_CASES } from "../../suites/ws-trust/issue.cases.ts";

type Behaviour = "hang" | "reset" | "garbage" | "huge" | "slow-drip";
let server: Server;
let base: string;
const sockets = new Set<import("node:net").Socket>();

beforeAll(async () => {
  server = createServer((req, res) => {
    const mode = (req.url ?? "").split("/")[1] as Behaviour;
    req.resume();
    if (mode === "hang") return; // never answers
    if (mode === "reset") return req.socket.destroy();
    if (mode === "garbage") {
      res.writeHead(200, { "content-type": "application/soap+xml" });
      return res.end("\u0000\u0001 this is not XML <<<");
    }
    if (mode === "huge") {
      res.writeHead(200, { "content-type": "application/soap+xml" });
      const chunk = Buffer.alloc(1024 * 1024, 0x61);
      let sent = 0;
      const pump = () => {
        while (sent < 64 && res.write(chunk)) sent++;
        if (sent < 64) res.once("drain", pump);
        else res.end();
      };
      return pump();
    }
    if (mode === "slow-drip") {
      res.writeHead(200, { "content-type": "application/soap+xml" });
      const timer = setInterval(() => res.write(" "), 200);
      res.on("close", () => clearInterval(timer));
    }
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => server.close(() => r()));
});

function configFor(mode: Behaviour) {
  const ref = referenceTargetConfig();
  return validateTargetConfig({
    target: { kind: "http", baseUrl: `${base}/${mode}`, endpoints: { "1.3": { username: `/${mode}/sts` } }, timeoutMs: 1500, maxResponseBytes: 1024 * 1024 },
    credentials: ref.credentials,
    appliesTo: ref.appliesTo,
    capabilities: { ...ref.capabilities, versions: ["1.3"], credentials: ["username"] },
  });
}

describe("hostile targets yield ERROR, never a crash or a hang", () => {
  const contextEcho = ISSUE_CASES.find((c) => c.id === "ws-trust/issue/context-echo")!;
  for (const mode of ["hang", "reset", "garbage", "huge", "slow-drip"] as Behaviour[]) {
    it(`${mode}`, async () => {
      const target = await createTarget(configFor(mode));
      const started = performance.now();
      const r = await runCase(contextEcho, target);
      await target.close();
      expect(r.verdict, r.message).toBe("ERROR");
      expect(performance.now() - started).toBeLessThan(10_000);
      expect(r.exchanges.length).toBeGreaterThan(0);
    });
  }
});
