// `wsconform fuzz`: a property-based fuzz campaign against a target (seeded, shrinking, regression vectors saved),
// with the same reports as `wsconform run` (one result per oracle), and `--merge` to join shard reports.
import { randomInt } from "node:crypto";
import { availableParallelism } from "node:os";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { referenceTargetConfig, urlTargetConfig } from "../adapters/target-config.ts";
import type { StsTarget } from "../adapters/sts-target.ts";
import { buildResult, type RunResult } from "../reports/result.ts";
import { junitXml } from "../reports/junit.ts";
import { summaryText } from "../reports/summary.ts";
import type { CaseResult } from "../suites/case.ts";
import { createTarget, loadTargetConfigFile } from "../suites/target.ts";
import { runCampaign, type Budget, type CampaignResult } from "../suites/fuzz/campaign.ts";
import { runParallelCampaign, type WorkerTarget } from "../suites/fuzz/parallel.ts";
import { PROFILE_NAMES, profileFor, type ProfileName } from "../suites/fuzz/profile.ts";
import { campaignCases, mergeCases } from "../suites/fuzz/report.ts";
import { makeVector, writeVector } from "../suites/fuzz/vectors.ts";

const ROOT = resolve(fileURLToPath(import.meta.url), "../..");

export function parseBudget(s: string): Budget {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(s.trim());
  if (!m) throw new Error(`--budget ${s}: use a duration (60s, 5m, 500ms) or a number of cases (10000)`);
  const n = Number(m[1]);
  if (!m[2]) return { cases: Math.max(1, Math.floor(n)) };
  return { ms: n * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as "ms" | "s" | "m" | "h"] };
}

export function parseShard(s: string | undefined): { index: number; count: number } {
  if (!s) return { index: 1, count: 1 };
  const m = /^(\d+)\/(\d+)$/.exec(s);
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || index < 1 || index > count) throw new Error(`--shard ${s}: use i/n with 1 <= i <= n, e.g. 2/4`);
  return { index, count };
}


/** How --target FILE|URL (or the in-process reference, with --defect) is opened: plain data, so worker threads can
 * open their own copy. */
export function describeTarget(target: string | undefined, defects: string[]): { spec: WorkerTarget; targetArg: string; defects?: string[] } {
  if (target && /^https?:\/\//.test(target)) return { spec: { config: urlTargetConfig(target, false), options: {} }, targetArg: ` --target ${target}` };
  if (target) {
    const { config, baseDir } = loadTargetConfigFile(target);
    return { spec: { config, options: { baseDir } }, targetArg: ` --target ${target}` };
  }
  return { spec: { config: referenceTargetConfig(defects), options: { referenceDataDir: resolve(".wsconform/reference") } }, targetArg: defects.map((d) => ` --defect ${d}`).join(""), defects };
}

/** The target of --target FILE|URL, or the in-process reference (with --defect). */
export async function openTarget(target: string | undefined, defects: string[]): Promise<{ target: StsTarget; targetArg: string; defects?: string[]; spec: WorkerTarget }> {
  const d = describeTarget(target, defects);
  return { ...d, target: await createTarget(d.spec.config, d.spec.options) };
}

/**
 * --workers: "auto" uses every core for a campaign big enough to repay the start of the workers (about a second
 * each: every worker loads the harness and opens its own target), one thread otherwise.
 */
export function parseWorkers(s: string, budget: Budget, cores = availableParallelism()): number {
  if (s === "auto") return (budget.ms ?? 0) >= 10_000 || (budget.cases ?? 0) >= 5_000 ? Math.min(cores, 8) : 1;
  const n = Number(s);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new Error(`--workers ${s}: "auto" or a whole number from 1 to 64`);
  return n;
}

function harnessVersion(): string {
  return (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;
}

function writeReports(dir: string, result: RunResult): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "result.json"), `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(join(dir, "junit.xml"), junitXml(result));
  const summary = summaryText(result);
  writeFileSync(join(dir, "summary.txt"), summary);
  return summary;
}

export async function fuzzCommand(args: string[], out: (s: string) => void = (s) => process.stdout.write(s), err: (s: string) => void = (s) => process.stderr.write(s)): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      target: { type: "string" },
      budget: { type: "string", default: "60s" },
      seed: { type: "string" },
      profile: { type: "string", default: "sts" },
      shard: { type: "string" },
      report: { type: "string", default: "reports/out/fuzz" },
      vectors: { type: "string", default: "vectors/regressions" },
      defect: { type: "string", multiple: true, default: [] },
      streams: { type: "string", default: "4" },
      workers: { type: "string", default: "auto" },
      "max-response-ms": { type: "string", default: "5000" },
      merge: { type: "boolean", default: false },
      quiet: { type: "boolean", default: false },
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.merge) return mergeCommand(positionals, values.report, out);
  if (positionals.length) throw new Error(`unexpected argument ${positionals[0]} (directories are only taken with --merge)`);
  if (!(PROFILE_NAMES as string[]).includes(values.profile)) throw new Error(`--profile ${values.profile}: one of ${PROFILE_NAMES.join(", ")}`);
  const budget = parseBudget(values.budget);
  const shard = parseShard(values.shard);
  const seed = values.seed !== undefined ? Number(values.seed) : randomInt(0, 2 ** 31);
  if (!Number.isInteger(seed)) throw new Error(`--seed ${values.seed}: an integer`);
  const maxResponseMs = Number(values["max-response-ms"]);
  const workers = parseWorkers(values.workers, budget);
  const { target, targetArg, defects, spec } = await openTarget(values.target, values.defect);
  const startedAt = Date.now();
  // Ctrl-C ends the campaign early and still writes the reports and vectors; a second Ctrl-C quits at once.
  const interrupt = new AbortController();
  const onSigint = () => {
    if (interrupt.signal.aborted) process.exit(130);
    err("\nfuzz: interrupted; finishing the cases in flight and writing the reports (Ctrl-C again to quit now)\n");
    interrupt.abort();
  };
  process.on("SIGINT", onSigint);
  try {
    const profile = await profileFor(values.profile as ProfileName, target, { maxResponseMs });
    const shardArg = shard.count > 1 ? ` --shard ${shard.index}/${shard.count}` : "";
    const command = `npx wsconform fuzz${targetArg} --profile ${values.profile} --budget ${values.budget} --seed ${seed}${shardArg}`;
    err(`fuzz: seed ${seed} (repeat: ${command})\n`);
    const progress = (p: { cases: number; failures: number; elapsedMs: number }) => {
      if (!values.quiet) err(`\rfuzz: ${p.cases} cases, ${Math.round((p.cases * 1000) / Math.max(1, p.elapsedMs))} cases/s, ${p.failures} failures   `);
    };
    const options = { seed, budget, shard, streams: Number(values.streams), onProgress: progress, signal: interrupt.signal };
    // Worker threads each open their own copy of the target; this thread's copy still serves the report and vectors.
    const r: CampaignResult =
      workers > 1 ? await runParallelCampaign({ profile: values.profile as ProfileName, maxResponseMs, target: spec }, { ...options, workers }) : await runCampaign(profile, options);
    if (!values.quiet) err("\n");
    const vectorsDir = values.vectors;
    const saved: string[] = [];
    const cases = campaignCases(r, (o) => {
      if (!o.counterexample?.input) return command;
      const v = makeVector({ profile: values.profile as ProfileName, cx: o.counterexample, target: { ...target.description, defects }, dir: vectorsDir, targetArg, shard: shard.count > 1 ? `${shard.index}/${shard.count}` : undefined });
      saved.push(writeVector(vectorsDir, v));
      return v.replay;
    });
    const result = buildResult({
      cases: cases as CaseResult[],
      target: { ...target.description, capabilities: target.capabilities },
      version: harnessVersion(),
      startedAt,
      durationMs: Date.now() - startedAt,
      command,
      reproduce: (c) => (c as CaseResult & { reproduce?: string }).reproduce ?? command,
    });
    const summary = writeReports(resolve(values.report), result);
    out(`${summary}fuzz: ${r.cases} cases in ${(r.ms / 1000).toFixed(1)} s (${Math.round((r.cases * 1000) / r.ms)} cases/s, ${workers} worker thread${workers > 1 ? "s" : ""}), seed ${seed}${interrupt.signal.aborted ? ", interrupted before the end of its budget" : ""}\n`);
    for (const f of saved) out(`regression vector: ${f}\n`);
    out(`reports: ${resolve(values.report)}\n`);
    return result.counts.FAIL || result.counts.ERROR ? 1 : 0;
  } finally {
    process.off("SIGINT", onSigint);
    await target.close();
  }
}

async function mergeCommand(dirs: string[], report: string, out: (s: string) => void): Promise<number> {
  if (!dirs.length) throw new Error("--merge needs the report directories of the shards");
  const results = dirs.map((d) => JSON.parse(readFileSync(join(d, "result.json"), "utf8")) as RunResult);
  const cases = mergeCases(results.map((r) => r.cases));
  const merged = buildResult({
    cases,
    target: results[0]!.target,
    version: harnessVersion(),
    startedAt: Math.min(...results.map((r) => Date.parse(r.startedAt))),
    durationMs: Math.max(...results.map((r) => r.durationMs)),
    command: results.map((r) => r.command).join(" && "),
    reproduce: (c) => (c as CaseResult & { reproduce?: string }).reproduce ?? results[0]!.command,
  });
  const summary = writeReports(resolve(report), merged);
  out(`${summary}merged ${dirs.length} shard reports into ${resolve(report)}\n`);
  return merged.counts.FAIL || merged.counts.ERROR ? 1 : 0;
}
