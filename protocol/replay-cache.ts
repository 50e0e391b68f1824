// Bounded replay cache (UsernameToken nonces, signed-message identifiers, accepted assertion IDs). Entries live until their own expiry;
// memory stays bounded by `capacity`. When the cache is full of live entries it fails closed: the caller must
// refuse the message rather than forget a nonce that could then be replayed.
import type { Clock } from "./clock.ts";

export type ReplayVerdict = "fresh" | "replay" | "full";

export class ReplayCache {
  private readonly entries = new Map<string, number>(); // key → expiry ms (insertion order ≈ expiry order)

  constructor(
    private readonly clock: Clock,
    readonly capacity = 200_000,
  ) {}

  /** Record `key` until `expiresAt`; tell whether it was seen before. */
  check(key: string, expiresAt: number): ReplayVerdict {
    const now = this.clock.now();
    const seen = this.entries.get(key);
    if (seen !== undefined && seen > now) return "replay";
    if (seen !== undefined) this.entries.delete(key);
    if (this.entries.size >= this.capacity) this.sweep(now);
    if (this.entries.size >= this.capacity) return "full";
    this.entries.set(key, expiresAt);
    return "fresh";
  }

  get size(): number {
    return this.entries.size;
  }

  /** Drop expired entries. Entries are mostly inserted in expiry order, so stop at the first live one after a
   * bounded look-ahead. */
  sweep(now: number = this.clock.now()): void {
    let live = 0;
    for (const [k, exp] of this.entries) {
      if (exp <= now) this.entries.delete(k);
      else if (++live > 64) break;
    }
  }
}
