// Clock-skew boundary cases (issue 5 §3). For the STS: a request Timestamp (and UsernameToken Created) exactly one
// second beyond and one second within the tolerance the target claims; for the token consumer: NotBefore /
// NotOnOrAfter one second beyond and within its claimed skew (the ±30 s / +60 s cases of suites/security/attacks.ts
// stay as they are; these are the exact edges). Beyond the claim must be refused; within it a refusal is only
// recorded (never a FAIL). Against a remote STS the margins grow by the uncertainty of the clock estimate.
// `security/skew/window` runs the bisecting probe (probe.ts) and records the measured window.
import type { TrustVersion } from "../../../protocol/namespaces.ts";
import { attackCase } from "../support.ts";
import type { Attack } from "../attacks.ts";
import { envelope, idpSigned, tokenSpec, type DeliveryKind, type SamlVersion, type Scenario } from "../scenario.ts";
import type { CaseContext, CaseDefinition } from "../../case.ts";
import { issueRst } from "../../ws-trust/support.ts";
import { wsse, wst } from "../../ws-trust/lifecycle-support.ts";
import { describeAnswer, describeWindow, estimateStsClock, issued, probeSkew, ProbeError, stsVersion, type SkewFace } from "./probe.ts";

const EDGE_MS = 1000;

type StsEdge = {
  name: string;
  title: string;
  requirements: string[];
  beyond: boolean;
  /** The send options for the edge, given the target's tolerance (ms) and the clock offset/uncertainty (ms). */
  shift(skewMs: number, offsetMs: number, marginMs: number): { timeShiftMs?: number; timestampSeconds?: number; usernameTokenShiftMs?: number; passwordType?: "digest" };
  what(skewS: number): string;
};

// Beyond: the edge plus one second plus the clock uncertainty; within: the edge minus one second minus it.
const STS_EDGES: StsEdge[] = [
  {
    name: "sts-timestamp-created-future-beyond",
    title: "A request whose Timestamp Created lies one second beyond the claimed skew in the future is refused",
    requirements: ["WSS-TS-EXPIRED", "T81"],
    beyond: true,
    shift: (skew, off, margin) => ({ timeShiftMs: off + skew + EDGE_MS + margin }),
    what: (s) => `Timestamp Created = now + ${s} s + 1 s`,
  },
  {
    name: "sts-timestamp-created-future-within",
    title: "A request whose Timestamp Created lies one second inside the claimed skew in the future is accepted",
    requirements: ["WSS-TS-EXPIRED"],
    beyond: false,
    shift: (skew, off, margin) => ({ timeShiftMs: off + Math.max(0, skew - EDGE_MS - margin) }),
    what: (s) => `Timestamp Created = now + ${s} s - 1 s`,
  },
  {
    name: "sts-timestamp-expires-past-beyond",
    title: "A request whose Timestamp Expires passed one second more than the claimed skew ago is refused",
    requirements: ["WSS-TS-EXPIRED", "T81"],
    beyond: true,
    // Expires = now - skew - 1 s; Created a minute earlier (timestampSeconds 60).
    shift: (skew, off, margin) => ({ timeShiftMs: off - skew - EDGE_MS - margin - 60_000, timestampSeconds: 60 }),
    what: (s) => `Timestamp Expires = now - ${s} s - 1 s`,
  },
  {
    name: "sts-timestamp-expires-past-within",
    title: "A request whose Timestamp Expires passed one second less than the claimed skew ago is accepted",
    requirements: ["WSS-TS-EXPIRED"],
    beyond: false,
    shift: (skew, off, margin) => ({ timeShiftMs: off - Math.max(0, skew - EDGE_MS - margin) - 60_000, timestampSeconds: 60 }),
    what: (s) => `Timestamp Expires = now - ${s} s + 1 s`,
  },
  {
    // UsernameToken freshness is RECOMMENDED in the UT profile (WSS-UT-FRESHNESS), so accepting is a WARN (a FAIL
    // in strict mode); the Timestamp stays fresh so only the UT Created is judged.
    name: "sts-ut-created-future-beyond",
    title: "A PasswordDigest UsernameToken whose Created lies one second beyond the claimed skew in the future is refused",
    requirements: ["WSS-UT-FRESHNESS", "T81"],
    beyond: true,
    shift: (skew, off, margin) => ({ timeShiftMs: off, usernameTokenShiftMs: skew + EDGE_MS + margin, passwordType: "digest" }),
    what: (s) => `UsernameToken Created = now + ${s} s + 1 s`,
  },
  {
    name: "sts-ut-created-future-within",
    title: "A PasswordDigest UsernameToken whose Created lies one second inside the claimed skew in the future is accepted",
    requirements: ["WSS-UT-FRESHNESS"],
    beyond: false,
    shift: (skew, off, margin) => ({ timeShiftMs: off, usernameTokenShiftMs: Math.max(0, skew - EDGE_MS - margin), passwordType: "digest" }),
    what: (s) => `UsernameToken Created = now + ${s} s - 1 s`,
  },
];

function stsEdgeCase(e: StsEdge): CaseDefinition {
  return {
    id: `security/skew/${e.name}`,
    title: e.title,
    requirements: e.requirements,
    needs: [{ kind: "operation", operation: "Issue" }, { kind: "credential", credential: "username" }],
    async run(t: CaseContext) {
      const v: TrustVersion | undefined = stsVersion(t.target);
      if (!v) t.skip("the target declares no username endpoint");
      const skewS = t.target.clockSkewSeconds;
      const probe = e.shift(0, 0, 0);
      const client = t.client({ version: v, passwordType: probe.passwordType ?? "text" });
      const rst = issueRst(t, v);
      const clock = await estimateStsClock(t.target, () => client.send(rst));
      if (clock.source !== "controlled") t.info(clock.note);
      const control = await client.send(rst, { timeShiftMs: clock.offsetMs });
      t.answered(control);
      if (!issued(control)) t.skip(`the target refuses a fresh request of this shape (${describeAnswer(control)}), so the edge cannot be judged`);
      const { passwordType: _p, ...send } = e.shift(skewS * 1000, clock.offsetMs, clock.uncertaintyMs);
      const ex = await client.send(rst, send);
      t.answered(ex);
      if (e.beyond) {
        t.check(!issued(ex), `${e.what(skewS)}: the STS issued a token although the target claims a ${skewS} s tolerance; reproduce: npx wsconform run --grep 'security/skew/${e.name}:'`);
        const codes = [...wsse("MessageExpired", "InvalidSecurity", "InvalidSecurityToken", "FailedAuthentication"), ...wst(v, "ExpiredData", "InvalidRequest", "FailedAuthentication", "RequestFailed")];
        if (ex.fault && !codes.some((c) => c.ns === ex.fault!.code.ns && c.local === ex.fault!.code.local)) t.info(`refused with ${ex.fault.code.local}`);
      } else if (!issued(ex)) {
        t.info(`${e.what(skewS)}: refused (${describeAnswer(ex)}) although inside the claimed ${skewS} s tolerance`);
      }
    },
  };
}

// ---- token consumer edges (reusing the attack machinery: positive control, recording, judging) ------------------------

function out(s: Scenario, kind: DeliveryKind, v: SamlVersion, name: string, spec: Parameters<typeof idpSigned>[1]) {
  return { name, xml: envelope(s, kind, v, [idpSigned(s, spec)]) };
}

const skewMs = (s: Scenario) => (s.skewSeconds ?? 0) * 1000;

const CONSUMER_EDGES: Attack[] = [
  {
    id: "skew/consumer-expired-beyond",
    title: "A token whose NotOnOrAfter passed one second more than the consumer's claimed skew ago is refused",
    requirements: ["SAML-VALIDITY"],
    judge: "reject",
    needsSkew: true,
    craft(s, kind, v) {
      const end = s.now - skewMs(s) - EDGE_MS;
      return [out(s, kind, v, "NotOnOrAfter = now - skew - 1 s", tokenSpec(s, v, { notBefore: end - 3600_000, notOnOrAfter: end, confirmationNotOnOrAfter: s.now + 300_000 }))];
    },
  },
  {
    id: "skew/consumer-expired-within",
    title: "A token whose NotOnOrAfter passed one second less than the consumer's claimed skew ago is accepted",
    requirements: ["SAML-VALIDITY"],
    judge: "accept",
    needsSkew: true,
    craft(s, kind, v) {
      const end = s.now - Math.max(0, skewMs(s) - EDGE_MS);
      return [out(s, kind, v, "NotOnOrAfter = now - skew + 1 s", tokenSpec(s, v, { notBefore: end - 3600_000, notOnOrAfter: end, confirmationNotOnOrAfter: s.now + 300_000 }))];
    },
  },
  {
    id: "skew/consumer-not-yet-valid-beyond",
    title: "A token whose NotBefore lies one second beyond the consumer's claimed skew in the future is refused",
    requirements: ["SAML-VALIDITY"],
    judge: "reject",
    needsSkew: true,
    craft(s, kind, v) {
      const start = s.now + skewMs(s) + EDGE_MS;
      return [out(s, kind, v, "NotBefore = now + skew + 1 s", tokenSpec(s, v, { notBefore: start, notOnOrAfter: start + 3600_000, confirmationNotOnOrAfter: start + 3600_000 }))];
    },
  },
  {
    id: "skew/consumer-not-yet-valid-within",
    title: "A token whose NotBefore lies one second inside the consumer's claimed skew in the future is accepted",
    requirements: ["SAML-VALIDITY"],
    judge: "accept",
    needsSkew: true,
    craft(s, kind, v) {
      const start = s.now + Math.max(0, skewMs(s) - EDGE_MS);
      return [out(s, kind, v, "NotBefore = now + skew - 1 s", tokenSpec(s, v, { notBefore: start, notOnOrAfter: start + 3600_000, confirmationNotOnOrAfter: start + 3600_000 }))];
    },
  },
];

// ---- the measured window -----------------------------------------------------------------------------------------------

const windowCase: CaseDefinition = {
  id: "security/skew/window",
  title: "The accepted clock-skew window, measured by bisection in the past and in the future (STS Timestamp and token consumer)",
  // An observation: the boundary cases above judge; this records the window and how expired messages are refused
  // (wsse:MessageExpired is a MAY, so the case is INFO).
  requirements: ["WSS-TS-MESSAGE-EXPIRED-FAULT"],
  async run(t: CaseContext) {
    const faces: SkewFace[] = [];
    if (t.target.capabilities.operations.includes("Issue") && stsVersion(t.target)) faces.push("sts");
    if (t.target.tokenConsumer) faces.push("consumer");
    if (faces.length === 0) t.skip("the target has neither a username Issue endpoint nor a token consumer");
    for (const face of faces) {
      try {
        const w = await probeSkew(t.target, face, { record: (e) => t.exchanges.push(e) });
        t.info(`${w.verdict}: ${describeWindow(w)}${w.past.refusal ? `; refusal: ${w.past.refusal}` : ""}`);
      } catch (e) {
        if (e instanceof ProbeError) t.info(`${face}: not measured (${e.message})`);
        else throw e;
      }
    }
  },
};

export const SKEW_CASES: CaseDefinition[] = [...STS_EDGES.map(stsEdgeCase), ...CONSUMER_EDGES.map(attackCase), windowCase];
