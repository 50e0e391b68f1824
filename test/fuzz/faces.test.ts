// The consumer and idp fuzz profiles against the in-process reference: the clean reference passes a small budget;
// deliberate RP defects (adapters/harness-rp/defects.ts) and IdP defects (reference/defects.ts, area "idp") are
// found within budgets measured with `bench/fuzz.ts --defects --profile consumer|idp --seed 1`, with room to
// spare; counterexamples shrink to one mutation / one parameter and replay as vectors.
import { describe, expect, it } from "vitest";
import { runCampaign } from "../../suites/fuzz/campaign.ts";
import { consumerProfile } from "../../suites/fuzz/consumer-profile.ts";
import { idpProfile, resolveParams } from "../../suites/fuzz/idp-profile.ts";
import { makeVector, replayVector } from "../../suites/fuzz/vectors.ts";
import { referenceTargets } from "../helpers/targets.ts";

const target = referenceTargets();
const failures = (r: Awaited<ReturnType<typeof runCampaign>>) => r.oracles.filter((o) => o.counterexample).map((o) => `${o.oracle}: ${o.counterexample!.violation.message}`);

describe("consumer profile", () => {
  it("the clean reference RP passes: the control is accepted, nothing forged or unsigned is", async () => {
    const r = await runCampaign(consumerProfile(await target(), { maxResponseMs: 10_000 }), { seed: 3, budget: { cases: 150 }, streams: 2, canary: false });
    expect(failures(r)).toEqual([]);
    expect(r.cases).toBeGreaterThanOrEqual(150);
  }, 120_000);

  const DEFECTS: [string, string, number][] = [
    ["accept-unsigned", "signed-content", 150],
    ["nameid-truncated-at-comment", "signed-content", 100],
    ["no-assertion-replay-cache", "replay", 100],
    ["accept-xsw", "signed-content", 600],
  ];
  for (const [defect, oracle, budget] of DEFECTS) {
    it(`finds ${defect} (${oracle}) within ${budget} cases, shrunk to at most two mutations, and the vector replays`, async () => {
      const t = await target([defect]);
      const r = await runCampaign(consumerProfile(t, { maxResponseMs: 10_000 }), { seed: 1, budget: { cases: budget }, streams: 1, stopAtFirst: true, canary: false, only: [oracle] });
      const cx = r.oracles.find((o) => o.oracle === oracle)!.counterexample;
      expect(cx, `not found in ${r.cases} cases`).toBeDefined();
      expect(cx!.confirmed).toBe(true);
      expect((cx!.input as { mutations: unknown[] }).mutations.length).toBeLessThanOrEqual(2);
      const v = makeVector({ profile: "consumer", cx: cx!, target: t.description, dir: "vectors/regressions", targetArg: "" });
      expect((await replayVector(v, t)).violations.length).toBeGreaterThan(0);
      expect((await replayVector(v, await target())).violations).toEqual([]);
    }, 120_000);
  }
});

describe("idp profile", () => {
  it("the clean reference IdP passes", async () => {
    const r = await runCampaign(idpProfile(await target(), { maxResponseMs: 10_000 }), { seed: 3, budget: { cases: 120 }, streams: 2 });
    expect(failures(r)).toEqual([]);
  }, 120_000);

  it("resolves placeholders and repeats parameters", async () => {
    const t = await target();
    const idp = t.passiveIdp!;
    const p = resolveParams(idp, { rp: 1, credentials: "right", wctx: "x", changes: [{ name: "wreply", value: "{rp2.reply}x", repeat: true }, { name: "wtrealm", value: "{unregistered}", repeat: false }] });
    expect(p).toEqual([
      ["wa", "wsignin1.0"],
      ["wtrealm", idp.unregisteredRealm],
      ["wreply", `${idp.relyingParties[2]!.replyUrl}x`],
      ["wreply", `${idp.relyingParties[2]!.replyUrl}x`],
      ["wctx", "x"],
    ]);
  });

  const DEFECTS: [string, string, number][] = [
    ["wctx-altered", "wctx-echo", 60],
    ["wreply-not-checked", "token-destination", 250],
    ["audience-not-realm", "audience", 30],
  ];
  for (const [defect, oracle, budget] of DEFECTS) {
    it(`finds ${defect} (${oracle}) within ${budget} cases and the vector replays`, async () => {
      const t = await target([defect]);
      const r = await runCampaign(idpProfile(t, { maxResponseMs: 10_000 }), { seed: 1, budget: { cases: budget }, streams: 1, stopAtFirst: true, only: [oracle] });
      const cx = r.oracles.find((o) => o.oracle === oracle)!.counterexample;
      expect(cx, `not found in ${r.cases} cases`).toBeDefined();
      expect(cx!.confirmed).toBe(true);
      const v = makeVector({ profile: "idp", cx: cx!, target: t.description, dir: "vectors/regressions", targetArg: "" });
      expect((await replayVector(v, t)).violations.length).toBeGreaterThan(0);
      expect((await replayVector(v, await target())).violations).toEqual([]);
    }, 120_000);
  }
});
