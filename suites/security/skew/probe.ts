// The clock-skew probe (issue 5 §3): how far in the past and in the future does a target accept a message or a
// token? It bisects each direction between 0 (must be accepted: the positive control) and a range (24 h by default)
// with a bounded number of probes, and judges the measured window against the tolerance the target claims.
//
// Times are crafted relative to the target's clock: against the in-process reference that is its controlled clock
// (exact); against a remote STS the clock is estimated from the wsu:Timestamp Created of a valid answer, and the
// estimate's uncertainty widens the margins. Nothing sleeps: every probe is a single request with shifted times.
//
//  - STS face, past: Timestamp Expires = now - x (Created one second earlier); future: Created = now + x.
//  - consumer face, past: Conditions NotOnOrAfter = now - x; future: NotBefore = now + x (SubjectConfirmationData
//    kept valid, so only the Conditions window is measured).
import { parseXsDateTime } from "../../../protocol/clock.ts";
import { NS, type TrustVersion } from "../../../protocol/namespaces.ts";
import { StsClient, type Exchange } from "../../../adapters/sts-client.ts";
import type { StsTarget } from "../../../adapters/sts-target.ts";
import type { ConsumerOutcome, Delivery, TokenConsumer } from "../../../adapters/token-consumer.ts";
import { recordingTransport, type RecordedExchange } from "../../case.ts";
import { issueRst } from "../../ws-trust/support.ts";
import { attackerKeysFor } from "../keys.ts";
import { envelope, idpSigned, randomIds, tokenSpec, type DeliveryKind, type SamlVersion, type Scenario } from "../scenario.ts";

export type SkewFace = "sts" | "consumer";
export type Direction = "past" | "future";

/** Five minutes: the UsernameToken Profile's guideline and the common default (digest §4.3). Wider is a WARN. */
export const COMMON_SKEW_SECONDS = 300;

export interface ProbeOptions {
  /** Probes per direction, the range check included (default 24). */
  maxProbesPerDirection?: number;
  /** How far to look, in seconds (default 24 h). */
  rangeSeconds?: number;
  /** Stop bisecting when the bracket is this narrow, in ms (default 1000). */
  resolutionMs?: number;
  /** Called after every probe (CLI progress). */
  onProbe?: (p: ProbeRecord) => void;
  /** Every wire exchange, for the case report. */
  record?: (e: RecordedExchange) => void;
}

export interface ProbeRecord {
  face: SkewFace;
  direction: Direction | "control";
  offsetMs: number;
  accepted: boolean;
  detail: string;
}

export interface ClockEstimate {
  /** Target clock minus harness clock, ms. */
  offsetMs: number;
  /** Half-width of the estimate, ms (0 for a controlled clock). */
  uncertaintyMs: number;
  source: "controlled" | "response-timestamp" | "harness-clock";
  note: string;
}

export interface DirectionResult {
  direction: Direction;
  /** The largest offset seen accepted (a lower bound of the window), ms. */
  acceptedMs: number;
  /** The smallest offset seen refused (an upper bound), ms; undefined when even the range was accepted. */
  refusedMs?: number;
  probes: number;
  /** How the target refused at the smallest refused offset. */
  refusal?: string;
}

export interface SkewWindow {
  face: SkewFace;
  claimedSeconds: number;
  clock: ClockEstimate;
  past: DirectionResult;
  future: DirectionResult;
  verdict: "INFO" | "WARN" | "FAIL";
  findings: string[];
  probes: ProbeRecord[];
}

/** One attempt at a shifted time: did the target accept it? */
type Attempt = (direction: Direction | "control", offsetMs: number) => Promise<{ accepted: boolean; detail: string }>;

export class ProbeError extends Error {
  override readonly name = "ProbeError";
}

const DEFAULTS = { maxProbesPerDirection: 24, rangeSeconds: 24 * 3600, resolutionMs: 1000 };

/** Bisect one direction; offset 0 is known to be accepted. */
async function bisect(attempt: Attempt, direction: Direction, o: Required<Omit<ProbeOptions, "onProbe" | "record">>): Promise<DirectionResult> {
  const range = o.rangeSeconds * 1000;
  let lo = 0;
  let probes = 1;
  const top = await attempt(direction, range);
  if (top.accepted) return { direction, acceptedMs: range, probes };
  let hi = range;
  let refusal = top.detail;
  while (hi - lo > o.resolutionMs && probes < o.maxProbesPerDirection) {
    const mid = lo + Math.floor((hi - lo) / 2);
    const r = await attempt(direction, mid);
    probes++;
    if (r.accepted) lo = mid;
    else {
      hi = mid;
      refusal = r.detail;
    }
  }
  return { direction, acceptedMs: lo, refusedMs: hi, probes, refusal };
}

function seconds(ms: number): string {
  const s = ms / 1000;
  return Number.isInteger(s) ? `${s} s` : `${s.toFixed(3)} s`;
}

export function describeDirection(d: DirectionResult): string {
  const what = d.direction === "past" ? "in the past" : "in the future";
  if (d.refusedMs === undefined) return `${what}: accepted even at ${seconds(d.acceptedMs)} (the whole probed range)`;
  return `${what}: accepted up to ${seconds(d.acceptedMs)}, refused from ${seconds(d.refusedMs)} (${d.probes} probes)`;
}

/** INFO always; WARN when wider than five minutes; FAIL when wider than the claimed tolerance (plus the margin). */
export function judgeWindow(face: SkewFace, claimedSeconds: number, clock: ClockEstimate, past: DirectionResult, future: DirectionResult, resolutionMs: number): Pick<SkewWindow, "verdict" | "findings"> {
  const margin = resolutionMs + clock.uncertaintyMs;
  const findings: string[] = [];
  let verdict: SkewWindow["verdict"] = "INFO";
  for (const d of [past, future]) {
    const what = d.direction === "past" ? (face === "sts" ? "an expired Timestamp" : "an expired token (NotOnOrAfter)") : face === "sts" ? "a Timestamp created in the future" : "a not-yet-valid token (NotBefore)";
    if (d.acceptedMs > claimedSeconds * 1000 + margin) {
      verdict = "FAIL";
      findings.push(`accepts ${what} ${seconds(d.acceptedMs)} off, beyond the claimed tolerance of ${claimedSeconds} s (margin ${seconds(margin)})`);
    } else if (d.acceptedMs > COMMON_SKEW_SECONDS * 1000 + margin) {
      if (verdict === "INFO") verdict = "WARN";
      findings.push(`accepts ${what} ${seconds(d.acceptedMs)} off, more than five minutes`);
    }
  }
  return { verdict, findings };
}

// ---- clock estimation ---------------------------------------------------------------------------------------------

/** The wsu:Timestamp Created of a SOAP answer's Security header, in ms (and whether it carried milliseconds). */
export function responseTimestamp(ex: Exchange): { created: number; precise: boolean } | undefined {
  for (const h of ex.envelope?.headers ?? []) {
    if (h.namespaceURI !== NS.wsse || h.localName !== "Security") continue;
    for (let ts = h.firstChild; ts; ts = ts.nextSibling) {
      if (ts.nodeType !== 1) continue;
      const el = ts as Element;
      if (el.namespaceURI !== NS.wsu || el.localName !== "Timestamp") continue;
      for (let c = el.firstChild; c; c = c.nextSibling) {
        if (c.nodeType === 1 && (c as Element).localName === "Created") {
          const text = (c.textContent ?? "").trim();
          const created = parseXsDateTime(text);
          if (created !== undefined) return { created, precise: /\.\d/.test(text) };
        }
      }
    }
  }
  return undefined;
}

/**
 * The target's clock relative to the harness's: exact for a controlled clock; otherwise from one valid exchange's
 * response Timestamp (midpoint of send and receive, widened by the round trip and by one second when the time has
 * no fraction). The HTTP Date header would be a second source, but the SOAP transport does not expose headers.
 */
export async function estimateStsClock(target: StsTarget, send: () => Promise<Exchange>): Promise<ClockEstimate> {
  if (target.controlledClock) return { offsetMs: 0, uncertaintyMs: 0, source: "controlled", note: "the target's controlled clock (exact)" };
  const t1 = target.clock.now();
  const ex = await send();
  const t2 = target.clock.now();
  const ts = responseTimestamp(ex);
  if (!ts) {
    return {
      offsetMs: 0,
      uncertaintyMs: 2000,
      source: "harness-clock",
      note: "the answer carries no wsu:Timestamp, so times are relative to the harness clock (assumed in sync within 2 s)",
    };
  }
  const mid = (t1 + t2) / 2;
  const offsetMs = Math.round(ts.created - mid);
  const uncertaintyMs = Math.ceil((t2 - t1) / 2) + (ts.precise ? 0 : 1000);
  return { offsetMs, uncertaintyMs, source: "response-timestamp", note: `estimated from the answer's wsu:Timestamp: target clock ${offsetMs >= 0 ? "+" : ""}${offsetMs} ms from the harness, ±${uncertaintyMs} ms` };
}

// ---- the STS face ---------------------------------------------------------------------------------------------------

export function stsVersion(target: StsTarget): TrustVersion | undefined {
  const order: TrustVersion[] = ["1.3", "1.4", "2005"];
  return order.find((v) => target.capabilities.versions.includes(v) && target.endpoint(v, "username"));
}

/** A requestor for the probe (PasswordText UsernameToken, no UT Created: only the Timestamp is probed). */
export function probeClient(target: StsTarget, version: TrustVersion, record?: (e: RecordedExchange) => void): StsClient {
  const path = target.endpoint(version, "username")!;
  const transport = recordingTransport(target.transport, (rec) => record?.(rec));

  return new StsClient({
    transport,
    clock: target.clock,
    path,
    soapVersion: target.capabilities.soapVersions.includes("1.2") ? "1.2" : "1.1",
    trustVersion: version,
    credentials: { username: target.user.username, password: target.user.password, passwordType: "text" },
  });
}

/** Did the STS issue? (an RSTR without a fault) */
export function issued(ex: Exchange): boolean {
  return !!ex.response && !ex.fault && !ex.parseError && (ex.message?.kind === "RSTR" || ex.message?.kind === "RSTRC");
}

export function describeAnswer(ex: Exchange): string {
  if (ex.transportError) return `no answer (${ex.transportError.kind}: ${ex.transportError.message.slice(0, 120)})`;
  if (ex.fault) return `fault ${ex.fault.code.local}`;
  if (ex.parseError) return `HTTP ${ex.response?.status}, unreadable (${ex.parseError.slice(0, 120)})`;
  return `HTTP ${ex.response?.status} ${ex.message?.kind ?? "empty body"}`;
}

/** The WS-Trust cases' Issue RST (issueRst reads only the target from its context). */
function rstFor(target: StsTarget, version: TrustVersion) {
  return issueRst({ target } as Parameters<typeof issueRst>[0], version);
}

async function stsAttempt(target: StsTarget, version: TrustVersion, o: ProbeOptions): Promise<{ attempt: Attempt; clock: ClockEstimate }> {
  const client = probeClient(target, version, o.record);
  const rst = rstFor(target, version);
  const clock = await estimateStsClock(target, () => client.send(rst));
  const attempt: Attempt = async (direction, offsetMs) => {
    // past: Expires = now - x, Created a second before; future (and control): Created = now + x, Expires 5 min later.
    const ex =
      direction === "past"
        ? await client.send(rst, { timeShiftMs: clock.offsetMs - offsetMs - 1000, timestampSeconds: 1 })
        : await client.send(rst, { timeShiftMs: clock.offsetMs + offsetMs });
    if (ex.transportError && ex.transportError.kind !== "protocol") throw new ProbeError(`the STS did not answer a probe: ${describeAnswer(ex)}`);
    return { accepted: issued(ex), detail: describeAnswer(ex) };
  };
  return { attempt, clock };
}

// ---- the consumer face ----------------------------------------------------------------------------------------------

/** A delivery kind and SAML version the consumer takes. */
export function consumerShape(c: TokenConsumer): { kind: DeliveryKind; version: SamlVersion } | undefined {
  for (const kind of c.deliveries) {
    const version: SamlVersion | undefined = kind === "samlResponse" ? (c.tokenTypes.includes("saml20") ? "2.0" : undefined) : c.tokenTypes.includes("saml20") ? "2.0" : c.tokenTypes.includes("saml11") ? "1.1" : undefined;
    if (version) return { kind, version };
  }
  return undefined;
}

export function consumerScenario(c: TokenConsumer, now: number = c.clock.now()): Scenario {
  return {
    idp: { issuer: c.trust.issuer, key: c.trust.signingKey },
    audience: c.trust.audience,
    recipient: c.trust.recipient,
    now,
    skewSeconds: c.clockSkewSeconds,
    keys: attackerKeysFor(c.trust.signingKey, now),
    newId: randomIds(),
  };
}

/** A signed token whose Conditions window is shifted: past x = NotOnOrAfter now - x; future x = NotBefore now + x. */
export function shiftedToken(c: TokenConsumer, kind: DeliveryKind, version: SamlVersion, direction: Direction | "control", offsetMs: number): string {
  const s = consumerScenario(c);
  const spec =
    direction === "past"
      ? tokenSpec(s, version, { notBefore: s.now - offsetMs - 3600_000, notOnOrAfter: s.now - offsetMs, confirmationNotOnOrAfter: s.now + 300_000 })
      : tokenSpec(s, version, { notBefore: s.now + offsetMs, notOnOrAfter: s.now + offsetMs + 3600_000, confirmationNotOnOrAfter: s.now + offsetMs + 3600_000 });
  return envelope(s, kind, version, [idpSigned(s, spec)]);
}

export async function deliverRecorded(c: TokenConsumer, d: Delivery, name: string, record?: (e: RecordedExchange) => void): Promise<ConsumerOutcome> {
  const rec: RecordedExchange = { path: `token-consumer ${d.kind}: ${name}`, request: d.xml.length > 65536 ? `${d.xml.slice(0, 65536)}…(${d.xml.length} chars)` : d.xml, ms: 0 };
  record?.(rec);
  const started = performance.now();
  try {
    const o = await c.consume(d);
    rec.response = JSON.stringify(o, null, 1);
    rec.contentType = "application/json";
    return o;
  } catch (e) {
    rec.error = (e as Error).message;
    throw e;
  } finally {
    rec.ms = performance.now() - started;
  }
}

function consumerAttempt(c: TokenConsumer, o: ProbeOptions): { attempt: Attempt; clock: ClockEstimate } {
  const shape = consumerShape(c);
  if (!shape) throw new ProbeError("the consumer takes no delivery kind and token type the probe can craft");
  const attempt: Attempt = async (direction, offsetMs) => {
    const xml = shiftedToken(c, shape.kind, shape.version, direction, offsetMs);
    let out: ConsumerOutcome;
    try {
      out = await deliverRecorded(c, { kind: shape.kind, xml } as Delivery, `${direction} ${offsetMs} ms`, o.record);
    } catch (e) {
      throw new ProbeError(`the consumer failed on a probe: ${(e as Error).message}`);
    }
    return { accepted: out.accepted, detail: out.accepted ? "accepted" : `refused (${out.reason.slice(0, 160)})` };
  };
  return {
    attempt,
    clock: { offsetMs: 0, uncertaintyMs: 0, source: "controlled", note: `the consumer's declared clock (${c.description.kind === "library" || c.description.kind === "reference" ? "injected" : "assumed in sync with the harness"})` },
  };
}

// ---- the probe -------------------------------------------------------------------------------------------------------

/** Measure the accepted window of one face of the target. Throws ProbeError when the positive control fails. */
export async function probeSkew(target: StsTarget, face: SkewFace, opts: ProbeOptions = {}): Promise<SkewWindow> {
  const o = { ...DEFAULTS, ...Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) } as Required<ProbeOptions>;
  let made: { attempt: Attempt; clock: ClockEstimate };
  let claimedSeconds: number;
  if (face === "sts") {
    const version = stsVersion(target);
    if (!version || !target.capabilities.operations.includes("Issue")) throw new ProbeError("the target declares no Issue endpoint with username credentials to probe");
    made = await stsAttempt(target, version, o);
    claimedSeconds = target.clockSkewSeconds;
  } else {
    const c = target.tokenConsumer;
    if (!c) throw new ProbeError("the target has no token consumer");
    made = consumerAttempt(c, o);
    claimedSeconds = c.clockSkewSeconds ?? target.clockSkewSeconds;
  }
  const probes: ProbeRecord[] = [];
  const attempt: Attempt = async (direction, offsetMs) => {
    const r = await made.attempt(direction, offsetMs);
    const rec = { face, direction, offsetMs, accepted: r.accepted, detail: r.detail };
    probes.push(rec);
    o.onProbe?.(rec);
    return r;
  };
  const control = await attempt("control", 0);
  if (!control.accepted) throw new ProbeError(`the target refuses a fresh, valid ${face === "sts" ? "request" : "token"} (${control.detail}), so its window cannot be measured`);
  const past = await bisect(attempt, "past", o);
  const future = await bisect(attempt, "future", o);
  return { face, claimedSeconds, clock: made.clock, past, future, probes, ...judgeWindow(face, claimedSeconds, made.clock, past, future, o.resolutionMs) };
}

export function describeWindow(w: SkewWindow): string {
  return (
    `${w.face === "sts" ? "STS Timestamp" : "token consumer"} window (claimed ${w.claimedSeconds} s; ${w.clock.note}): ` +
    `${describeDirection(w.past)}; ${describeDirection(w.future)}` +
    (w.findings.length ? `; ${w.findings.join("; ")}` : "")
  );
}
