import { describe, expect, it } from "vitest";
import { FakeClock, parseXsDateTime, toXsDateTime } from "../../protocol/clock.ts";

describe("clock and xs:dateTime", () => {
  it("formats UTC with Z and trims zero milliseconds", () => {
    expect(toXsDateTime(Date.UTC(2026, 0, 2, 3, 4, 5))).toBe("2026-01-02T03:04:05Z");
    expect(toXsDateTime(Date.UTC(2026, 0, 2, 3, 4, 5, 120))).toBe("2026-01-02T03:04:05.120Z");
  });

  it("parses zoned dateTimes and refuses unzoned or impossible ones", () => {
    expect(parseXsDateTime("2026-01-02T03:04:05Z")).toBe(Date.UTC(2026, 0, 2, 3, 4, 5));
    expect(parseXsDateTime("2026-01-02T05:04:05+02:00")).toBe(Date.UTC(2026, 0, 2, 3, 4, 5));
    expect(parseXsDateTime("2026-01-02T03:04:05.5Z")).toBe(Date.UTC(2026, 0, 2, 3, 4, 5, 500));
    expect(parseXsDateTime("2026-01-02T03:04:05")).toBeUndefined();
    expect(parseXsDateTime("2026-02-30T00:00:00Z")).toBeUndefined();
    expect(parseXsDateTime("2026-01-02T03:04:60Z")).toBeUndefined();
    expect(parseXsDateTime("yesterday")).toBeUndefined();
  });

  it("a FakeClock only moves when told", () => {
    const c = new FakeClock(1000);
    expect(c.now()).toBe(1000);
    c.advanceSeconds(2);
    expect(c.now()).toBe(3000);
    c.set("2026-01-01T00:00:00Z");
    expect(c.now()).toBe(Date.UTC(2026, 0, 1));
  });
});
