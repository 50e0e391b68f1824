// The STS fuzzer against the in-process reference: the clean reference passes a small budget; deliberate defects
// are found within a small budget with a fixed seed; counterexamples shrink to small recipes, save as vectors and
// replay (failing against the defect, passing against the clean reference); shard seeds differ; shard reports merge.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it, onTestFinished } from "vitest";
import { TRUST } from "../../protocol/namespaces.ts";
import { parseXml } from "../../protocol/xml/safe-parse.ts";
import { referenceTargetConfig } from "../../adapters/target-config.ts";
import type { CaseResult } from "../../suites/case.ts";
import { runCampaign, streamSeed } from "../../suites/fuzz/campaign.ts";
import { runParallelCampaign } from "../../suites/fuzz/parallel.ts";
import { applyDomMutations, serializeDoc } from "../../suites/fuzz/mutators.ts";
import { mergeCases } from "../../suites/fuzz/report.ts";
import { buildStsMessage } from "../../suites/fuzz/sts-build.ts";
import { healthInput, stsProfile } from "../../suites/fuzz/sts-profile.ts";
import { stsInputArb, type StsFuzzInput } from "../../suites/fuzz/sts-input.ts";
import { makeVector, readVector, replayVector, writeVector } from "../../suites/fuzz/vectors.ts";
import { parseBudget, parseShard, parseWorkers } from "../../cli/fuzz.ts";
import { referenceTargets } from "../helpers/targets.ts";

const target = referenceTargets();

describe("fuzz campaign against the reference", () => {
  it("the clean reference passes a small budget: no oracle fails, the health request still gets a token", async () => {
    const t = await target();
    const r = await runCampaign(stsProfile(t, { maxResponseMs: 10_000 }), { seed: 7, budget: { cases: 400 }, streams: 2 });
    expect(r.oracles.filter((o) => o.counterexample).map((o) => `${o.oracle}: ${o.counterexample!.violation.message}`)).toEqual([]);
    expect(r.cases).toBeGreaterThanOrEqual(400);
    expect(r.oracles.find((o) => o.oracle === "no-token-unauthenticated")!.cases).toBeGreaterThanOrEqual(400);
  }, 120_000);

  // Budgets measured with `bench/fuzz.ts --defects --seed 1` (1 stream), with room to spare.
  const DEFECTS: [string, string, number][] = [
    ["password-not-checked", "no-token-unauthenticated", 300],
    ["fault-as-html-500", "http-fault", 300],
    ["unsigned-assertion", "token-verifies", 300],
    ["accept-expired-timestamp", "no-token-unauthenticated", 600],
  ];
  for (const [defect, oracle, budget] of DEFECTS) {
    it(`finds ${defect} within ${budget} cases (seed 1) through the ${oracle} oracle, shrunk and replayable`, async () => {
      const t = await target([defect]);
      const r = await runCampaign(stsProfile(t, { maxResponseMs: 10_000 }), { seed: 1, budget: { cases: budget }, streams: 1, stopAtFirst: true, canary: false, only: [oracle] });
      const cx = r.oracles.find((o) => o.oracle === oracle)!.counterexample;
      expect(cx, `${defect} not found in ${r.cases} cases`).toBeDefined();
      expect(cx!.confirmed).toBe(true);
      const input = cx!.input as StsFuzzInput;
      // Shrinking leaves the ordinary values: no replay, no odd actions, at most the one mutation that matters.
      expect(input.replay).toBe(false);
      expect(input.action).toBe("binding");
      expect(input.mutations.length).toBeLessThanOrEqual(1);
      const dir = mkdtempSync(join(tmpdir(), "wsconform-vectors-"));
      const file = writeVector(dir, makeVector({ profile: "sts", cx: cx!, target: t.description, dir, targetArg: ` --defect ${defect}` }));
      const v = readVector(file);
      expect(v.replay).toBe(`npx wsconform vectors replay ${file} --defect ${defect}`);
      expect(v.request?.body).toContain("Envelope");
      expect((await replayVector(v, await target([defect]))).violations.length).toBeGreaterThan(0);
      expect((await replayVector(v, await target())).violations).toEqual([]);
    }, 120_000);
  }
});

describe("mutators and facts", () => {
  it("a prefix/comment/CDATA rewrite keeps the meaning: the reference still issues", async () => {
    const t = await target();
    const p = stsProfile(t, { maxResponseMs: 10_000 });
    for (const op of ["prefix", "comment", "cdata"] as const) {
      for (let at = 0; at < 30; at += 3) {
        const input = { ...healthInput(t), mutations: [{ op, at, variant: 1 }] };
        const out = await p.execute(input, {});
        expect(out.violations).toEqual([]);
        expect(out.exchanges[0]!.response, `${op} at ${at}`).toContain("RequestedSecurityToken");
      }
    }
  });

  it("building never throws: 3,000 generated recipes, every mutation, each built and its facts read", async () => {
    // A build that throws stops a campaign as a harness bug (a prefix on a no-namespace element once did).
    const t = await target();
    fc.assert(
      fc.property(stsInputArb(t), (input) => {
        const built = buildStsMessage(input, t, "http://127.0.0.1:9/xxe/1");
        built.facts();
        return built.request.body.length > 0;
      }),
      { seed: 20261121, numRuns: 3_000 },
    );
  }, 120_000);

  it("a prefix mutation on an element in no namespace declares xmlns=\"\" instead of a prefix", () => {
    const doc = parseXml('<a:Root xmlns:a="urn:a"><Plain>x</Plain></a:Root>');
    applyDomMutations(doc, [{ op: "prefix", at: 1, variant: 3 }]);
    expect(serializeDoc(doc)).toBe('<a:Root xmlns:a="urn:a"><Plain xmlns="">x</Plain></a:Root>');
  });

  it("facts are read from the message as sent: a dropped RequestType and a wrong password are seen", async () => {
    const t = await target();
    const base = healthInput(t);
    const built = buildStsMessage({ ...base, auth: { ...base.auth, password: "wrong" } }, t);
    expect(built.facts().authWrong).toBe("wrong password");
    expect(built.facts().rsts[0]!.requestTypes).toEqual([TRUST[base.version].requestType("Issue")]);
    const doc = parseXml(buildStsMessage(base, t).request.body);
    // Find the RequestType element's index in document order and drop it.
    const all = [...(doc.getElementsByTagName("*") as unknown as Element[])];
    const at = all.findIndex((e) => e.localName === "RequestType");
    applyDomMutations(doc, [{ op: "drop", at, variant: 0 }]);
    expect(serializeDoc(doc)).not.toContain("RequestType");
    const dropped = buildStsMessage({ ...base, mutations: [{ op: "drop", at, variant: 0 }] }, t);
    expect(dropped.facts().rsts[0]!.requestTypes).toEqual([]);
    expect(dropped.facts().authWrong).toBeUndefined();
  });
});

describe("seeds, budgets, shards and merging", () => {
  it("shards and streams get distinct seeds", () => {
    const seeds = new Set<number>();
    for (let shard = 1; shard <= 4; shard++) for (let stream = 0; stream < 4; stream++) for (let round = 0; round < 8; round++) seeds.add(streamSeed(42, shard, stream, round));
    expect(seeds.size).toBe(4 * 4 * 8);
    expect(streamSeed(42, 1, 0, 0)).toBe(streamSeed(42, 1, 0, 0));
  });

  it("--workers auto uses every core only for a campaign that repays starting them", () => {
    expect(parseWorkers("auto", { ms: 60_000 }, 2)).toBe(2);
    expect(parseWorkers("auto", { cases: 100_000 }, 16)).toBe(8);
    expect(parseWorkers("auto", { cases: 400 }, 2)).toBe(1);
    expect(parseWorkers("3", { cases: 400 }, 2)).toBe(3);
    expect(() => parseWorkers("0", { cases: 1 }, 2)).toThrow(/--workers/);
  });

  it("parses budgets and shards", () => {
    expect(parseBudget("60s")).toEqual({ ms: 60_000 });
    expect(parseBudget("2m")).toEqual({ ms: 120_000 });
    expect(parseBudget("5000")).toEqual({ cases: 5000 });
    expect(() => parseBudget("soon")).toThrow(/budget/);
    expect(parseShard("2/4")).toEqual({ index: 2, count: 4 });
    expect(() => parseShard("5/4")).toThrow(/shard/);
  });

  it("merging shard results: a FAIL anywhere wins, PASS counts add up", () => {
    const c = (id: string, verdict: CaseResult["verdict"], n: number): CaseResult => ({ id, title: id, requirements: ["T78"], verdict, observations: [`cases=${n}`], exchanges: [], durationMs: 1 });
    const merged = mergeCases([
      [c("fuzz/sts/a", "PASS", 10), c("fuzz/sts/b", "PASS", 5)],
      [c("fuzz/sts/a", "PASS", 7), c("fuzz/sts/b", "FAIL", 3)],
    ]);
    expect(merged.find((x) => x.id === "fuzz/sts/a")).toMatchObject({ verdict: "PASS", observations: ["cases=17"] });
    expect(merged.find((x) => x.id === "fuzz/sts/b")).toMatchObject({ verdict: "FAIL", observations: ["cases=8"] });
  });
});

describe("a campaign over worker threads", () => {
  it("two workers share one budget and one claim per oracle: a defect is reported once, with a replayable counterexample", async () => {
    const dir = mkdtempSync(join(tmpdir(), "wsconform-keys-"));
    const r = await runParallelCampaign(
      { profile: "sts", maxResponseMs: 10_000, target: { config: referenceTargetConfig(["password-not-checked"]), options: { referenceDataDir: dir } } },
      { seed: 1, budget: { cases: 600 }, streams: 2, workers: 2, canary: false },
    );
    expect(r.workers).toBe(2);
    // Shrinking runs past the budget; the cases of both workers add up to the shared count.
    expect(r.cases).toBeGreaterThanOrEqual(600);
    const found = r.oracles.filter((o) => o.counterexample);
    expect(found.map((o) => o.oracle)).toContain("no-token-unauthenticated");
    const cx = found.find((o) => o.oracle === "no-token-unauthenticated")!.counterexample!;
    expect(cx.confirmed).toBe(true);
    expect((cx.input as StsFuzzInput).auth.password).not.toBe("right");
    // Every judged case is counted once over both workers.
    expect(r.oracles.find((o) => o.oracle === "http-fault")!.cases).toBe(r.cases);
  }, 120_000);

  it("a worker that cannot open its target fails the campaign with the worker's error", async () => {
    await expect(
      runParallelCampaign({ profile: "idp", maxResponseMs: 1000, target: { config: { ...referenceTargetConfig(), target: { kind: "http", url: "http://127.0.0.1:9/" } } as never, options: {} } }, { seed: 1, budget: { cases: 10 }, workers: 2 }),
    ).rejects.toThrow(/fuzz worker \d: [^]*passive IdP/);
  }, 60_000);
});

describe("wsconform fuzz over worker threads", () => {
  it("--workers 2 against a defect: exit 1, the FAIL in the report and a saved vector that names the defect", async () => {
    const { fuzzCommand } = await import("../../cli/fuzz.ts");
    const { readFileSync, readdirSync } = await import("node:fs");
    const dir = mkdtempSync(join(tmpdir(), "wsconform-fuzz-cli-"));
    let out = "";
    const code = await fuzzCommand(
      ["--defect", "password-not-checked", "--budget", "300", "--seed", "1", "--workers", "2", "--streams", "1", "--report", join(dir, "report"), "--vectors", join(dir, "vectors"), "--quiet"],
      (s) => void (out += s),
      () => {},
    );
    expect(code).toBe(1);
    expect(out).toMatch(/FAIL\s+fuzz\/sts\/no-token-unauthenticated/);
    expect(out).toContain("2 worker threads");
    const result = JSON.parse(readFileSync(join(dir, "report", "result.json"), "utf8")) as { cases: CaseResult[] };
    expect(result.cases.find((c) => c.id === "fuzz/sts/no-token-unauthenticated")!.verdict).toBe("FAIL");
    const vectors = readdirSync(join(dir, "vectors"));
    expect(vectors.length).toBeGreaterThanOrEqual(1);
    expect(readVector(join(dir, "vectors", vectors[0]!)).replay).toContain("--defect password-not-checked");
  }, 120_000);
});

describe("ending a campaign early", () => {
  it("an aborted campaign stops well short of its budget and still judges the health request", async () => {
    const t = await target();
    const stop = new AbortController();
    const r = await runCampaign(stsProfile(t, { maxResponseMs: 10_000 }), {
      seed: 3,
      budget: { cases: 1_000_000 },
      streams: 2,
      canary: false,
      signal: stop.signal,
      onProgress: (p) => p.cases >= 250 && stop.abort(),
    });
    expect(r.cases).toBeGreaterThanOrEqual(250);
    expect(r.cases).toBeLessThan(400);
    expect(r.oracles.find((o) => o.oracle === "health")!.counterexample).toBeUndefined();
  }, 60_000);

  it("an abort reaches every worker thread through the shared stop flag", async () => {
    const stop = new AbortController();
    const started = performance.now();
    const r = await runParallelCampaign(
      { profile: "sts", maxResponseMs: 10_000, target: { config: referenceTargetConfig(), options: { referenceDataDir: mkdtempSync(join(tmpdir(), "wsconform-keys-")) } } },
      { seed: 4, budget: { cases: 10_000_000 }, streams: 1, workers: 2, canary: false, signal: stop.signal, onProgress: (p) => p.cases >= 300 && stop.abort() },
    );
    expect(stop.signal.aborted).toBe(true);
    expect(r.cases).toBeGreaterThanOrEqual(300);
    // Ten million cases would take hours; stopping took the cases in flight only.
    expect(r.cases).toBeLessThan(5_000);
    expect(performance.now() - started).toBeLessThan(60_000);
  }, 90_000);

  it("Ctrl-C (SIGINT) to `wsconform fuzz` writes the reports of the cases run so far and exits 0 on a clean target", async () => {
    const { spawn } = await import("node:child_process");
    const { existsSync, readFileSync } = await import("node:fs");
    const dir = mkdtempSync(join(tmpdir(), "wsconform-fuzz-sigint-"));
    const child = spawn(process.execPath, ["cli/wsconform.mjs", "fuzz", "--budget", "120s", "--seed", "5", "--workers", "1", "--report", dir], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    // The campaign must not outlive the test, even one that times out (its budget also ends it after 2 minutes).
    onTestFinished(() => {
      if (child.exitCode === null) child.kill("SIGKILL");
    });
    // Interrupt once the progress line shows cases being run (bounded: the test's own timeout).
    await new Promise<void>((resolve) => {
      child.stderr.on("data", (d) => {
        err += d;
        if (/fuzz: \d{3,} cases/.test(err)) resolve();
      });
    });
    child.kill("SIGINT");
    expect(await exited).toBe(0);
    expect(out).toContain("interrupted before the end of its budget");
    expect(existsSync(join(dir, "result.json"))).toBe(true);
    const result = JSON.parse(readFileSync(join(dir, "result.json"), "utf8")) as { cases: CaseResult[] };
    expect(result.cases.every((c) => c.verdict === "PASS")).toBe(true);
  }, 90_000);
});
