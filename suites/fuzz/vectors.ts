// Regression vectors: a shrunk counterexample saved as vectors/regressions/<id>.json (seed, fast-check path, the
// recipe, the message as it was sent, the target, the oracle, and the one-line replay command). Replaying rebuilds
// the message from the recipe at the target's current time (fresh Timestamp and nonce), sends it, and judges it
// with the same oracle.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { StsTarget } from "../../adapters/sts-target.ts";
import type { RecordedExchange } from "../case.ts";
import type { Counterexample } from "./campaign.ts";
import type { Violation } from "./oracles.ts";
import { profileFor, type ProfileName } from "./profile.ts";

export const VECTOR_SCHEMA = "wsconform-fuzz-vector/1";

export interface FuzzVector {
  schema: typeof VECTOR_SCHEMA;
  id: string;
  profile: ProfileName;
  oracle: string;
  requirement: string;
  /** What the oracle saw when the vector was found. */
  violation: string;
  seed: number;
  path: string | null;
  shard?: string;
  target: { name: string; kind: string; url?: string; defects?: string[] };
  /** The recipe (rebuilt with fresh times on replay). */
  input: unknown;
  /** The request as it was sent when found (for reading; replay rebuilds it). */
  request?: { path: string; body: string };
  replay: string;
}

export function vectorId(profile: string, oracle: string, input: unknown): string {
  return `${profile}-${oracle}-${createHash("sha256").update(JSON.stringify(input)).digest("hex").slice(0, 10)}`;
}

export function makeVector(args: {
  profile: ProfileName;
  cx: Counterexample;
  target: FuzzVector["target"];
  dir: string;
  targetArg: string;
  shard?: string;
}): FuzzVector {
  const id = vectorId(args.profile, args.cx.violation.oracle, args.cx.input);
  const first = args.cx.exchanges[0] as RecordedExchange | undefined;
  const file = join(args.dir, `${id}.json`);
  return {
    schema: VECTOR_SCHEMA,
    id,
    profile: args.profile,
    oracle: args.cx.violation.oracle,
    requirement: args.cx.violation.requirement,
    violation: args.cx.violation.message,
    seed: args.cx.seed,
    path: args.cx.path,
    shard: args.shard,
    target: args.target,
    input: args.cx.input,
    request: first ? { path: first.path, body: first.request } : undefined,
    replay: `npx wsconform vectors replay ${file}${args.targetArg}`,
  };
}

export function writeVector(dir: string, v: FuzzVector): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${v.id}.json`);
  writeFileSync(file, `${JSON.stringify(v, null, 2)}\n`);
  return file;
}

export function readVector(file: string): FuzzVector {
  const v = JSON.parse(readFileSync(file, "utf8")) as FuzzVector;
  if (v.schema !== VECTOR_SCHEMA) throw new Error(`${file}: not a fuzz vector (schema ${JSON.stringify(v.schema)}, expected ${VECTOR_SCHEMA})`);
  if (!v.input) throw new Error(`${file}: the vector has no input to replay`);
  return v;
}

export function listVectors(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.filter((n) => n.endsWith(".json")).sort().map((n) => join(dir, n));
}

export interface ReplayOutcome {
  /** Violations of the vector's oracle (empty: the target now passes). */
  violations: Violation[];
  /** Violations of other oracles seen on the way. */
  others: Violation[];
  exchanges: RecordedExchange[];
}

export async function replayVector(v: FuzzVector, target: StsTarget, o: { maxResponseMs?: number } = {}): Promise<ReplayOutcome> {
  const profile = await profileFor(v.profile, target, { maxResponseMs: o.maxResponseMs ?? 10_000 });
  const out = await profile.execute(v.input, {});
  return {
    violations: out.violations.filter((x) => x.oracle === v.oracle),
    others: out.violations.filter((x) => x.oracle !== v.oracle),
    exchanges: out.exchanges,
  };
}
