// The TokenConsumer contract: anything that validates a security token — a WS-Fed RP over HTTP, a SAML SP over the
// POST binding, a library. Deliver a token; learn whether it was accepted, and with which identity and claims.
// The harness plays the issuer with its own keys and hands the consumer the trust material.
import type { Clock } from "../protocol/clock.ts";
import type { SigningKey } from "../protocol/dsig/sign.ts";

export type Delivery =
  /** A bare signed assertion (library consumers). */
  | { kind: "assertion"; xml: string }
  /** A WS-Fed sign-in response body (wresult), posted with wa=wsignin1.0. */
  | { kind: "wresult"; xml: string; wctx?: string }
  /** A SAML 2.0 protocol Response over the POST binding (SAMLResponse, base64 by the adapter). */
  | { kind: "samlResponse"; xml: string; relayState?: string };

export type ConsumerOutcome =
  | { accepted: true; subject?: string; claims: Record<string, string[]>; detail?: string }
  | { accepted: false; reason: string };

export interface ConsumerTrust {
  /** Issuer name the consumer expects. */
  issuer: string;
  /** The key the harness signs with; the consumer trusts its certificate. */
  signingKey: SigningKey;
  /** Audience (realm / SP entity id) the consumer expects. */
  audience: string;
  /** Recipient/ACS URL for SAML 2.0 bearer SubjectConfirmationData, when the consumer checks it. */
  recipient?: string;
}

export interface TokenConsumer {
  description: { name: string; kind: "library" | "wsfed-rp" | "saml-sp" | "reference" };
  /** Delivery kinds the consumer takes. */
  deliveries: Delivery["kind"][];
  trust: ConsumerTrust;
  tokenTypes: ("saml11" | "saml20")[];
  /** The clock the consumer judges validity windows by (the harness crafts times relative to it). */
  clock: Clock;
  /**
   * The clock-skew tolerance the consumer claims, in seconds. Undeclared: the security suites test expiry only far
   * beyond any plausible skew and skip the at-the-boundary probes.
   */
  clockSkewSeconds?: number;
  consume(d: Delivery): Promise<ConsumerOutcome>;
  close(): Promise<void>;
}
