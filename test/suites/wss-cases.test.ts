// The response-Timestamp cases can fail: a target whose answers carry a broken Timestamp (made here by rewriting
// the reference's responses on the way back) gets FAIL citing the BSP rule, and the clean reference passes.
import { describe, expect, it } from "vitest";
import { referenceTargetConfig } from "../../adapters/target-config.ts";
import type { StsTarget } from "../../adapters/sts-target.ts";
import { runCase } from "../../suites/case.ts";
import { createTarget } from "../../suites/target.ts";
import { WSS_CASES } from "../../suites/ws-trust/wss.cases.ts";
import { FakeClock } from "../../protocol/clock.ts";
import { loadOrCreateKeys } from "../../reference/keys.ts";

const keys = loadOrCreateKeys(new FakeClock(Date.now()));
const reference = () => createTarget(referenceTargetConfig(), { referenceKeys: keys });

function rewriting(target: StsTarget, edit: (xml: string) => string): StsTarget {
  return { ...target, transport: async (req) => { const res = await target.transport(req); return { ...res, body: edit(res.body) }; } };
}

const BREAKS: [string, (x: string) => string][] = [
  ["ws-security/response-timestamp/created-one", (x) => x.replace(/(<wsu:Created>[^<]*<\/wsu:Created>)/, "$1$1")],
  ["ws-security/response-timestamp/expires-max-one", (x) => x.replace(/(<wsu:Expires>[^<]*<\/wsu:Expires>)/, "$1$1")],
  ["ws-security/response-timestamp/order", (x) => x.replace(/<wsu:Expires>[^<]*<\/wsu:Expires>/, "<wsu:Expires>2000-01-01T00:00:00Z</wsu:Expires>")],
  ["ws-security/response-timestamp/no-other-children", (x) => x.replace(/<\/wsu:Timestamp>/, "<wsu:Extra>1</wsu:Extra></wsu:Timestamp>")],
  ["ws-security/response-timestamp/utc", (x) => x.replace(/(<wsu:Created>[^<]*)Z</, "$1+02:00<")],
  ["ws-security/response-timestamp/precision", (x) => x.replace(/(<wsu:Created>[^<.]*?)(\.\d+)?Z</, "$1.1234567Z<")],
  ["ws-security/response-timestamp/no-valuetype", (x) => x.replace(/<wsu:Created>/, '<wsu:Created ValueType="urn:x">')],
  ["ws-security/response-timestamp/one-per-header", (x) => x.replace(/(<wsu:Timestamp[\s\S]*?<\/wsu:Timestamp>)/, (ts) => ts + ts.replace(/wsu:Id="[^"]*"/, 'wsu:Id="_t2"'))],
];

describe("response-Timestamp cases", () => {
  for (const [id, edit] of BREAKS) {
    it(`${id}: PASS on the reference, FAIL when the response breaks the rule`, async () => {
      const c = WSS_CASES.find((k) => k.id === id)!;
      const clean = await runCase(c, await reference());
      expect(clean.verdict, clean.message).toBe("PASS");
      const broken = await runCase(c, rewriting(await reference(), edit));
      expect(broken.verdict, broken.message).toBe(c.requirements[0] === "WSS-TS-PRECISION" ? "WARN" : "FAIL");
      expect(broken.failedRequirement).toBe(c.requirements[0]);
    });
  }
});
