// The defects switchboard: each defect turns one rule of the reference off on purpose, so that the suites can
// prove they catch it (mutation testing of the harness). The clean reference has none switched on.

export interface DefectInfo {
  /** What the reference does wrong when the defect is on. */
  behaviour: string;
  /** Requirement ids (digest §7 / catalogue) a suite should report as broken. */
  breaks: string[];
  /** Which part of the reference the defect is in: the WS-Trust STS (when absent) or the passive IdP. */
  area?: "sts" | "idp";
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
  // WS-Federation passive IdP (reference/passive).
  "wreply-not-checked": {
    behaviour: "a wsignin1.0 wreply is not checked against the realm's registered reply URLs: the token is posted wherever it says",
    breaks: ["F05"],
    area: "idp",
  },
  "wctx-altered": {
    behaviour: "wctx comes back percent-encoded a second time instead of unchanged",
    breaks: ["F06"],
    area: "idp",
  },
  "cleanup-not-propagated": {
    behaviour: "wsignout1.0 ends the IdP session but sends no wsignoutcleanup1.0 to the relying parties of the session",
    breaks: ["F27"],
    area: "idp",
  },
  "metadata-unsigned": {
    behaviour: "federation metadata is served without a signature",
    breaks: ["F46"],
    area: "idp",
  },
  "session-kept-after-signout": {
    behaviour: "wsignout1.0 keeps the IdP session and its cookie: the next sign-in gets a token without credentials",
    breaks: ["F26"],
    area: "idp",
  },
  "signout-wreply-not-checked": {
    behaviour: "wsignout1.0 follows any wreply, registered or not (open redirect)",
    breaks: ["F28"],
    area: "idp",
  },
  "unknown-realm-issued": {
    behaviour: "a wtrealm no relying party registered still gets a token (posted to wreply, or to the realm itself)",
    breaks: ["F02", "F04"],
    area: "idp",
  },
  "wfresh-ignored": {
    behaviour: "wfresh is ignored: an existing session gets a token even with wfresh=0, with the full token lifetime",
    breaks: ["F08", "F09"],
    area: "idp",
  },
  "audience-not-realm": {
    behaviour: "the passive token's audience is the reply URL instead of the wtrealm",
    breaks: ["F04", "F23"],
    area: "idp",
  },
} as const satisfies Record<string, DefectInfo>;

export type DefectName = keyof typeof DEFECTS;
export const DEFECT_NAMES = Object.keys(DEFECTS) as DefectName[];

/** The part of the reference a defect is in ("sts" unless the entry says otherwise). */
export function defectArea(name: DefectName): "sts" | "idp" {
  return (DEFECTS[name] as DefectInfo).area ?? "sts";
}

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
