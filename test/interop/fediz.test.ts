// The WS-Federation suites against the Apache CXF Fediz IdP (peers/fediz: the fediz-idp and fediz-idp-sts WARs, the
// newest published on Maven Central, in one embedded Tomcat 9 over TLS), started with three harness relying parties
// at fixed loopback reply URLs. Every `ws-fed/` case except the RP ones, on the drivers selected by FEDIZ_DRIVERS
// (default: undici and chromium when /usr/bin/chromium exists, else undici; e.g. FEDIZ_DRIVERS=undici), compared
// with peers/fediz/wsfed-expectations.json (no unexpected FAIL/ERROR, no unexpected pass) and written to reports/out/interop/fediz/result.json (the interop
// matrix reads it). Without java/mvn the test fails under CI=true and is skipped otherwise.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validateTargetConfig } from "../../adapters/target-config.ts";
import type { StsTarget } from "../../adapters/sts-target.ts";
import { compare, parseExpectations } from "../../reports/expectations.ts";
import { buildResult, type RunResult } from "../../reports/result.ts";
import { loadAllCases } from "../../suites/all-cases.ts";
import { runCase, type CaseResult } from "../../suites/case.ts";
import { createTarget } from "../../suites/target.ts";
import { IN_CI, installPeer, startPeer, type RunningPeer } from "../../peers/wsfed-idp/support.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const OUT = join(ROOT, "reports/out/interop/fediz");
const VERSION = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;
const TITLE = "Apache CXF Fediz 1.2.0 IdP";
const RPS = [18131, 18132, 18133].map((p, i) => ({ realm: `urn:wsconform:interop:fediz:rp${i + 1}`, replyUrl: `https://127.0.0.1:${p}/rp${i + 1}/` }));
// Both drivers when Debian's Chromium is there (as the other IdP peers run), else undici only.
const DRIVERS = (process.env.FEDIZ_DRIVERS ?? (existsSync("/usr/bin/chromium") ? "undici,chromium" : "undici")).split(",").map((s) => s.trim()).filter(Boolean);
const select = (id: string) => id.startsWith("ws-fed/") && !id.startsWith("ws-fed/rp/") && (!/^ws-fed\/(undici|chromium)\//.test(id) || DRIVERS.includes(id.split("/")[1]!));

const install = installPeer(join(ROOT, "peers/fediz/install.sh"), ["java", "mvn", "keytool"], 900_000);

function table(results: CaseResult[]): string {
  return results.map((r) => `${r.verdict.padEnd(5)} ${r.id}${r.verdict === "PASS" ? "" : `  ${r.failedRequirement ? `[${r.failedRequirement}] ` : ""}${(r.message ?? "").split("\n")[0]!.slice(0, 240)}`}`).join("\n");
}

if (!install.ok && IN_CI) {
  it(`${TITLE} is installed (CI=true)`, () => {
    throw new Error(`fediz peer unavailable: ${install.why}`);
  });
}

describe.skipIf(!install.ok)(`WS-Fed suites against ${TITLE}`, () => {
  let peer: RunningPeer | undefined;
  let target: StsTarget | undefined;
  let state = "";
  let result: RunResult | undefined;

  beforeAll(async () => {
    state = mkdtempSync(join(tmpdir(), "wsconform-fediz-"));
    peer = await startPeer(process.execPath, [join(ROOT, "peers/fediz/start.mjs"), "--port", "0", "--state", state, ...RPS.flatMap((r) => ["--rp", `${r.realm}=${r.replyUrl}`])], { timeoutMs: 300_000 });
    console.log(`fediz: install ${install.ms} ms (${install.versions}); start-up ${peer.startMs} ms`);
    const config = validateTargetConfig(JSON.parse(readFileSync(peer.info.description!, "utf8")));
    target = await createTarget(config, { baseDir: ROOT });
  });
  afterAll(async () => {
    await target?.close().catch(() => {});
    await peer?.stop();
    if (state) rmSync(state, { recursive: true, force: true });
  });

  it("runs its cases with no unexpected FAIL or ERROR (peers/fediz/wsfed-expectations.json)", async () => {
    const cases = (await loadAllCases()).map((c) => c.definition).filter((d) => select(d.id));
    expect(cases.length).toBeGreaterThan(0);
    const startedAt = Date.now();
    const results: CaseResult[] = [];
    for (const def of cases) results.push(await runCase(def, target!));
    const command = "npx vitest run --config vitest.interop.config.ts test/interop/fediz.test.ts";
    result = buildResult({
      cases: results,
      target: { name: target!.description.name, kind: target!.description.kind, url: target!.description.url, capabilities: { passive: target!.passiveIdp?.capabilities } },
      version: VERSION,
      startedAt,
      durationMs: Date.now() - startedAt,
      command,
      reproduce: (c) => `${command}  # case ${c.id}`,
    });
    mkdirSync(OUT, { recursive: true });
    writeFileSync(join(OUT, "result.json"), JSON.stringify(result, null, 2) + "\n");
    const summary = `${TITLE}: ${Object.entries(result.counts).map(([k, v]) => `${k} ${v}`).join(", ")}\n${table(result.cases)}`;
    writeFileSync(join(OUT, "verdicts.txt"), summary + "\n");
    console.log(summary);

    const f = join(ROOT, "peers/fediz/wsfed-expectations.json");
    const expectations = existsSync(f) ? parseExpectations(JSON.parse(readFileSync(f, "utf8"))) : undefined;
    // Expectations for a driver that did not run are not judged.
    const cmp = compare(result, expectations);
    const detail = (ids: string[]) => ids.map((id) => { const c = result!.cases.find((x) => x.id === id)!; return `${c.verdict} ${id} [${c.failedRequirement ?? ""}] ${(c.message ?? "").slice(0, 600)}`; }).join("\n");
    expect(cmp.unexpectedFailures, `unexpected FAIL/ERROR:\n${detail(cmp.unexpectedFailures)}`).toEqual([]);
    expect(cmp.unexpectedPasses, "expected failures that no longer fail: tighten the expectations file").toEqual([]);
  });

  it("never crashes the harness: no case ends in a harness error", () => {
    expect(result, "the run above did not complete").toBeDefined();
    const crashed = result!.cases.filter((c) => c.verdict === "ERROR" && (c.message ?? "").startsWith("harness error"));
    expect(crashed.map((c) => `${c.id}: ${c.message?.slice(0, 400)}`)).toEqual([]);
  });
});
