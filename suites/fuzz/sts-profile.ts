// The STS fuzz profile: generated RST/RSTC messages (sts-input.ts), built and mutated (sts-build.ts), sent to the
// target's username endpoint, judged by the STS oracles (oracles.ts).
import { TOKEN_TYPES, TRUST } from "../../protocol/namespaces.ts";
import { readResponse, type Exchange } from "../../adapters/sts-client.ts";
import type { StsTarget } from "../../adapters/sts-target.ts";
import { TransportError, type SoapExchangeRequest } from "../../adapters/transport.ts";
import type { RecordedExchange } from "../case.ts";
import { judgeStsExchange, STS_ORACLES, type Violation } from "./oracles.ts";
import type { FuzzProfile } from "./profile.ts";
import { buildStsMessage } from "./sts-build.ts";
import { stsInputArb, type StsFuzzInput } from "./sts-input.ts";

export async function sendRecorded(target: StsTarget, req: SoapExchangeRequest): Promise<{ ex: Exchange; rec: RecordedExchange; ms: number }> {
  const started = performance.now();
  const ex: Exchange = { request: req.body };
  const rec: RecordedExchange = { path: req.path, request: req.body, ms: 0 };
  try {
    ex.response = await target.transport(req);
    rec.status = ex.response.status;
    rec.contentType = ex.response.contentType;
    rec.response = ex.response.body;
  } catch (e) {
    if (!(e instanceof TransportError)) throw e;
    ex.transportError = e;
    rec.error = `${e.kind}: ${e.message}`;
  }
  const ms = performance.now() - started;
  rec.ms = ms;
  return { ex: readResponse(ex), rec, ms };
}

/** A valid Issue (the target's declared user, a registered relying party, bearer SAML 2.0) as the health request. */
export function healthInput(target: StsTarget): StsFuzzInput {
  const version = target.capabilities.versions.includes("1.3") ? "1.3" : target.capabilities.versions[0]!;
  return {
    version,
    soap: target.capabilities.soapVersions.includes("1.2") ? "1.2" : "1.1",
    body: {
      kind: "RST",
      rst: {
        binding: "Issue",
        requestType: "binding",
        tokenType: TOKEN_TYPES.saml20,
        keyType: TRUST[version].keyType("Bearer"),
        appliesTo: { address: target.appliesTo.noEncryption ?? target.appliesTo.registered, policy: "wsp", addressing: "wsa" },
      },
    },
    auth: { user: "configured", password: "right", passwordType: "text", nonce: false, utCreatedShiftS: 0, timestamp: { createdShiftS: 0, lifetimeS: 300 } },
    action: "binding",
    transportAction: "same",
    contentType: "matching",
    mutations: [],
    replay: false,
  };
}

export function stsProfile(target: StsTarget, o: { maxResponseMs: number }): FuzzProfile<StsFuzzInput> {
  const unjudged: Record<string, string> = {};
  if (!target.trustAnchors.length) {
    for (const k of ["token-verifies", "audience", "lifetime-consistent", "attached-reference"]) unjudged[k] = "the target description lists no trust anchors";
  }
  return {
    name: "sts",
    oracles: STS_ORACLES,
    unjudged,
    arbitrary: () => stsInputArb(target),
    async execute(input, ctx) {
      const built = buildStsMessage(input, target, ctx.canaryUrl);
      const first = await sendRecorded(target, built.request);
      const violations: Violation[] = judgeStsExchange(first.ex, built.facts, target, { maxResponseMs: o.maxResponseMs, ms: first.ms, version: input.version });
      const exchanges = [first.rec];
      if (input.replay) {
        const second = await sendRecorded(target, built.request);
        exchanges.push(second.rec);
        violations.push(...judgeStsExchange(second.ex, built.facts, target, { maxResponseMs: o.maxResponseMs, ms: second.ms, replayed: true, version: input.version }));
      }
      return { violations: violations.filter((v) => !(v.oracle in unjudged)), exchanges };
    },
    async health() {
      const input = healthInput(target);
      const built = buildStsMessage(input, target);
      const { ex } = await sendRecorded(target, built.request);
      const tokenCame = !ex.fault && !ex.transportError && ex.message && (ex.message.kind === "RSTR" ? [ex.message.message] : ex.message.kind === "RSTRC" ? ex.message.message.responses : []).some((r) => r.requestedSecurityToken);
      if (tokenCame) return undefined;
      const why = ex.transportError ? `${ex.transportError.kind}: ${ex.transportError.message}` : ex.fault ? `fault ${ex.fault.codeText}: ${ex.fault.reason}` : (ex.parseError ?? `HTTP ${ex.response?.status}`);
      return { oracle: "health", requirement: STS_ORACLES.health.requirement, message: `a valid Issue no longer gets a token: ${why}` };
    },
  };
}
