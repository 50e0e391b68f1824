// The defects switchboard: each defect turns one rule of the reference off on purpose, so that the suites can
// prove they catch it (mutation testing of the harness). The clean reference has none switched on.

export interface DefectInfo {
  /** What the reference does wrong when the defect is on. */
  behaviour: string;
  /** Requirement ids (digest §7 / catalogue) a suite should report as broken. */
  breaks: string[];
}

export const DEFECTS = {
  "accept-expired-timestamp": {
    behaviour: "wsu:Timestamp Created/Expires are not checked: stale and expired messages are processed",
    breaks: ["T81", "WSS-TS-EXPIRED"],
  },
  "no-nonce-replay-cache": {
    behaviour: "UsernameToken nonces are not remembered: a replayed digest token is accepted again",
    breaks: ["T81", "UT-NONCE-REPLAY"],
  },
  "context-not-echoed": {
    behaviour: "the RSTR does not carry the RST's @Context",
    breaks: ["T06"],
  },
  "wrong-response-action": {
    behaviour: "a 1.3 Issue response is sent with the 2005-style action .../RSTR/Issue instead of .../RSTRC/IssueFinal",
    breaks: ["T29"],
  },
  "rstr-not-in-collection": {
    behaviour: "a 1.3 Issue response body is a bare RSTR instead of an RSTRC",
    breaks: ["T29"],
  },
  "unsigned-assertion": {
    behaviour: "issued assertions carry no signature",
    breaks: ["SAML-SIGNED"],
  },
  "sha1-signature": {
    behaviour: "assertions are signed with rsa-sha1 and a SHA-1 digest",
    breaks: ["SAML-SIG-ALG"],
  },
  "no-audience": {
    behaviour: "issued assertions carry no AudienceRestriction for the AppliesTo",
    breaks: ["SAML-AUDIENCE"],
  },
  "lifetime-ignored": {
    behaviour: "the requested wst:Lifetime is neither validated nor applied (Expires before Created is accepted)",
    breaks: ["T23"],
  },
  "lifetime-mismatch": {
    behaviour: "the RSTR's wst:Lifetime differs from the token's Conditions window",
    breaks: ["T22"],
  },
  "cancel-is-noop": {
    behaviour: "Cancel answers RequestedTokenCancelled but the token stays valid",
    breaks: ["T53"],
  },
  "validate-always-valid": {
    behaviour: "Validate answers status/valid for any token, tampered or foreign",
    breaks: ["T57"],
  },
  "psha1-entropy-swapped": {
    behaviour: "the PSHA1 computed key is derived with secret and seed swapped",
    breaks: ["T40"],
  },
  "fault-as-html-500": {
    behaviour: "errors are answered with an HTML page and HTTP 500 instead of a SOAP fault",
    breaks: ["T78"],
  },
  "unknown-scope-issued": {
    behaviour: "an AppliesTo that no relying party registered still gets a token",
    breaks: ["T33"],
  },
  "password-not-checked": {
    behaviour: "UsernameToken passwords are not checked",
    breaks: ["T80"],
  },
  "renew-ignores-allow": {
    behaviour: "a token issued with Renewing Allow=\"false\" is renewed anyway",
    breaks: ["T47"],
  },
  "proof-token-missing": {
    behaviour: "a SymmetricKey request without entropy gets no RequestedProofToken",
    breaks: ["T38", "T31"],
  },
  "obo-signature-not-checked": {
    behaviour: "the OnBehalfOf/ActAs token's signature is not verified",
    breaks: ["T64"],
  },
  "attached-reference-wrong-id": {
    behaviour: "RequestedAttachedReference names an identifier other than the token's",
    breaks: ["T34"],
  },
  "missing-request-type-accepted": {
    behaviour: "an RST without wst:RequestType is treated as Issue instead of faulting",
    breaks: ["T03"],
  },
} as const satisfies Record<string, DefectInfo>;

export type DefectName = keyof typeof DEFECTS;
export const DEFECT_NAMES = Object.keys(DEFECTS) as DefectName[];

export function isDefectName(s: string): s is DefectName {
  return Object.prototype.hasOwnProperty.call(DEFECTS, s);
}

/** A set of switched-on defects; `has` is what the reference asks at each rule. */
export class Defects {
  private readonly on: ReadonlySet<DefectName>;
  constructor(names: Iterable<string> = []) {
    const set = new Set<DefectName>();
    for (const n of names) {
      if (!isDefectName(n)) throw new Error(`unknown defect "${n}"; known: ${DEFECT_NAMES.join(", ")}`);
      set.add(n);
    }
    this.on = set;
  }
  has(name: DefectName): boolean {
    return this.on.has(name);
  }
  list(): DefectName[] {
    return [...this.on];
  }
}
