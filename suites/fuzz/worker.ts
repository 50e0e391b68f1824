// A fuzz worker thread: opens its own copy of the target, runs its range of streams against the shared
// coordinator, and posts its part of the campaign back (parallel.ts merges the parts).
import { parentPort, workerData } from "node:worker_threads";
import { createTarget } from "../target.ts";
import { runCampaign, sharedCoordinator } from "./campaign.ts";
import { MAX_ORACLES, type FuzzWorkerData, type FuzzWorkerMessage } from "./parallel.ts";
import { profileFor } from "./profile.ts";

const data = workerData as FuzzWorkerData;
const post = (m: FuzzWorkerMessage) => parentPort!.postMessage(m);

const target = await createTarget(data.target.config, data.target.options);
let insideMs = 0;
const transport = target.transport;
target.transport = async (req) => {
  const s = performance.now();
  try {
    return await transport(req);
  } finally {
    insideMs += performance.now() - s;
  }
};
try {
  const profile = await profileFor(data.profile, target, { maxResponseMs: data.maxResponseMs });
  const oracles = Object.keys(profile.oracles);
  if (oracles.length > MAX_ORACLES) throw new Error(`the ${data.profile} profile has ${oracles.length} oracles; the shared buffer holds ${MAX_ORACLES}`);
  const streams = data.options.streams ?? 4;
  const result = await runCampaign(profile, { ...data.options, streams, streamOffset: data.index * streams, coordinator: sharedCoordinator(data.buffer, oracles, data.deadlineEpochMs) });
  post({ ok: true, result, insideMs });
} catch (e) {
  post({ ok: false, error: `fuzz worker ${data.index}: ${(e as Error).stack ?? String(e)}` });
} finally {
  await target.close();
}
