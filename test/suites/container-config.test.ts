// wsconform.config.json with target kind "container": a valid one is accepted as written, and every bad field is
// refused with a line naming it (no docker needed here; test/suites/container.test.ts starts a real container).
import { describe, expect, it } from "vitest";
import { TargetConfigError, validateTargetConfig } from "../../adapters/target-config.ts";

const ENDPOINTS = {
  "1.3": { username: "/adfs/services/trust/13/usernamemixed" },
  "2005": { username: "/adfs/services/trust/2005/usernamemixed" },
};

function config(target: Record<string, unknown>) {
  return {
    target,
    credentials: { username: "alice", password: "ecila" },
    appliesTo: { registered: "urn:wsconform:rp:saml20", unregistered: "urn:wsconform:rp:not-registered" },
  };
}

function problems(target: Record<string, unknown>): string[] {
  try {
    validateTargetConfig(config(target));
  } catch (e) {
    expect(e).toBeInstanceOf(TargetConfigError);
    return (e as TargetConfigError).problems;
  }
  return [];
}

describe("target kind container", () => {
  it("accepts a complete container target and keeps its fields", () => {
    const target = {
      $comment: "comment keys are ignored",
      kind: "container",
      name: "Acme STS 1.2",
      image: "acme/sts:1.2",
      port: 8443,
      env: { STS_MODE: "test" },
      wait: { path: "/health", status: 204 },
      startupTimeoutMs: 90_000,
      endpoints: ENDPOINTS,
      tlsCa: ["ca.pem"],
      timeoutMs: 5000,
    };
    const c = validateTargetConfig(config(target));
    expect(c.target).toEqual({ ...target, $comment: undefined });
    expect(c.target.kind).toBe("container");
  });

  it("accepts the minimal form and a log-line wait", () => {
    expect(problems({ kind: "container", image: "wsconform/reference:local", port: 8089, endpoints: ENDPOINTS })).toEqual([]);
    expect(problems({ kind: "container", image: "x:1", port: 1, endpoints: ENDPOINTS, wait: { log: "Ready." } })).toEqual([]);
  });

  it("names every bad field", () => {
    const p = problems({
      kind: "container",
      image: "",
      port: 70000,
      env: { A: 1 },
      wait: { path: "health" },
      startupTimeoutMs: -1,
      endpoints: { "1.2": { username: "x" } },
      tlsCa: "ca.pem",
      timeoutMs: 0,
      baseUrl: "http://localhost:8089",
    });
    const fields = p.map((l) => l.split(":")[0]);
    expect(fields).toEqual(
      expect.arrayContaining([
        "target.baseUrl",
        "target.image",
        "target.port",
        "target.env",
        "target.wait",
        "target.startupTimeoutMs",
        "target.endpoints.1.2",
        "target.tlsCa",
        "target.timeoutMs",
      ]),
    );
    expect(p.find((l) => l.startsWith("target.baseUrl"))).toMatch(/unknown field for kind "container"/);
    expect(p.find((l) => l.startsWith("target.image"))).toMatch(/never pulled/);
  });

  it("requires image, port and endpoints", () => {
    const p = problems({ kind: "container" });
    expect(p.map((l) => l.split(":")[0]).sort()).toEqual(["target.endpoints", "target.image", "target.port"]);
  });

  it("refuses a wait that mixes both forms or a status out of range", () => {
    expect(problems({ kind: "container", image: "x:1", port: 80, endpoints: ENDPOINTS, wait: { path: "/h", log: "up" } })[0]).toMatch(/^target\.wait:/);
    expect(problems({ kind: "container", image: "x:1", port: 80, endpoints: ENDPOINTS, wait: { path: "/h", status: 99 } })[0]).toMatch(/^target\.wait:/);
    expect(problems({ kind: "container", image: "x:1", port: 80, endpoints: ENDPOINTS, wait: { log: "" } })[0]).toMatch(/^target\.wait:/);
  });

  it("lists container among the kinds when the kind is unknown", () => {
    expect(problems({ kind: "docker" })).toEqual(['target.kind: must be "reference", "http" or "container" (got "docker")']);
  });
});
