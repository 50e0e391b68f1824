// The harness's own WS-Federation relying party: what the suites see of one instance. It accepts wresult over
// POST, validates strictly, keeps a session, handles wsignoutcleanup1.0, and records every call so a test can
// assert what an IdP did to it. (Implementation: startHarnessRp in ./server.ts; defects in ./defects.ts.)

export interface RpCall {
  at: number;
  method: string;
  /** Path and query as received. */
  url: string;
  /** wa of the call (query or form), when present. */
  wa?: string;
  /** Form fields of a POST (wresult truncated for memory). */
  form?: Record<string, string>;
  /**
   * What the RP did: signed-in, rejected (with reason), fault (the IdP sent a SOAP fault), cleanup,
   * cleanup-redirect (a trusted wreply was followed), signed-out, authorized, sign-in-redirect, unauthenticated,
   * home, bad-request, not-found, error.
   */
  outcome: string;
  reason?: string;
}

export interface HarnessRp {
  realm: string;
  /** Where the IdP posts wresult (also the cleanup URL, with ?wa=wsignoutcleanup1.0). */
  replyUrl: string;
  /** A page that answers 200 with the signed-in identity, or 401 without a session. */
  protectedUrl: string;
  calls(): RpCall[];
  /** Number of live sessions. */
  sessionCount(): number;
  close(): Promise<void>;
  /** replyUrl?wa=wsignoutcleanup1.0: what an IdP embeds (img/iframe) to clean this RP up. */
  cleanupUrl: string;
  /** replyUrl?wa=wsignout1.0: RP-initiated sign-out (clears the local session, then 302 to the IdP). */
  signOutUrl: string;
  /** scheme://127.0.0.1:port */
  origin: string;
  /** The session cookie's name: unique per instance, because all instances share 127.0.0.1 and cookies ignore ports. */
  cookieName: string;
  /** The Issuer the RP expects (undefined: any issuer whose signature verifies with its anchors). */
  issuer?: string;
  /** Forget the recorded calls (between steps of a test). */
  clearCalls(): void;
}
