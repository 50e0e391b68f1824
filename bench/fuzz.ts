// Benchmark of the STS fuzzer against the in-process reference: cases per second, and the harness's own share of
// the time (generation, building, mutating, judging) against the time spent inside the target. As in
// bench/issue.ts the baseline (serial in-process Issue of one prebuilt request) is measured in the same run,
// interleaved in rounds, and the median ratio is reported, so figures compare across machines.
//   node cli/run-ts.mjs bench/fuzz.ts [--rounds 5] [--cases 2000] [--streams 4]
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

const { values } = parseArgs({
  options: {
    rounds: { type: "string", default: "5" },
    cases: { type: "string", default: "2000" },
    streams: { type: "string", default: "4" },
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
  const n = Number(values.campaign);
  const { target } = await timedTarget();
  const cpu0 = process.cpuUsage();
  const r = await runCampaign(await profileFor(values.profile as ProfileName, target, { maxResponseMs: 5000 }), {
    seed,
    budget: { cases: n },
    streams: Number(values.streams),
    onProgress: (p) => process.stderr.write(`\r${p.cases} cases, ${Math.round((p.cases * 1000) / p.elapsedMs)}/s, ${p.failures} failures   `),
  });
  const cpu = process.cpuUsage(cpu0);
  process.stderr.write("\n");
  const failed = r.oracles.filter((o) => o.counterexample);
  console.log(`campaign on the clean reference: ${r.cases} cases in ${(r.ms / 1000).toFixed(1)} s = ${Math.round((r.cases * 1000) / r.ms)} cases/s (CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s), seed ${seed}`);
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
  // Throughput: fuzz cases/s vs the serial Issue rate of one prebuilt request, interleaved per round.
  const rows: { fuzz: number; issue: number; harnessShare: number; cpuPerCase: number }[] = [];
  const cases = Number(values.cases);
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
    const f = await timedTarget();
    const cpu0 = process.cpuUsage();
    const r = await runCampaign(stsProfile(f.target, { maxResponseMs: 5000 }), { seed: seed + round, budget: { cases }, streams: Number(values.streams) });
    const cpu = process.cpuUsage(cpu0);
    // The transport time of concurrent streams overlaps; the harness share is what remains of one stream's time.
    const streams = Number(values.streams);
    const harnessShare = Math.max(0, 1 - f.inside() / streams / r.ms);
    rows.push({ fuzz: (r.cases * 1000) / r.ms, issue, harnessShare, cpuPerCase: (cpu.user + cpu.system) / 1000 / r.cases });
  }
  const m = (k: keyof (typeof rows)[number]) => median(rows.map((r) => r[k]));
  const ratios = rows.map((r) => r.fuzz / r.issue);
  console.log(`${rows.length} rounds of ${cases} cases, ${values.streams} streams; median (min..max)`);
  console.log(`serial in-process Issue (baseline)        ${m("issue").toFixed(0).padStart(6)} /s   ratio 1.00`);
  console.log(`fuzz cases, in-process reference          ${m("fuzz").toFixed(0).padStart(6)} /s   ratio ${median(ratios).toFixed(2)} [${Math.min(...ratios).toFixed(2)}..${Math.max(...ratios).toFixed(2)}]  target >= 1000/s: ${m("fuzz") >= 1000 ? "met" : "NOT met"}`);
  console.log(`CPU per fuzz case (both threads)          ${m("cpuPerCase").toFixed(2)} ms`);
  console.log(`harness's own share of the time           ${(100 * m("harnessShare")).toFixed(0)}% (the rest is inside the reference)`);
}
// Targets start loopback servers (the passive faces): close them so the process ends.
for (const t of opened) await t.close();
