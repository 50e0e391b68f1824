// The reference's memory stays bounded: the replay cache and the token store have capacities, and the replay
// cache fails closed when it is full of live entries.
import { describe, expect, it } from "vitest";
import { FakeClock } from "../../protocol/clock.ts";
import { ReplayCache } from "../../protocol/replay-cache.ts";
import { TokenStore, type IssuedToken } from "../../reference/token-store.ts";

const token = (id: string, until: number): IssuedToken => ({
  id,
  notOnOrAfter: until,
  renewAllow: true,
  renewOk: false,
  allowPostdating: false,
  requestor: "alice",
  cancelled: false,
  keepUntil: until,
});

describe("replay cache", () => {
  it("detects a replay until the entry expires", () => {
    const clock = new FakeClock(0);
    const c = new ReplayCache(clock, 10);
    expect(c.check("n1", 1000)).toBe("fresh");
    expect(c.check("n1", 1000)).toBe("replay");
    clock.advance(1001);
    expect(c.check("n1", 5000)).toBe("fresh");
  });

  it("evicts expired entries to make room, and fails closed when full of live ones", () => {
    const clock = new FakeClock(0);
    const c = new ReplayCache(clock, 3);
    for (const k of ["a", "b", "c"]) expect(c.check(k, 100)).toBe("fresh");
    expect(c.check("d", 100)).toBe("full");
    expect(c.size).toBe(3);
    clock.advance(101);
    expect(c.check("d", 500)).toBe("fresh");
    expect(c.size).toBe(1);
  });
});

describe("token store", () => {
  it("stays within its capacity, dropping the oldest", () => {
    const clock = new FakeClock(0);
    const s = new TokenStore(clock, 100);
    for (let i = 0; i < 1000; i++) s.add(token(`t${i}`, 1e9));
    expect(s.size).toBeLessThanOrEqual(100);
    expect(s.get("t999")).toBeDefined();
    expect(s.get("t0")).toBeUndefined();
  });

  it("keeps a cancelled id even after its entry was evicted; refuses to cancel when the list is full", () => {
    const clock = new FakeClock(0);
    const s = new TokenStore(clock, 2, 2);
    s.add(token("x", 1000));
    expect(s.cancel("x", 1000)).toBe(true);
    for (let i = 0; i < 10; i++) s.add(token(`y${i}`, 1000));
    expect(s.get("x")).toBeUndefined();
    expect(s.isCancelled("x")).toBe(true);
    expect(s.cancel("z1", 1000)).toBe(true);
    expect(s.cancel("z2", 1000)).toBe(false);
    clock.advance(1001);
    expect(s.cancel("z2", 2000)).toBe(true);
  });
});
