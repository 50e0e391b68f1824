// What the reference remembers about the tokens it issued: enough for Validate, Renew and Cancel. Bounded: the
// oldest entries are dropped first once `capacity` is reached, and expired ones (past any renewal window) on
// every insert. A token that is no longer known can still be validated by its signature and window; only
// Renew/Cancel need the entry. Cancelled identifiers are kept until the token would have expired.
import type { Clock } from "../protocol/clock.ts";

/** Only what Renew and Cancel need beyond the token itself: the token's content is read back from the presented
 * (signature-checked) token, so each entry stays a few hundred bytes. */
export interface IssuedToken {
  id: string;
  notOnOrAfter: number;
  renewAllow: boolean;
  renewOk: boolean;
  allowPostdating: boolean;
  /** Who asked for it (the authenticated requestor). */
  requestor: string;
  cancelled: boolean;
  /** When the entry may be dropped (expiry plus any renewal window). */
  keepUntil: number;
}

export class TokenStore {
  private readonly tokens = new Map<string, IssuedToken>();
  /** Cancelled ids → the expiry after which they no longer matter. Never evicted while live: a cancelled token
   * must not become valid again because memory ran short (fail closed: cancel refuses when this is full). */
  private readonly revoked = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    readonly capacity = 100_000,
    readonly revokedCapacity = 100_000,
  ) {}

  /** Mark cancelled. False when the revocation list is full of live entries (the caller must fault). */
  cancel(id: string, until: number): boolean {
    const now = this.clock.now();
    if (this.revoked.size >= this.revokedCapacity) {
      for (const [k, exp] of this.revoked) if (exp <= now) this.revoked.delete(k);
      if (this.revoked.size >= this.revokedCapacity) return false;
    }
    this.revoked.set(id, until);
    const t = this.tokens.get(id);
    if (t) t.cancelled = true;
    return true;
  }

  isCancelled(id: string): boolean {
    return this.revoked.has(id);
  }

  add(t: IssuedToken): void {
    if (this.tokens.size >= this.capacity) this.evict();
    this.tokens.set(t.id, t);
  }

  get(id: string): IssuedToken | undefined {
    return this.tokens.get(id);
  }

  get size(): number {
    return this.tokens.size;
  }

  private evict(): void {
    const now = this.clock.now();
    let checked = 0;
    for (const [id, t] of this.tokens) {
      if (t.keepUntil <= now) this.tokens.delete(id);
      if (++checked > 256) break;
    }
    // Still full: drop the oldest (insertion order) to stay bounded.
    while (this.tokens.size >= this.capacity) {
      const first = this.tokens.keys().next();
      if (first.done) break;
      this.tokens.delete(first.value);
    }
  }
}
