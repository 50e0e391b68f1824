// One campaign over several worker threads. The harness and an in-process reference are single-threaded
// JavaScript, so one thread tops out near one core (bench/fuzz.ts); each worker opens its own target from the
// same description (for the in-process reference: its own instance with the same keys) and runs a disjoint range of
// streams. The workers share one coordinator in shared memory (campaign.ts): case counter and budget, stop flag,
// and the claim of each oracle's counterexample, so the merged result reads as one campaign.
import { Worker } from "node:worker_threads";
import type { TargetConfig } from "../../adapters/target-config.ts";
import type { TargetOptions } from "../target.ts";
import { epochNow, sharedCoordinator, sharedCoordinatorBuffer, type CampaignOptions, type CampaignResult, type OracleOutcome } from "./campaign.ts";
import type { ProfileName } from "./profile.ts";

/** How a worker opens its own copy of the target: plain data, cloned into the worker. */
export interface WorkerTarget {
  config: TargetConfig;
  options: Omit<TargetOptions, "referenceKeys">;
}

export interface FuzzWorkerData {
  index: number;
  profile: ProfileName;
  maxResponseMs: number;
  target: WorkerTarget;
  buffer: SharedArrayBuffer;
  deadlineEpochMs?: number;
  options: Omit<CampaignOptions, "coordinator" | "onProgress" | "streamOffset">;
}

export type FuzzWorkerMessage =
  | { ok: true; result: CampaignResult; insideMs: number }
  | { ok: false; error: string };

export interface ParallelCampaignResult extends CampaignResult {
  workers: number;
  /** Time spent inside the target's transport, summed over every stream of every worker. */
  insideMs: number;
  /** CPU time of the whole process (every thread) during the campaign: Node 20 has no per-thread CPU clock. */
  cpuMs: number;
}

/** Upper bound of oracle slots in the shared buffer (every profile has far fewer). */
export const MAX_ORACLES = 64;

export async function runParallelCampaign(
  spec: { profile: ProfileName; maxResponseMs: number; target: WorkerTarget },
  o: Omit<CampaignOptions, "coordinator" | "streamOffset"> & { workers: number },
): Promise<ParallelCampaignResult> {
  const workers = Math.max(1, Math.floor(o.workers));
  const streams = Math.max(1, o.streams ?? 4);
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  // This thread sees the oracle slots by number only (the workers know the profile's names; the order is the same).
  const slots = Array.from({ length: MAX_ORACLES }, (_, i) => String(i));
  const buffer = sharedCoordinatorBuffer(slots);
  const co = sharedCoordinator(buffer, slots);
  const deadlineEpochMs = o.budget.ms !== undefined ? epochNow() + o.budget.ms : undefined;
  const { onProgress, workers: _w, signal, ...options } = o;
  // An abort reaches the workers through the shared stop flag (a signal cannot cross threads).
  const onAbort = () => co.stop();
  if (signal?.aborted) onAbort();
  signal?.addEventListener("abort", onAbort, { once: true });
  const progress = onProgress
    ? setInterval(() => onProgress({ cases: co.cases(), failures: slots.filter(co.claimed).length, elapsedMs: performance.now() - started }), 250)
    : undefined;
  const runs = Array.from({ length: workers }, (_, index) => {
    const data: FuzzWorkerData = { index, profile: spec.profile, maxResponseMs: spec.maxResponseMs, target: spec.target, buffer, deadlineEpochMs, options: { ...options, streams } };
    const w = new Worker(new URL("./worker-entry.mjs", import.meta.url), { workerData: data });
    return new Promise<FuzzWorkerMessage>((resolve) => {
      let answer: FuzzWorkerMessage | undefined;
      w.on("message", (m: FuzzWorkerMessage) => (answer = m));
      w.on("error", (e) => (answer ??= { ok: false, error: e.stack ?? String(e) }));
      w.on("exit", (code) => resolve(answer ?? { ok: false, error: `fuzz worker ${index} exited with code ${code} without a result` }));
    }).then((m) => {
      // A worker that failed stops the others: the campaign's result would be partial.
      if (!m.ok) co.stop();
      return m;
    });
  });
  const answers = await Promise.all(runs);
  if (progress) clearInterval(progress);
  signal?.removeEventListener("abort", onAbort);
  const failed = answers.find((a): a is Extract<FuzzWorkerMessage, { ok: false }> => !a.ok);
  if (failed) throw new Error(failed.error);
  const ok = answers as Extract<FuzzWorkerMessage, { ok: true }>[];
  const merged = mergeWorkerResults(ok.map((a) => a.result));
  const result: ParallelCampaignResult = {
    ...merged,
    ms: performance.now() - started,
    workers,
    insideMs: ok.reduce((s, a) => s + a.insideMs, 0),
    cpuMs: (({ user, system }) => (user + system) / 1000)(process.cpuUsage(cpu0)),
  };
  onProgress?.({ cases: result.cases, failures: result.oracles.filter((x) => x.counterexample).length, elapsedMs: result.ms });
  return result;
}

/** The workers' parts as one campaign: cases add up; each oracle keeps the one counterexample that was claimed. */
export function mergeWorkerResults(parts: CampaignResult[]): CampaignResult {
  const first = parts[0]!;
  const oracles: OracleOutcome[] = first.oracles.map((o) => {
    const all = parts.map((p) => p.oracles.find((x) => x.oracle === o.oracle)!);
    const withCx = all.filter((x) => x.counterexample).sort((a, b) => a.counterexample!.foundAtCase - b.counterexample!.foundAtCase);
    return { ...o, cases: all.reduce((s, x) => s + x.cases, 0), counterexample: withCx[0]?.counterexample };
  });
  return { ...first, cases: parts.reduce((s, p) => s + p.cases, 0), ms: Math.max(...parts.map((p) => p.ms)), oracles };
}
