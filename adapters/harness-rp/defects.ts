// The harness relying party's defects switchboard: each turns one rule of the RP off on purpose, so the security
// and WS-Federation suites can prove they catch it. Same shape as reference/defects.ts (adapters may not import
// reference/). The clean RP has none on. (Accepting SHA-1 is no defect here: XML-DSig consumers may accept it, and the
// security suite only records it as INFO; the clean RP refuses it as a policy choice.)
import type { ConsumerRule } from "../../protocol/saml/consume.ts";

export interface RpDefectInfo {
  /** What the RP does wrong when the defect is on. */
  behaviour: string;
  /** Requirement ids a suite should report as broken. */
  breaks: string[];
  /** The consumer rule it switches off, when it is a token-validation defect. */
  consumerRule?: ConsumerRule;
}

export const RP_DEFECTS = {
  "accept-unsigned": {
    behaviour: "an assertion without a signature is accepted (a present signature is still checked)",
    breaks: ["SAML-SIGNED"],
    consumerRule: "signature-required",
  },
  "trust-keyinfo-cert": {
    behaviour: "the signature is verified with the certificate carried in KeyInfo as well as the pinned ones",
    breaks: ["SAML-SIG-KEY-TRUSTED"],
    consumerRule: "anchors-only",
  },
  "accept-xsw": {
    behaviour: "any signed assertion anywhere in the wresult vouches for the one in RequestedSecurityToken (signature wrapping)",
    breaks: ["SAML-SIG-COVERS"],
    consumerRule: "signature-covers",
  },
  "skip-issuer": {
    behaviour: "the assertion's Issuer is not compared with the trusted issuer name",
    breaks: ["SAML-ISSUER-TRUSTED"],
    consumerRule: "issuer",
  },
  "skip-lifetime": {
    behaviour: "NotBefore/NotOnOrAfter (and the bearer confirmation's NotOnOrAfter) are not checked",
    breaks: ["SAML-VALIDITY", "SAML-VALIDITY-ORDER", "SAML-SC-BEARER-DATA"],
    consumerRule: "lifetime",
  },
  "skip-audience": {
    behaviour: "the audience restriction is not checked: a token for another realm signs the user in",
    breaks: ["SAML-AUDIENCE", "SAML-AUDIENCE-EACH", "F23"],
    consumerRule: "audience",
  },
  "no-assertion-replay-cache": {
    behaviour: "assertion IDs are not remembered: the same wresult posted twice signs in twice",
    breaks: ["SAML-REPLAY", "SAML-REPLAY-11", "SAML-ONE-TIME-USE"],
    consumerRule: "replay",
  },
  "nameid-truncated-at-comment": {
    behaviour: "NameID and attribute values are read up to the first comment only (the signature excludes comments)",
    breaks: ["SAML-SIG-COVERS"],
    consumerRule: "full-text",
  },
  "cleanup-keeps-session": {
    behaviour: "wsignoutcleanup1.0 answers the image but leaves the session and its cookie in place",
    breaks: ["F29"],
  },
  "cleanup-follows-any-wreply": {
    behaviour: "wsignoutcleanup1.0 redirects to any wreply, trusted or not (open redirect)",
    breaks: ["F31"],
  },
} satisfies Record<string, RpDefectInfo>;

export type RpDefectName = keyof typeof RP_DEFECTS;

export const RP_DEFECT_NAMES = Object.keys(RP_DEFECTS) as RpDefectName[];

export function isRpDefect(name: string): name is RpDefectName {
  return Object.prototype.hasOwnProperty.call(RP_DEFECTS, name);
}

/** The validated defect set; an unknown name is a configuration error. */
export function rpDefectSet(names: Iterable<string> | undefined): ReadonlySet<RpDefectName> {
  const out = new Set<RpDefectName>();
  for (const n of names ?? []) {
    if (!isRpDefect(n)) throw new Error(`unknown harness RP defect ${JSON.stringify(n)} (known: ${RP_DEFECT_NAMES.join(", ")})`);
    out.add(n);
  }
  return out;
}

/** The consumer rules the defects switch off. */
export function consumerRulesOff(defects: ReadonlySet<RpDefectName>): ConsumerRule[] {
  const out: ConsumerRule[] = [];
  for (const d of defects) {
    const rule = (RP_DEFECTS[d] as RpDefectInfo).consumerRule;
    if (rule) out.push(rule);
  }
  return out;
}
