// `wsconform probe skew --target FILE|URL [--face sts|consumer]`: measure the accepted clock-skew window of a target
// by bisection (suites/security/skew/probe.ts) and judge it: INFO always, WARN beyond five minutes, FAIL beyond the
// tolerance the target claims. Exit codes as `run`: 0 ok (INFO/WARN), 1 FAIL, 2 harness or configuration error.
import { parseArgs } from "node:util";
import { referenceTargetConfig, urlTargetConfig } from "../adapters/target-config.ts";
import type { StsTarget } from "../adapters/sts-target.ts";
import { createTarget, loadTargetConfigFile } from "../suites/target.ts";
import { describeDirection, probeSkew, ProbeError, type SkewFace, type SkewWindow } from "../suites/security/skew/probe.ts";

export const PROBE_USAGE = `usage: wsconform probe skew [--target FILE|URL] [--face sts|consumer] [--range SECONDS] [--max-probes N] [--defect NAME]
  measures how far in the past and in the future the target accepts a request Timestamp (sts) or a token's
  NotOnOrAfter/NotBefore (consumer), by bisection; INFO always, WARN beyond 5 minutes, FAIL beyond the claimed
  tolerance (clockSkewSeconds). Default target: the in-process reference; default faces: every face it has.
  exit codes: 0 ok, 1 FAIL, 2 harness or configuration error
`;


function report(w: SkewWindow, out: (s: string) => void): void {
  out(`${w.verdict} ${w.face}: claimed tolerance ${w.claimedSeconds} s; clock: ${w.clock.note}\n`);
  out(`  past:   ${describeDirection(w.past)}${w.past.refusal ? `; refusal: ${w.past.refusal}` : ""}\n`);
  out(`  future: ${describeDirection(w.future)}${w.future.refusal ? `; refusal: ${w.future.refusal}` : ""}\n`);
  const past = `${w.past.refusedMs === undefined ? ">= " : ""}${(w.past.acceptedMs / 1000).toFixed(1)}`;
  const future = `${w.future.refusedMs === undefined ? ">= " : ""}${(w.future.acceptedMs / 1000).toFixed(1)}`;
  out(`  window: -${past} s .. +${future} s (${w.probes.length} probes)\n`);
  for (const f of w.findings) out(`  ${w.verdict}: ${f}\n`);
}

export async function probeCommand(args: string[], out: (s: string) => void = (s) => process.stdout.write(s), err: (s: string) => void = (s) => process.stderr.write(s)): Promise<number> {
  const [what, ...rest] = args;
  if (what !== "skew") {
    err(`${what === undefined ? "probe needs a subject" : `unknown probe "${what}"`}\n\n${PROBE_USAGE}`);
    return 2;
  }
  let values;
  try {
    ({ values } = parseArgs({
      args: rest,
      options: {
        target: { type: "string" },
        face: { type: "string" },
        range: { type: "string" },
        "max-probes": { type: "string" },
        defect: { type: "string", multiple: true, default: [] },
      },
      strict: true,
    }));
  } catch (e) {
    err(`${(e as Error).message}\n\n${PROBE_USAGE}`);
    return 2;
  }
  if (values.face !== undefined && values.face !== "sts" && values.face !== "consumer") {
    err(`--face must be sts or consumer, not ${values.face}\n`);
    return 2;
  }
  const range = values.range === undefined ? undefined : Number(values.range);
  const maxProbes = values["max-probes"] === undefined ? undefined : Number(values["max-probes"]);
  if ((range !== undefined && !(range > 0 && range <= 7 * 86400)) || (maxProbes !== undefined && !(Number.isInteger(maxProbes) && maxProbes >= 2 && maxProbes <= 64))) {
    err("--range must be 1..604800 seconds and --max-probes 2..64\n");
    return 2;
  }
  let target: StsTarget;
  try {
    if (values.target && /^https?:\/\//.test(values.target)) target = await createTarget(urlTargetConfig(values.target, false));
    else if (values.target) {
      const { config, baseDir } = loadTargetConfigFile(values.target);
      target = await createTarget(config, { baseDir });
    } else target = await createTarget(referenceTargetConfig(values.defect));
  } catch (e) {
    err(`wsconform probe: ${(e as Error).message}\n`);
    return 2;
  }
  try {
    const faces: SkewFace[] = values.face ? [values.face as SkewFace] : [...(target.capabilities.operations.includes("Issue") ? (["sts"] as const) : []), ...(target.tokenConsumer ? (["consumer"] as const) : [])];
    if (faces.length === 0) {
      err("the target has neither an Issue endpoint nor a token consumer to probe\n");
      return 2;
    }
    out(`probing the clock-skew window of ${target.description.name}\n`);
    let failed = false;
    for (const face of faces) {
      try {
        const w = await probeSkew(target, face, { rangeSeconds: range, maxProbesPerDirection: maxProbes });
        report(w, out);
        failed ||= w.verdict === "FAIL";
      } catch (e) {
        if (e instanceof ProbeError) {
          err(`ERROR ${face}: ${e.message}\n`);
          return 2;
        }
        throw e;
      }
    }
    return failed ? 1 : 0;
  } catch (e) {
    err(`wsconform probe: ${(e as Error).message}\n`);
    return 2;
  } finally {
    await target.close().catch(() => {});
  }
}
