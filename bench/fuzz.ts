// Benchmark of the STS fuzzer against the in-process reference: cases per second, and the harness's own share of
// the time (generation, building, mutating, judging) against the time spent inside the target. As in
// bench/issue.ts the baseline (serial in-process Issue of one prebuilt request) is measured in the same run,
// interleaved in rounds, and the median ratio is reported, so figures compare across machines.
//   node cli/run-ts.mjs bench/fuzz.ts [--rounds 3] [--cases 60000] [--workers N (default: one per core)] [--streams 4 (per worker, as `wsconform fuzz`)]
//   node cli/run-ts.mjs bench/fuzz.ts --defects [--max 20000] [--seed 1] [--defect NAME...]   cases to find each defect
//   node cli/run-ts.mjs bench/fuzz.ts --campaign 100000 [--seed 1] [--profile sts|idp|consumer]   one long campaign on the clean reference
//   (--defects takes --profile too: idp defects are reference/defects.ts area "idp", consumer ones adapters/harness-rp/defects.ts)
import { parseArgs } from "node:util";
import { FakeClock } from "../protocol/clock.ts";
import { referenceTargetConfig } from "../adapters/target-config.ts";
import type { StsTarget } from "../adapters/sts-target.ts";
import { DEFECT_NAMES, defectArea } from "../reference/defects.ts";
import { RP_DEFECT_NAMES } from "../adapters/harness-rp/defects.ts";
import { profileFor, type ProfileName } from "../suites/fuzz/profile.ts";
import { loadOrCreateKeys } from "../reference/keys.ts";
import { createTarget } from "../suites/target.ts";
import { runCampaign } from "../suites/fuzz/campaign.ts";
import { healthInput, stsProfile } from "../suites/fuzz/sts-profile.ts";
import { buildStsMessage } from "../suites/fuzz/sts-build.ts";
import { runParallelCampaign } from "../suites/fuzz/parallel.ts";
import { mkdtempSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";

const { values } = parseArgs({
  options: {
    rounds: { type: "string", default: "3" },
    cases: { type: "string", default: "60000" },
    streams: { type: "string", default: "4" },
    workers: { type: "string" },
    defects: { type: "boolean", default: false },
    max: { type: "string", default: "20000" },
    seed: { type: "string", default: "1" },
    campaign: { type: "string" },
    defect: { type: "string", multiple: true, default: [] },
    profile: { type: "string", default: "sts" },
  },
});
const keys = loadOrCreateKeys(new FakeClock(Date.now()));
const seed = Number(values.seed);

/** A target whose transport time (time inside the reference) is summed. */
const opened: StsTarget[] = [];
async function timedTarget(defects: string[] = []): Promise<{ target: StsTarget; inside: () => number }> {
  const t = await createTarget(referenceTargetConfig(defects), { referenceKeys: keys });
  opened.push(t);
  let inside = 0;
  const transport = t.transport;
  return {
    target: {
      ...t,
      transport: async (req) => {
        const s = performance.now();
        try {
          return await transport(req);
        } finally {
          inside += performance.now() - s;
        }
      },
    },
    inside: () => inside,
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

if (values.campaign) {
  // One long campaign on the clean reference, over worker threads like `wsconform fuzz --workers`. The process's
  // resident memory is sampled: a campaign that grows without bound would end in GC pauses (response-time reports).
  const n = Number(values.campaign);
  const workers = Number(values.workers ?? availableParallelism());
  const dataDir = mkdtempSync(join(tmpdir(), "wsconform-bench-keys-"));
  loadOrCreateKeys(new FakeClock(Date.now()), dataDir);
  let peakRss = 0;
  const r = await runParallelCampaign(
    { profile: values.profile as ProfileName, maxResponseMs: 5000, target: { config: referenceTargetConfig([]), options: { referenceDataDir: dataDir } } },
    {
      seed,
      budget: { cases: n },
      streams: Number(values.streams),
      workers,
      onProgress: (p) => {
        peakRss = Math.max(peakRss, process.memoryUsage.rss());
        process.stderr.write(`\r${p.cases} cases, ${Math.round((p.cases * 1000) / p.elapsedMs)}/s, ${p.failures} failures, RSS ${Math.round(process.memoryUsage.rss() / 2 ** 20)} MiB   `);
      },
    },
  );
  process.stderr.write("\n");
  const failed = r.oracles.filter((o) => o.counterexample);
  console.log(`campaign on the clean reference: ${r.cases} cases in ${(r.ms / 1000).toFixed(1)} s = ${Math.round((r.cases * 1000) / r.ms)} cases/s (${workers} workers x ${values.streams} streams, CPU ${(r.cpuMs / 1000).toFixed(1)} s, peak RSS ${Math.round(peakRss / 2 ** 20)} MiB), seed ${seed}`);
  console.log(failed.length ? `FAILED: ${failed.map((o) => `${o.oracle}: ${o.counterexample!.violation.message} (${o.counterexample!.confirmed ? "reproduced" : "NOT reproduced"} when sent again; ${JSON.stringify(o.counterexample!.input).slice(0, 300)})`).join("; ")}` : "no oracle failed");
} else if (values.defects) {
  // Each profile sees its own defects: the STS and IdP areas of reference/defects.ts, the RP's for the consumer.
  const profile = values.profile as ProfileName;
  const own = profile === "consumer" ? RP_DEFECT_NAMES : DEFECT_NAMES.filter((d) => defectArea(d) === (profile === "idp" ? "idp" : "sts"));
  console.log(`defect (${profile === "consumer" ? "harness-rp/defects.ts" : "reference/defects.ts"})   | found by oracle            | cases to find (profile ${profile}, seed ${seed}, 1 stream, max ${values.max}) | seconds`);
  for (const d of values.defect.length ? values.defect : own) {
    const { target } = await timedTarget([d]);
    let r;
    const s0 = performance.now();
    try {
      r = await runCampaign(await profileFor(profile, target, { maxResponseMs: 5000 }), { seed, budget: { cases: Number(values.max) }, streams: 1, stopAtFirst: true, canary: profile === "idp" });
    } catch (e) {
      console.log(`${d.padEnd(36)} | (not an STS defect: ${(e as Error).message.slice(0, 60)})`);
      continue;
    }
    const hit = r.oracles.filter((o) => o.counterexample).sort((a, b) => a.counterexample!.foundAtCase - b.counterexample!.foundAtCase)[0];
    console.log(`${d.padEnd(36)} | ${(hit ? `${hit.oracle} [${hit.requirement}]` : "-").padEnd(26)} | ${String(hit ? hit.counterexample!.foundAtCase : `not found in ${r.cases}`).padEnd(16)} | ${((performance.now() - s0) / 1000).toFixed(1)}`);
  }
} else {
  // Throughput, per round: (1) the baseline, serial in-process Issue of one prebuilt request for 1 s; (2) one stream
  // in this thread, where wall time minus the time inside the reference is the harness's own time (nothing
  // overlaps); (3) the campaign over --workers threads (default: one per core), each with its own reference.
  const rows: { fuzz: number; steady: number; startupMs: number; issue: number; harnessShare: number; cpuPerCase: number; serial: number }[] = [];
  const cases = Number(values.cases);
  const workers = Number(values.workers ?? availableParallelism());
  const dataDir = mkdtempSync(join(tmpdir(), "wsconform-bench-keys-"));
  loadOrCreateKeys(new FakeClock(Date.now()), dataDir);
  for (let round = 0; round < Number(values.rounds); round++) {
    const base = await timedTarget();
    const built = buildStsMessage(healthInput(base.target), base.target);
    const s0 = performance.now();
    let n = 0;
    while (performance.now() - s0 < 1000) {
      await base.target.transport(built.request);
      n++;
    }
    const issue = (n * 1000) / (performance.now() - s0);
    const serial = await timedTarget();
    const sr = await runCampaign(stsProfile(serial.target, { maxResponseMs: 5000 }), { seed: seed + round, budget: { cases: Math.max(200, Math.round(cases / 5)) }, streams: 1 });
    const harnessShare = Math.max(0, 1 - serial.inside() / sr.ms);
    // Start-up (threads, module loading, each worker's own reference) ends at the first progress report (every
    // 250 ms) that counts a case. The steady rate is the second half's, once the JIT has compiled the hot paths:
    // its compiler threads share the two cores with the workers while it does.
    let firstProgress: { cases: number; elapsedMs: number } | undefined;
    let halfway: { cases: number; elapsedMs: number } | undefined;
    const r = await runParallelCampaign(
      { profile: "sts", maxResponseMs: 5000, target: { config: referenceTargetConfig([]), options: { referenceDataDir: dataDir } } },
      {
        seed: seed + round,
        budget: { cases },
        streams: Number(values.streams),
        workers,
        onProgress: (p) => {
          if (p.cases > 0) firstProgress ??= p;
          if (p.cases >= cases / 2) halfway ??= p;
        },
      },
    );
    const found = r.oracles.filter((o) => o.counterexample);
    if (found.length) throw new Error(`the clean reference failed ${found.map((o) => o.oracle).join(", ")}: a bench on a failing campaign measures shrinking, not fuzzing`);
    const from = (p: { cases: number; elapsedMs: number } | undefined) => (p && p.elapsedMs < r.ms ? p : { cases: 0, elapsedMs: 0 });
    rows.push({
      fuzz: (r.cases * 1000) / r.ms,
      steady: ((r.cases - from(halfway).cases) * 1000) / (r.ms - from(halfway).elapsedMs),
      startupMs: from(firstProgress).elapsedMs,
      issue,
      harnessShare,
      cpuPerCase: r.cpuMs / r.cases,
      serial: (sr.cases * 1000) / sr.ms,
    });
  }
  const m = (k: keyof (typeof rows)[number]) => median(rows.map((r) => r[k]));
  const ratios = rows.map((r) => r.fuzz / r.issue);
  const range = (k: keyof (typeof rows)[number]) => `${Math.min(...rows.map((r) => r[k])).toFixed(0)}..${Math.max(...rows.map((r) => r[k])).toFixed(0)}`;
  console.log(`${rows.length} rounds of ${cases} cases, ${workers} worker threads x ${values.streams} streams (${availableParallelism()} cores); median (min..max)`);
  console.log(`serial in-process Issue (baseline)        ${m("issue").toFixed(0).padStart(6)} /s   ratio 1.00`);
  console.log(`fuzz cases, one stream in one thread      ${m("serial").toFixed(0).padStart(6)} /s   [${range("serial")}]`);
  console.log(`fuzz cases, ${workers} worker threads            ${m("fuzz").toFixed(0).padStart(6)} /s   [${range("fuzz")}] ratio ${median(ratios).toFixed(2)} [${Math.min(...ratios).toFixed(2)}..${Math.max(...ratios).toFixed(2)}]  target >= 1000/s: ${m("fuzz") >= 1000 ? "met" : "NOT met"}`);
  console.log(`  start-up before the first case            ${(m("startupMs") / 1000).toFixed(1)} s`);
  console.log(`  second half of the round (steady)     ${m("steady").toFixed(0).padStart(6)} /s   [${range("steady")}]`);
  console.log(`CPU per fuzz case (every thread)          ${m("cpuPerCase").toFixed(2)} ms`);
  console.log(`harness's own share of the time           ${(100 * m("harnessShare")).toFixed(0)}% (one stream; the rest is inside the reference)`);
}
// Targets start loopback servers (the passive faces): close them so the process ends.
for (const t of opened) await t.close();
