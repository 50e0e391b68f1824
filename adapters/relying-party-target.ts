// The RelyingPartyTarget contract: a WS-Federation relying party under test. The harness plays its IdP (signs
// tokens with a key the RP was told to trust), delivers wresult over POST and judges by a configurable probe whether
// a session was established; it also sends wsignoutcleanup1.0.
import type { SigningKey } from "../protocol/dsig/sign.ts";
import type { Clock } from "../protocol/clock.ts";

export interface HttpExchange {
  method: string;
  url: string;
  status?: number;
  location?: string;
  body?: string;
  error?: string;
}

export interface RpSession {
  /** POST wa=wsignin1.0, wresult (and wctx) to the reply URL, as the IdP's auto-submitting form would. */
  postWresult(wresult: string, wctx?: string): Promise<HttpExchange>;
  /** The probe: is this browser signed in at the RP? */
  signedIn(): Promise<boolean>;
  /** GET the cleanup URL with wa=wsignoutcleanup1.0 (and wreply). */
  cleanup(wreply?: string): Promise<HttpExchange>;
  exchanges(): HttpExchange[];
}

export interface RelyingPartyTarget {
  description: { name: string; kind: "reference" | "http" | "container" };
  /** The RP's realm: the audience its tokens must carry. */
  realm: string;
  replyUrl: string;
  /** Where wsignoutcleanup1.0 goes (often the reply URL). */
  cleanupUrl: string;
  /** The issuer name and signing key of the IdP the RP trusts (the harness plays that IdP). */
  issuer: string;
  signingKey: SigningKey;
  /** Token types the RP accepts. */
  tokenTypes: ("saml11" | "saml20")[];
  clock: Clock;
  newSession(): RpSession;
  close(): Promise<void>;
}
