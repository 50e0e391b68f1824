// The campaign runner: property-based fuzzing with fast-check. Each stream runs fc.check with its own seed; the
// first violation of an oracle is shrunk (fast-check shrinking, held to that same oracle) to a minimal input, then
// that oracle is muted and the stream goes on with the next seed, so one campaign reports every oracle it can
// break. Streams run concurrently (the target's work overlaps the harness's) and share the budget; shards of a
// campaign get disjoint seed streams, so their results can be merged.
import fc from "fast-check";
import { startCanary, type Canary } from "../../adapters/canary.ts";
import type { RecordedExchange } from "../case.ts";
import type { Violation } from "./oracles.ts";
import type { FuzzProfile } from "./profile.ts";

export interface Budget {
  cases?: number;
  ms?: number;
}

export interface Counterexample<I = unknown> {
  violation: Violation;
  input: I;
  /** Seed and path of fc.check that reproduce it from the generator. */
  seed: number;
  path: string | null;
  shrinks: number;
  exchanges: RecordedExchange[];
  /** Sending the shrunk input again showed the same violation. */
  confirmed: boolean;
  /** Case number (over the whole campaign) at which it was first seen. */
  foundAtCase: number;
}

export interface OracleOutcome<I = unknown> {
  oracle: string;
  requirement: string;
  title: string;
  /** Cases judged while this oracle was live. */
  cases: number;
  unjudged?: string;
  counterexample?: Counterexample<I>;
}

export interface CampaignResult<I = unknown> {
  profile: string;
  seed: number;
  shard: { index: number; count: number };
  cases: number;
  ms: number;
  oracles: OracleOutcome<I>[];
}

export interface CampaignOptions {
  seed: number;
  budget: Budget;
  shard?: { index: number; count: number };
  /** Concurrent streams (default 4). */
  streams?: number;
  /** Start the XXE canary (default true). */
  canary?: boolean;
  onProgress?: (p: { cases: number; failures: number; elapsedMs: number }) => void;
  /** Stop at the first counterexample (budget measurements). */
  stopAtFirst?: boolean;
  /** Only these oracles count (the rest are still computed but ignored). */
  only?: string[];
  /** First stream index (workers of one campaign take disjoint stream ranges, so disjoint seeds). */
  streamOffset?: number;
  /** Ends the campaign early (Ctrl-C): the cases so far are judged and reported as usual. */
  signal?: AbortSignal;
  /** Shared state of a campaign split across worker threads (parallel.ts); absent: this campaign alone. */
  coordinator?: Coordinator;
}

/**
 * What the streams of one campaign share, within a thread or across worker threads: the case counter (case numbers
 * are campaign-wide, the budget is one), the stop flag, and which oracles already have a counterexample (the first
 * finder claims it; the others mute that oracle).
 */
export interface Coordinator {
  /** Count one sent case; returns its campaign-wide number. */
  countCase(): number;
  cases(): number;
  /** True for the one caller that first claims this oracle. */
  claim(oracle: string): boolean;
  claimed(oracle: string): boolean;
  stop(): void;
  stopped(): boolean;
  /** The wall-clock deadline (ms since the epoch), shared by every thread (absent: no time budget). */
  deadlineEpochMs?: number;
}

/** Slots of a shared coordinator's Int32Array: the case counter, the stop flag, then one claim flag per oracle. */
const CASES_SLOT = 0;
const STOP_SLOT = 1;
const FIRST_ORACLE_SLOT = 2;

export function sharedCoordinatorBuffer(oracles: string[]): SharedArrayBuffer {
  return new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT * (FIRST_ORACLE_SLOT + oracles.length));
}

/** A coordinator over shared memory (Atomics), the same object in every worker of a campaign. */
export function sharedCoordinator(buffer: SharedArrayBuffer, oracles: string[], deadlineEpochMs?: number): Coordinator {
  const a = new Int32Array(buffer);
  const slot = (oracle: string) => {
    const i = oracles.indexOf(oracle);
    if (i < 0) throw new Error(`oracle ${oracle} is not one of the campaign's`);
    return FIRST_ORACLE_SLOT + i;
  };
  return {
    countCase: () => Atomics.add(a, CASES_SLOT, 1) + 1,
    cases: () => Atomics.load(a, CASES_SLOT),
    claim: (oracle) => Atomics.compareExchange(a, slot(oracle), 0, 1) === 0,
    claimed: (oracle) => Atomics.load(a, slot(oracle)) !== 0,
    stop: () => void Atomics.store(a, STOP_SLOT, 1),
    stopped: () => Atomics.load(a, STOP_SLOT) !== 0,
    deadlineEpochMs,
  };
}

/** Counters of a campaign shared by nothing else. */
export function localCoordinator(deadlineEpochMs?: number): Coordinator {
  let cases = 0;
  let stopped = false;
  const claimed = new Set<string>();
  return {
    countCase: () => ++cases,
    cases: () => cases,
    claim: (oracle) => !claimed.has(oracle) && !!claimed.add(oracle),
    claimed: (oracle) => claimed.has(oracle),
    stop: () => void (stopped = true),
    stopped: () => stopped,
    deadlineEpochMs,
  };
}

/** Milliseconds since the epoch by the monotonic clock: comparable across worker threads (each has its own origin). */
export const epochNow = (): number => performance.timeOrigin + performance.now();

/** A 32-bit seed per (campaign seed, shard, stream, round): splitmix-style mixing keeps the streams apart. */
export function streamSeed(seed: number, shard: number, stream: number, round: number): number {
  let x = (BigInt.asUintN(32, BigInt(seed)) << 32n) ^ (BigInt(shard) << 20n) ^ (BigInt(stream) << 12n) ^ BigInt(round);
  x = BigInt.asUintN(64, (x ^ (x >> 30n)) * 0xbf58476d1ce4e5b9n);
  x = BigInt.asUintN(64, (x ^ (x >> 27n)) * 0x94d049bb133111ebn);
  x ^= x >> 31n;
  return Number(BigInt.asIntN(32, x));
}

const MAX_ROUNDS_PER_STREAM = 1_000;

export async function runCampaign<I>(profile: FuzzProfile<I>, o: CampaignOptions): Promise<CampaignResult<I>> {
  const shard = o.shard ?? { index: 1, count: 1 };
  const started = performance.now();
  const co = o.coordinator ?? localCoordinator(o.budget.ms !== undefined ? epochNow() + o.budget.ms : undefined);
  const deadline = co.deadlineEpochMs ?? Infinity;
  const maxCases = o.budget.cases ?? Infinity;
  const canary: Canary | undefined = o.canary === false ? undefined : await startCanary();
  const selected = Object.keys(profile.oracles).filter((k) => !(k in profile.unjudged) && (!o.only || o.only.includes(k)));
  // Oracles still looking for a counterexample: selected and not yet claimed by any stream of the campaign.
  const live = { has: (k: string) => selected.includes(k) && !co.claimed(k), get size() { return selected.filter((k) => !co.claimed(k)).length; } };
  const perOracleCases = new Map<string, number>();
  const found = new Map<string, Counterexample<I>>();
  let cases = 0; // sent by this thread
  const arb = profile.arbitrary();
  const budgetLeft = () => !co.stopped() && !o.signal?.aborted && co.cases() < maxCases && epochNow() < deadline && live.size > 0;

  /** One case: send, judge, and add canary hits for it. */
  async function runOne(input: I): Promise<{ violations: Violation[]; exchanges: RecordedExchange[] }> {
    const n = co.countCase();
    cases++;
    const out = await profile.execute(input, { canaryUrl: canary ? `${canary.url}xxe/${n}` : undefined });
    if (canary) {
      const hits = canary.hits().filter((h) => h.url.startsWith(`/xxe/${n}`));
      if (hits.length) out.violations.push({ oracle: "xxe-canary", requirement: profile.oracles["xxe-canary"]?.requirement ?? "SAML-NO-DTD", message: `the target fetched the canary URL ${hits[0]!.url} named in the request's DOCTYPE` });
    }
    for (const k of selected) if (!co.claimed(k)) perOracleCases.set(k, (perOracleCases.get(k) ?? 0) + 1);
    if (n % 250 === 0) o.onProgress?.({ cases: n, failures: found.size, elapsedMs: performance.now() - started });
    return out;
  }

  async function stream(index: number): Promise<void> {
    for (let round = 0; round < MAX_ROUNDS_PER_STREAM && budgetLeft(); round++) {
      const seed = streamSeed(o.seed, shard.index, (o.streamOffset ?? 0) + index, round);
      let focus: string | undefined;
      let last: { input: I; violation: Violation; exchanges: RecordedExchange[] } | undefined;
      const firstCase = co.cases() + 1;
      const prop = fc.asyncProperty(arb, async (input) => {
        // Past the budget (spent by any stream, or aborted), interrupt fast-check's run: a precondition failure
        // marked "interrupt" ends it without failing, instead of generating the remaining runs for nothing.
        if (focus === undefined && !budgetLeft()) throw new fc.PreconditionFailure(true);
        const r = await runOne(input);
        const vs = r.violations.filter((v) => (focus === undefined ? live.has(v.oracle) : v.oracle === focus));
        if (!vs.length) return true;
        focus ??= vs[0]!.oracle;
        last = { input, violation: vs[0]!, exchanges: r.exchanges };
        return false;
      });
      const remainingCases = Number.isFinite(maxCases) ? Math.max(1, maxCases - co.cases()) : 2 ** 30;
      const remainingMs = Number.isFinite(deadline) ? Math.max(1, deadline - epochNow()) : undefined;
      const details = await fc.check(prop, { seed, numRuns: remainingCases, interruptAfterTimeLimit: remainingMs, markInterruptAsFailure: false });
      // A property that threw is a harness bug (the profiles turn target misbehaviour into violations): say so.
      if (details.failed && !last) throw new Error(`the ${profile.name} profile failed on a generated input (seed ${seed}, path ${details.counterexamplePath}): ${String(details.errorInstance).slice(0, 2000)}`);
      if (!details.failed || !last || focus === undefined) return;
      if (!co.claim(focus)) continue; // another stream got there first
      // Send the minimal input once more: a counterexample that does not reproduce is reported as such.
      const again = await runOne(last.input);
      const confirmed = again.violations.some((v) => v.oracle === focus);
      found.set(focus, {
        violation: last.violation,
        input: last.input,
        seed,
        path: details.counterexamplePath,
        shrinks: details.numShrinks,
        exchanges: confirmed ? again.exchanges : last.exchanges,
        confirmed,
        foundAtCase: firstCase + details.numRuns - 1,
      });
      o.onProgress?.({ cases: co.cases(), failures: found.size, elapsedMs: performance.now() - started });
      if (o.stopAtFirst) co.stop();
    }
  }

  try {
    await Promise.all(Array.from({ length: Math.max(1, o.streams ?? 4) }, (_, i) => stream(i)));
    // Late canary hits (a target that fetches asynchronously) still count, attributed to their case number.
    const late = canary?.hits().filter((h) => h.url.startsWith("/xxe/")) ?? [];
    if (late.length && !found.has("xxe-canary") && (!("xxe-canary" in profile.oracles) || co.claim("xxe-canary"))) {
      found.set("xxe-canary", {
        violation: { oracle: "xxe-canary", requirement: profile.oracles["xxe-canary"]?.requirement ?? "SAML-NO-DTD", message: `the target fetched ${late[0]!.url} (case ${late[0]!.url.split("/")[2]}) after answering` },
        input: undefined as I,
        seed: o.seed,
        path: null,
        shrinks: 0,
        exchanges: [],
        confirmed: false,
        foundAtCase: Number(late[0]!.url.split("/")[2]),
      });
    }
    if (!o.only || o.only.includes("health")) {
      const h = await profile.health();
      if (h) found.set("health", { violation: h, input: undefined as I, seed: o.seed, path: null, shrinks: 0, exchanges: [], confirmed: true, foundAtCase: co.cases() });
    }
  } finally {
    await canary?.close();
  }
  o.onProgress?.({ cases: co.cases(), failures: found.size, elapsedMs: performance.now() - started });
  return {
    profile: profile.name,
    seed: o.seed,
    shard,
    cases,
    ms: performance.now() - started,
    oracles: Object.entries(profile.oracles).map(([oracle, info]) => ({
      oracle,
      requirement: info.requirement,
      title: info.title,
      cases: oracle === "health" ? 1 : (perOracleCases.get(oracle) ?? 0),
      unjudged: profile.unjudged[oracle] ?? (o.only && !o.only.includes(oracle) ? "not selected" : undefined),
      counterexample: found.get(oracle),
    })),
  };
}
