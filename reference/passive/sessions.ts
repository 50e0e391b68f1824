// Server-side state of the passive IdP, bounded: browser sessions (who signed in, when, and which realms received a
// token, for sign-out propagation F27) and pending sign-in requests waiting for the login form. Ids are 256-bit
// random values; a full store forgets its oldest entry (that browser simply has to sign in again).
import { randomBytes } from "node:crypto";
import type { Clock } from "../../protocol/clock.ts";

export function newOpaqueId(): string {
  return randomBytes(32).toString("base64url");
}

/** Shape of ids this module hands out: anything else from a cookie or form is not looked up. */
export const OPAQUE_ID = /^[A-Za-z0-9_-]{43}$/;

class BoundedMap<V extends { expires: number }> {
  private readonly m = new Map<string, V>();
  constructor(
    private readonly clock: Clock,
    readonly capacity: number,
  ) {}
  get(id: string | undefined): V | undefined {
    if (!id || !OPAQUE_ID.test(id)) return undefined;
    const v = this.m.get(id);
    if (v && v.expires <= this.clock.now()) {
      this.m.delete(id);
      return undefined;
    }
    return v;
  }
  set(id: string, v: V): void {
    if (this.m.size >= this.capacity) this.sweep();
    while (this.m.size >= this.capacity) this.m.delete(this.m.keys().next().value!);
    this.m.set(id, v);
  }
  delete(id: string): boolean {
    return this.m.delete(id);
  }
  get size(): number {
    return this.m.size;
  }
  private sweep(): void {
    const now = this.clock.now();
    for (const [k, v] of this.m) if (v.expires <= now) this.m.delete(k);
  }
}

export interface IdpSession {
  id: string;
  username: string;
  /** When the user last typed their password (wfresh is measured from here, F08). */
  authInstant: number;
  expires: number;
  /** Realms that received a token in this session, in order (wsignoutcleanup1.0 goes to each, F27). */
  realms: string[];
}

export class SessionStore {
  private readonly map: BoundedMap<IdpSession>;
  constructor(
    private readonly clock: Clock,
    capacity: number,
    private readonly lifetimeMs: number,
  ) {
    this.map = new BoundedMap(clock, capacity);
  }
  create(username: string, realms: string[] = []): IdpSession {
    const now = this.clock.now();
    const s: IdpSession = { id: newOpaqueId(), username, authInstant: now, expires: now + this.lifetimeMs, realms: [...realms] };
    this.map.set(s.id, s);
    return s;
  }
  get(id: string | undefined): IdpSession | undefined {
    return this.map.get(id);
  }
  delete(id: string): boolean {
    return this.map.delete(id);
  }
  get size(): number {
    return this.map.size;
  }
}

export interface Pending<T> {
  request: T;
  expires: number;
  /** Wrong passwords so far: the request is dropped after a few. */
  failures: number;
}

/** Sign-in requests waiting for credentials, keyed by the id the login form carries. */
export class PendingStore<T> {
  private readonly map: BoundedMap<Pending<T>>;
  constructor(
    private readonly clock: Clock,
    capacity: number,
    private readonly ttlMs: number,
  ) {
    this.map = new BoundedMap(clock, capacity);
  }
  add(request: T): string {
    const id = newOpaqueId();
    this.map.set(id, { request, expires: this.clock.now() + this.ttlMs, failures: 0 });
    return id;
  }
  get(id: string | undefined): Pending<T> | undefined {
    return this.map.get(id);
  }
  delete(id: string): void {
    this.map.delete(id);
  }
  get size(): number {
    return this.map.size;
  }
}
