// A conformance case: one requirement (or a few tightly linked ones) checked against a target, ending in a verdict.
// Cases are plain data + a run function, so the vitest suite files, the defect kill matrix and the benchmarks all
// execute the very same code (runCase). Modelled on test262: metadata up front, readable alone.
import type { TrustVersion } from "../protocol/namespaces.ts";
import type { SoapVersion } from "../protocol/soap.ts";
import { StsClient, type Exchange } from "../adapters/sts-client.ts";
import { describeNeed, supports, type CredentialKind, type Need, type StsTarget } from "../adapters/sts-target.ts";
import { TransportError, type SoapTransport } from "../adapters/transport.ts";
import { isMandatory, isRecommended, loadCatalogue, type Requirement } from "./requirements/catalogue.ts";

export type Verdict = "PASS" | "FAIL" | "WARN" | "SKIP" | "INFO" | "ERROR";

export interface CaseDefinition {
  /** Stable id, e.g. "ws-trust/issue/context-echo". */
  id: string;
  title: string;
  /** Requirement ids from suites/requirements (the first one sets the level of a failed check by default). */
  requirements: string[];
  needs?: Need[];
  run(t: CaseContext): Promise<void>;
}

export interface RecordedExchange {
  path: string;
  request: string;
  status?: number;
  contentType?: string;
  response?: string;
  error?: string;
  ms: number;
}

export interface CaseResult {
  id: string;
  title: string;
  requirements: string[];
  verdict: Verdict;
  /** For FAIL/WARN/ERROR/SKIP: why; for INFO: the observation. */
  message?: string;
  /** The requirement a failed check was about. */
  failedRequirement?: string;
  observations: string[];
  exchanges: RecordedExchange[];
  durationMs: number;
}

/** A check that did not hold: FAIL for a mandatory requirement, WARN for a recommended one, INFO for an optional one. */
export class CheckFailed extends Error {
  override readonly name = "CheckFailed";
  constructor(
    readonly requirement: string,
    message: string,
  ) {
    super(message);
  }
}

class CaseSkipped extends Error {
  override readonly name = "CaseSkipped";
}

/** The target could not be judged (unreachable, timed out, answered more than the limit). */
export class TargetError extends Error {
  override readonly name = "TargetError";
}

export interface ClientOptions {
  version: TrustVersion;
  soap?: SoapVersion;
  credential?: CredentialKind;
  /** Use the second user's credentials. */
  otherUser?: boolean;
  passwordType?: "text" | "digest";
  /** Override the password (wrong-credential cases). */
  password?: string;
  /** Also sign with this key (PublicKey proof of possession); for certificate credentials, sign with it instead of the configured client certificate. */
  signer?: import("../protocol/trust/sign-request.ts").RequestSigner;
}

export class CaseContext {
  readonly observations: string[] = [];
  readonly exchanges: RecordedExchange[] = [];
  constructor(
    readonly target: StsTarget,
    readonly definition: CaseDefinition,
  ) {}

  /** A requestor for the target's endpoint of that version and credential, recording every exchange. */
  client(o: ClientOptions): StsClient {
    const credential = o.credential ?? "username";
    const path = this.target.endpoint(o.version, credential);
    if (!path) this.skip(`the target declares no ${credential} endpoint for WS-Trust ${o.version}`);
    const soap = o.soap ?? (this.target.capabilities.soapVersions.includes("1.2") ? "1.2" : "1.1");
    const user = o.otherUser ? this.target.otherUser : this.target.user;
    if (o.otherUser && !user) this.skip("no second user is configured (credentials.otherUser)");
    const recording = recordingTransport(this.target.transport, (rec) => this.exchanges.push(rec));
    return new StsClient({
      transport: recording,
      clock: this.target.clock,
      path: path!,
      soapVersion: soap,
      trustVersion: o.version,
      credentials:
        credential === "certificate"
          ? { signer: o.signer ?? this.target.clientCertificate }
          : { username: user!.username, password: o.password ?? user!.password, passwordType: o.passwordType, signer: o.signer },
    });
  }

  /** The target must have answered (a transport failure makes the case ERROR, not FAIL). */
  answered(ex: Exchange): Exchange {
    if (ex.transportError) throw new TargetError(`the target did not answer: ${ex.transportError.kind}: ${ex.transportError.message}`);
    return ex;
  }

  /** Assert one requirement; a false condition ends the case with the requirement's level. */
  check(condition: unknown, message: string, requirement: string = this.definition.requirements[0]!): asserts condition {
    if (!condition) throw new CheckFailed(requirement, message);
  }

  skip(reason: string): never {
    throw new CaseSkipped(reason);
  }

  info(observation: string): void {
    this.observations.push(observation);
  }
}

export interface RecordingOptions {
  /** Bound on each exchange (in-process targets have no transport timeout of their own). */
  boundMs?: number;
  /** Keep at most this many characters of each request and response in the record. */
  keepChars?: number;
}

/** A transport that hands every exchange to `sink` as it starts and fills it in when it ends (wire evidence). */
export function recordingTransport(inner: SoapTransport, sink: (rec: RecordedExchange) => void, o: RecordingOptions = {}): SoapTransport {
  const keep = (s: string) => (o.keepChars !== undefined && s.length > o.keepChars ? `${s.slice(0, o.keepChars)}…(${s.length} characters)` : s);
  return async (req) => {
    const started = performance.now();
    const rec: RecordedExchange = { path: req.path, request: keep(req.body), ms: 0 };
    sink(rec);
    let timer: NodeJS.Timeout | undefined;
    try {
      const answer = inner(req);
      const res = o.boundMs === undefined
        ? await answer
        : await Promise.race([
            answer,
            new Promise<never>((_, reject) => {
              timer = setTimeout(() => reject(new TransportError("timeout", `no answer within ${o.boundMs} ms`)), o.boundMs);
              timer.unref?.();
            }),
          ]);
      rec.status = res.status;
      rec.contentType = res.contentType;
      rec.response = keep(res.body);
      return res;
    } catch (e) {
      rec.error = (e as Error).message;
      throw e;
    } finally {
      clearTimeout(timer);
      rec.ms = performance.now() - started;
    }
  };
}

let catalogue: Map<string, Requirement> | undefined;
function requirement(id: string): Requirement | undefined {
  catalogue ??= loadCatalogue();
  return catalogue!.get(id);
}

/**
 * FAIL for MUST-like requirements, WARN for SHOULD-like, INFO for the rest (MAY, OPTIONAL, informative). In strict
 * mode (h2spec's --strict) a SHOULD-level failure is a FAIL too.
 */
export function verdictForFailedCheck(requirementId: string, strict = false): Verdict {
  const r = requirement(requirementId);
  if (!r) return "FAIL";
  if (isMandatory(r) || r.level === "SCHEMA" || r.level === "DEFAULT") return "FAIL";
  if (isRecommended(r)) return strict ? "FAIL" : "WARN";
  return "INFO";
}

export interface RunOptions {
  /** Treat SHOULD-level failures as FAIL. */
  strict?: boolean;
}

/** Run one case against a target. Never throws: every outcome is a verdict. */
export async function runCase(def: CaseDefinition, target: StsTarget, opts: RunOptions = {}): Promise<CaseResult> {
  const started = performance.now();
  const t = new CaseContext(target, def);
  const result = (verdict: Verdict, message?: string, failedRequirement?: string): CaseResult => ({
    id: def.id,
    title: def.title,
    requirements: def.requirements,
    verdict,
    message,
    failedRequirement,
    observations: t.observations,
    exchanges: t.exchanges,
    durationMs: performance.now() - started,
  });
  for (const need of def.needs ?? []) {
    if (!supports(target, need)) return result("SKIP", `the target does not declare ${describeNeed(need)}`);
  }
  try {
    await def.run(t);
    return result(t.observations.length && def.requirements.every((r) => verdictForFailedCheck(r) === "INFO") ? "INFO" : "PASS", t.observations.join("; ") || undefined);
  } catch (e) {
    if (e instanceof CheckFailed) return result(verdictForFailedCheck(e.requirement, opts.strict), e.message, e.requirement);
    if (e instanceof CaseSkipped) return result("SKIP", e.message);
    if (e instanceof TargetError || e instanceof TransportError) return result("ERROR", e.message);
    return result("ERROR", `harness error: ${(e as Error).stack ?? String(e)}`);
  }
}
