// The PassiveIdpTarget contract: a WS-Federation passive requestor IdP (wsignin1.0, wsignout1.0, metadata) as the
// WS-Fed suites see it. The harness's own relying parties (adapters/harness-rp) listen at the reply URLs the IdP
// has registered, so the suites can see what the IdP sent them.
import type { Clock } from "../protocol/clock.ts";
import type { TrustAnchor } from "../protocol/dsig/verify.ts";
import type { BrowserDriverName, PassiveBrowser } from "./browser/browser.ts";
import type { HarnessRp } from "./harness-rp/rp.ts";

export interface PassiveIdpCapabilities {
  /** The IdP implements wsignout1.0 (and propagates wsignoutcleanup1.0). */
  signOut: boolean;
  /** Token types the IdP issues in passive responses. */
  tokenTypes: ("saml11" | "saml20")[];
  /** wfresh is honoured. */
  freshness: boolean;
  /** Federation metadata is published. */
  metadata: boolean;
}

export interface PassiveIdpTarget {
  description: { name: string; kind: "reference" | "http" | "container" };
  /** The passive endpoint, e.g. https://idp.example/adfs/ls/ */
  signInUrl: string;
  metadataUrl?: string;
  capabilities: PassiveIdpCapabilities;
  user: { username: string; password: string };
  otherUser?: { username: string; password: string };
  /** Harness RPs registered at the IdP (realm + reply URL), at least three for sign-out propagation. */
  relyingParties: HarnessRp[];
  /** A realm the IdP does not know. */
  unregisteredRealm: string;
  /** Certificates that sign the IdP's tokens (from the config, or read from its metadata). */
  trustAnchors: TrustAnchor[];
  issuerName?: string;
  clock: Clock;
  clockSkewSeconds: number;
  newBrowser(driver: BrowserDriverName): Promise<PassiveBrowser>;
  close(): Promise<void>;
}
