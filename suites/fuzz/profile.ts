// A fuzz profile: what to generate, how to send one case to the target, and the oracles that judge it. The campaign
// runner (campaign.ts) and the vector replay know only this interface, so the passive IdP ("idp") and token
// consumer ("consumer") profiles slot in beside the STS one without touching them.
import type fc from "fast-check";
import type { RecordedExchange } from "../case.ts";
import type { StsTarget } from "../../adapters/sts-target.ts";
import type { Violation } from "./oracles.ts";

export type ProfileName = "sts" | "idp" | "consumer";
export const PROFILE_NAMES: ProfileName[] = ["sts", "idp", "consumer"];

export interface OracleInfo {
  requirement: string;
  title: string;
}

export interface CaseOutcome {
  violations: Violation[];
  exchanges: RecordedExchange[];
}

export interface ExecuteContext {
  /** URL of the XXE canary for this case (absent: no canary running). */
  canaryUrl?: string;
}

export interface FuzzProfile<I = unknown> {
  name: ProfileName;
  oracles: Record<string, OracleInfo>;
  /** Oracles this target cannot be judged on (e.g. no trust anchors), with the reason. */
  unjudged: Record<string, string>;
  arbitrary(): fc.Arbitrary<I>;
  /** Send one case and judge the answers. Never throws for target misbehaviour. */
  execute(input: I, ctx: ExecuteContext): Promise<CaseOutcome>;
  /** A valid request the target must still answer properly; the violation when it does not. */
  health(): Promise<Violation | undefined>;
}

/** Loads a profile for a target; idp/consumer need the target's passiveIdp / tokenConsumer facet. */
export async function profileFor(name: ProfileName, target: StsTarget, o: { maxResponseMs: number }): Promise<FuzzProfile> {
  switch (name) {
    case "sts": {
      const { stsProfile } = await import("./sts-profile.ts");
      return stsProfile(target, o) as FuzzProfile;
    }
    case "idp": {
      if (!target.passiveIdp) throw new Error("the idp fuzz profile needs a target with a passive IdP (target.passiveIdp); this target has none");
      const { idpProfile } = await import("./idp-profile.ts");
      return idpProfile(target, o) as FuzzProfile;
    }
    case "consumer": {
      if (!target.tokenConsumer) throw new Error("the consumer fuzz profile needs a target with a token consumer (target.tokenConsumer); this target has none");
      const { consumerProfile } = await import("./consumer-profile.ts");
      return consumerProfile(target, o) as FuzzProfile;
    }
  }
}
