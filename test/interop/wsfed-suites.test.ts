// The WS-Federation suites against third-party peers: the npm `wsfed` 6.0.0 IdP and SimpleSAMLphp 1.19.7 (each
// started with three harness relying parties at fixed loopback reply URLs; every `ws-fed/` case, both browser
// drivers), and the passport-wsfed-saml2 4.6.1 relying party (the `ws-fed/rp/` cases and the `security/` token
// cases through its token-consumer face). Each run is compared with peers/<peer>/wsfed-expectations.json (no
// unexpected FAIL/ERROR, no unexpected pass) and written to reports/out/interop/<peer>/result.json, from which
// `node cli/run-ts.mjs reports/interop-matrix.ts reports/out/interop` builds the interop matrix. The in-process
// reference runs every suite too (reports/out/interop/reference: the matrix's baseline row, no FAIL/ERROR allowed).
// A peer whose toolchain is missing fails under CI=true and is skipped otherwise.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validateTargetConfig, type TargetConfig } from "../../adapters/target-config.ts";
import type { StsTarget } from "../../adapters/sts-target.ts";
import { compare, parseExpectations, type ExpectationFile } from "../../reports/expectations.ts";
import { buildResult, type RunResult } from "../../reports/result.ts";
import { loadAllCases } from "../../suites/all-cases.ts";
import { runCase, type CaseResult } from "../../suites/case.ts";
import { createTarget } from "../../suites/target.ts";
import { IN_CI, installPeer, startPeer, type RunningPeer } from "../../peers/wsfed-idp/support.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const OUT = join(ROOT, "reports/out/interop");
const VERSION = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;
const HARNESS_IDP_KEYS = join(ROOT, "vectors/security/keys");

/** Three harness RP realms per IdP, on fixed loopback ports (the IdP registers these reply URLs at start). */
const rpsOn = (tag: string, ports: number[]) => ports.map((p, i) => ({ realm: `urn:wsconform:interop:${tag}:rp${i + 1}`, replyUrl: `http://127.0.0.1:${p}/rp${i + 1}/` }));

interface PeerSpec {
  /** Folder name under peers/ and reports/out/interop/. */
  peer: string;
  title: string;
  install: ReturnType<typeof installPeer>;
  /** Case ids this peer is judged on. */
  select: (id: string) => boolean;
  start(state: string): Promise<RunningPeer>;
  /** Honest capability declarations on top of the peer's own description. */
  adjust(config: TargetConfig): void;
}

const PEERS: PeerSpec[] = [
  {
    peer: "wsfed-idp",
    title: "npm wsfed 6.0.0 IdP",
    install: installPeer(join(ROOT, "peers/wsfed-idp/install.sh"), ["npm", "openssl"]),
    select: (id) => id.startsWith("ws-fed/") && !id.startsWith("ws-fed/rp/"),
    start: (state) =>
      startPeer(process.execPath, [join(ROOT, "peers/wsfed-idp/server.mjs"), "--port", "0", "--state", state, ...rpsOn("wsfed-idp", [18111, 18112, 18113]).flatMap((r) => ["--rp", `${r.realm}=${r.replyUrl}`])]),
    adjust(c) {
      // The library has no sign-out (wsignout1.0 answers 501) and ignores wfresh; it issues SAML 1.1 only.
      c.passive!.capabilities = { ...c.passive!.capabilities, signOut: false, freshness: false, metadata: true, tokenTypes: ["saml11"] };
    },
  },
  {
    peer: "simplesamlphp",
    title: "SimpleSAMLphp 1.19.7 adfs IdP",
    install: installPeer(join(ROOT, "peers/simplesamlphp/install.sh"), ["openssl", "dpkg-query", "php"]),
    select: (id) => id.startsWith("ws-fed/") && !id.startsWith("ws-fed/rp/"),
    start: (state) =>
      startPeer(process.execPath, [join(ROOT, "peers/simplesamlphp/start.mjs"), "--port", "0", "--state", state, ...rpsOn("simplesamlphp", [18121, 18122, 18123]).flatMap((r) => ["--rp", `${r.realm}=${r.replyUrl}`])]),
    adjust(c) {
      // wsignout1.0 with a cleanup redirect chain: yes; wfresh: not honoured by the adfs module; SAML 1.1 only.
      c.passive!.capabilities = { ...c.passive!.capabilities, signOut: true, freshness: false, metadata: true, tokenTypes: ["saml11"] };
    },
  },
  {
    peer: "passport-wsfed-rp",
    title: "passport-wsfed-saml2 4.6.1 RP",
    install: installPeer(join(ROOT, "peers/passport-wsfed-rp/install.sh"), ["npm"]),
    select: (id) => id.startsWith("ws-fed/rp/") || id.startsWith("security/"),
    start: (state) =>
      startPeer(process.execPath, [
        join(ROOT, "peers/passport-wsfed-rp/server.mjs"),
        "--cert", join(HARNESS_IDP_KEYS, "idp.cert.pem"),
        "--key", join(HARNESS_IDP_KEYS, "idp.key.pem"),
        "--issuer", "urn:wsconform:interop:harness-idp",
        "--realm", "urn:wsconform:interop:passport-rp",
        // Nothing listens there: the suites post wresults themselves and never follow the RP's sign-in redirect.
        "--idp-url", "http://127.0.0.1:18139/adfs/ls/",
        "--port", "0",
        "--state", state,
      ]),
    adjust(c) {
      // The library verifies SAML 1.1 and 2.0 assertions (the app accepts a 2005 RSTR and a 1.3 RSTRC).
      c.relyingParty!.tokenTypes = ["saml11", "saml20"];
    },
  },
];

/** Run cases against a target and keep the result as reports/out/interop/<row>/result.json (and a verdict table). */
async function runAndWrite(row: string, title: string, target: StsTarget, select: (id: string) => boolean): Promise<RunResult> {
  const cases = (await loadAllCases()).map((c) => c.definition).filter((d) => select(d.id));
  expect(cases.length).toBeGreaterThan(0);
  const startedAt = Date.now();
  const results: CaseResult[] = [];
  for (const def of cases) results.push(await runCase(def, target));
  const command = `npx vitest run --config vitest.interop.config.ts test/interop/wsfed-suites.test.ts -t '${title}'`;
  const result = buildResult({
    cases: results,
    target: { name: target.description.name, kind: target.description.kind, url: target.description.url, capabilities: { passive: target.passiveIdp?.capabilities, relyingParty: target.relyingParty ? { tokenTypes: target.relyingParty.tokenTypes } : undefined } },
    version: VERSION,
    startedAt,
    durationMs: Date.now() - startedAt,
    command,
    reproduce: (c) => `${command}  # case ${c.id}`,
  });
  mkdirSync(join(OUT, row), { recursive: true });
  writeFileSync(join(OUT, row, "result.json"), JSON.stringify(result, null, 2) + "\n");
  const summary = `${title}: ${Object.entries(result.counts).map(([k, v]) => `${k} ${v}`).join(", ")}\n${table(result.cases)}`;
  writeFileSync(join(OUT, row, "verdicts.txt"), summary + "\n");
  console.log(summary);
  return result;
}

function readExpectations(peer: string): ExpectationFile | undefined {
  const f = join(ROOT, "peers", peer, "wsfed-expectations.json");
  return existsSync(f) ? parseExpectations(JSON.parse(readFileSync(f, "utf8"))) : undefined;
}

function table(results: CaseResult[]): string {
  return results.map((r) => `${r.verdict.padEnd(5)} ${r.id}${r.verdict === "PASS" ? "" : `  ${r.failedRequirement ? `[${r.failedRequirement}] ` : ""}${(r.message ?? "").split("\n")[0]!.slice(0, 240)}`}`).join("\n");
}

for (const spec of PEERS) {
  if (!spec.install.ok && IN_CI) {
    it(`${spec.title} is installed (CI=true)`, () => {
      throw new Error(`${spec.peer} peer unavailable: ${spec.install.why}`);
    });
  }

  describe.skipIf(!spec.install.ok)(`WS-Fed suites against ${spec.title}`, () => {
    let peer: RunningPeer | undefined;
    let target: StsTarget | undefined;
    let state = "";
    let result: RunResult | undefined;

    beforeAll(async () => {
      state = mkdtempSync(join(tmpdir(), `wsconform-wsfed-suites-${spec.peer}-`));
      peer = await spec.start(state);
      const config = validateTargetConfig(JSON.parse(readFileSync(peer.info.description!, "utf8")));
      spec.adjust(config);
      target = await createTarget(config, { baseDir: ROOT });
    });
    afterAll(async () => {
      await target?.close().catch(() => {});
      await peer?.stop();
      if (state) rmSync(state, { recursive: true, force: true });
    });

    it("runs its cases with no unexpected FAIL or ERROR (peers/<peer>/wsfed-expectations.json)", async () => {
      result = await runAndWrite(spec.peer, spec.title, target!, spec.select);
      const cmp = compare(result, readExpectations(spec.peer));
      const detail = (ids: string[]) => ids.map((id) => { const c = result!.cases.find((x) => x.id === id)!; return `${c.verdict} ${id} [${c.failedRequirement ?? ""}] ${(c.message ?? "").slice(0, 600)}`; }).join("\n");
      expect(cmp.unexpectedFailures, `unexpected FAIL/ERROR:\n${detail(cmp.unexpectedFailures)}`).toEqual([]);
      expect(cmp.unexpectedPasses, "expected failures that no longer fail: tighten the expectations file").toEqual([]);
    });

    it("never crashes the harness: no case ends in a harness error", () => {
      expect(result, "the run above did not complete").toBeDefined();
      const crashed = result!.cases.filter((c) => c.verdict === "ERROR" && (c.message ?? "").startsWith("harness error"));
      expect(crashed.map((c) => `${c.id}: ${c.message?.slice(0, 400)}`)).toEqual([]);
    });

    if (spec.peer === "wsfed-idp") {
      it("a peer without sign-out gets SKIP for every sign-out case, with the reason", () => {
        const signOut = result!.cases.filter((c) => /^ws-fed\/[^/]+\/signout\//.test(c.id));
        expect(signOut.length).toBe(10);
        for (const c of signOut) {
          expect(c.verdict, c.id).toBe("SKIP");
          expect(c.message, c.id).toMatch(/sign-?out/i);
        }
      });
    }
  });
}

// The matrix's baseline row: the in-process reference (its passive IdP with three harness RPs, its RP and token
// consumer) under every suite, so `reports/interop-matrix.ts reports/out/interop` compares the peers with it.
describe("every suite against the reference (the interop matrix's baseline row)", () => {
  let target: StsTarget | undefined;
  beforeAll(async () => {
    target = await createTarget();
  });
  afterAll(async () => {
    await target?.close().catch(() => {});
  });
  it("has no FAIL or ERROR", async () => {
    const result = await runAndWrite("reference", "the reference", target!, () => true);
    const bad = result.cases.filter((c) => c.verdict === "FAIL" || c.verdict === "ERROR");
    expect(bad.map((c) => `${c.verdict} ${c.id}: ${(c.message ?? "").slice(0, 400)}`)).toEqual([]);
  });
});
