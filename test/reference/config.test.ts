// The reference's JSON configuration: defaults, overrides, and errors that name the field and the fix.
import { describe, expect, it } from "vitest";
import { ConfigError, defaultConfig, resolveConfig } from "../../reference/config.ts";

function problems(override: unknown): string[] {
  try {
    resolveConfig(override);
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
}

describe("reference configuration", () => {
  it("the embedded default validates and has demo users and relying parties", () => {
    const c = resolveConfig({});
    expect(c).toEqual(defaultConfig());
    expect(c.users.map((u) => u.username)).toEqual(["alice", "bob", "ted"]);
    expect(c.relyingParties.length).toBeGreaterThanOrEqual(3);
  });

  it("an override replaces only the fields it names", () => {
    const c = resolveConfig({ clockSkewSeconds: 60, users: [{ username: "zed", password: "p" }] });
    expect(c.clockSkewSeconds).toBe(60);
    expect(c.users).toEqual([{ username: "zed", password: "p" }]);
    expect(c.tokenLifetimeSeconds).toBe(3600);
  });

  it("names the field and the fix for each problem", () => {
    const p = problems({
      clockSkew: 5,
      tokenLifetimeSeconds: -1,
      users: [{ username: "", password: 3 }, { username: "a", password: "x" }, { username: "a", password: "y" }],
      relyingParties: [{ realm: "urn:x", tokenType: "jwt", encryptionCertificate: "not a pem" }],
      activeSigningKey: "tertiary",
      defects: ["nope"],
    });
    expect(p).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^clockSkew: unknown field/),
        expect.stringMatching(/^tokenLifetimeSeconds: must be an integer from 1/),
        expect.stringMatching(/^users\[0\]\.username: must be a non-empty string/),
        expect.stringMatching(/^users\[0\]\.password: must be a string/),
        expect.stringMatching(/^users\[2\]\.username: "a" is defined twice/),
        expect.stringMatching(/^relyingParties\[0\]\.tokenType: must be "saml11" or "saml20"/),
        expect.stringMatching(/^relyingParties\[0\]\.encryptionCertificate: must be a PEM certificate/),
        expect.stringMatching(/^activeSigningKey: must be "primary" or "secondary"/),
        expect.stringMatching(/^defects: "nope" is not a defect; known: accept-expired-timestamp/),
      ]),
    );
  });

  it("refuses a non-object and a lifetime longer than the maximum", () => {
    expect(problems([])).toEqual(["the configuration must be a JSON object"]);
    expect(problems({ tokenLifetimeSeconds: 7200, maxTokenLifetimeSeconds: 3600 })).toEqual([
      "tokenLifetimeSeconds: must not exceed maxTokenLifetimeSeconds",
    ]);
  });
});
