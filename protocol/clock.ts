// Time is injected: logic asks a Clock, tests move a FakeClock, nothing sleeps to make time pass.

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that only moves when told to. */
export class FakeClock implements Clock {
  constructor(private ms: number = Date.UTC(2026, 0, 1, 0, 0, 0)) {}
  now(): number {
    return this.ms;
  }
  set(ms: number | Date | string): void {
    this.ms = typeof ms === "number" ? ms : new Date(ms).getTime();
  }
  advance(ms: number): void {
    this.ms += ms;
  }
  advanceSeconds(s: number): void {
    this.ms += s * 1000;
  }
}

/**
 * Real time plus an offset the harness moves: time still passes between requests (so fresh timestamps are fresh),
 * and a test can jump ahead (token expiry) without sleeping. Same control surface as FakeClock.
 */
export class ShiftedClock extends FakeClock {
  private offset = 0;
  constructor(private readonly base: Clock = systemClock) {
    super(base.now());
  }
  override now(): number {
    return this.base.now() + this.offset;
  }
  override set(ms: number | Date | string): void {
    const target = typeof ms === "number" ? ms : new Date(ms).getTime();
    this.offset = target - this.base.now();
  }
  override advance(ms: number): void {
    this.offset += ms;
  }
  override advanceSeconds(s: number): void {
    this.offset += s * 1000;
  }
}

/** A clock offset from another (used to act with a target's estimated time). */
export function offsetClock(base: Clock, offsetMs: number): Clock {
  return { now: () => base.now() + offsetMs };
}

/** xs:dateTime in UTC with a trailing Z; milliseconds only when non-zero (BSP R3220: at most ms precision). */
export function toXsDateTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.endsWith(".000Z") ? `${iso.slice(0, -5)}Z` : iso;
}

/**
 * Parse xs:dateTime. Strict: a time zone is required (Z or ±hh:mm) because an unzoned time is ambiguous;
 * returns undefined for anything that is not a valid dateTime.
 */
export function parseXsDateTime(s: string): number | undefined {
  const m = /^(-?\d{4,})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.exec(s.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, sec, frac, tz] = m;
  const month = Number(mo), day = Number(d), hour = Number(h), min = Number(mi), second = Number(sec);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 24 || min > 59 || second > 59) return undefined;
  if (hour === 24 && (min !== 0 || second !== 0 || (frac && Number(frac) !== 0))) return undefined;
  const ms = frac ? Math.floor(Number(`0${frac}`) * 1000) : 0;
  let t = Date.UTC(Number(y), month - 1, day, hour, min, second, ms);
  const check = new Date(Date.UTC(Number(y), month - 1, day));
  if (check.getUTCDate() !== day) return undefined; // 2026-02-30 and the like
  if (tz && tz !== "Z") {
    const sign = tz[0] === "-" ? -1 : 1;
    const [th, tm] = tz.slice(1).split(":").map(Number);
    if ((th ?? 0) > 14 || (tm ?? 0) > 59) return undefined;
    t -= sign * ((th ?? 0) * 60 + (tm ?? 0)) * 60_000;
  }
  return Number.isFinite(t) ? t : undefined;
}
