// The harness's own WS-Federation relying party: what the suites see of one instance. It accepts wresult over
// POST, validates strictly, keeps a session, handles wsignoutcleanup1.0, and records every call so a test can
// assert what an IdP did to it. (Implementation: startHarnessRp, in this folder.)

export interface RpCall {
  at: number;
  method: string;
  /** Path and query as received. */
  url: string;
  /** wa of the call (query or form), when present. */
  wa?: string;
  /** Form fields of a POST (wresult truncated for memory). */
  form?: Record<string, string>;
  /** What the RP did: signed-in, rejected (with reason), cleanup, … */
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
}
