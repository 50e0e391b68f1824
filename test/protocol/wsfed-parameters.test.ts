// Passive parameters (protocol/wsfed/parameters.ts, digest §5.3): reading a query, the values with a syntax, and
// building URLs that keep an existing query.
import { describe, expect, it } from "vitest";
import {
  PASSIVE_PARAMETERS,
  WA,
  buildPassiveQuery,
  decodeXmlParameter,
  isWaValue,
  parseCurrentTime,
  parseEncoding,
  parseFreshness,
  parsePassiveParameters,
  withPassiveQuery,
} from "../../protocol/wsfed/parameters.ts";

describe("passive parameters", () => {
  it("knows the 20 defined names and the five wa actions (F01)", () => {
    expect(PASSIVE_PARAMETERS.length).toBe(20);
    expect(new Set(PASSIVE_PARAMETERS).size).toBe(20);
    for (const wa of ["wsignin1.0", "wsignout1.0", "wsignoutcleanup1.0", "wattr1.0", "wpseudo1.0"]) expect(isWaValue(wa)).toBe(true);
    expect(isWaValue("wsignin1.1")).toBe(false);
    expect(isWaValue(undefined)).toBe(false);
  });

  it("splits defined, extension, unknown and repeated names; decodes form encoding", () => {
    const p = parsePassiveParameters("?wa=wsignin1.0&wtrealm=urn%3Arp&wctx=a%26b+c%2Bd&login_hint=al&foo=1&foo=2&wreply=x&wreply=y&WA=no");
    expect(p.params).toEqual({ wa: WA.signIn, wtrealm: "urn:rp", wctx: "a&b c+d", wreply: "x" });
    expect(p.extensions).toEqual({ login_hint: "al" });
    expect(p.unknown).toEqual(["foo", "WA"]);
    expect(p.repeated).toEqual(["wreply"]);
  });

  it("round-trips awkward values through buildPassiveQuery", () => {
    const wctx = `a&b=c d+e%f/ü😀"'<>#?`;
    const p = parsePassiveParameters(buildPassiveQuery({ wa: WA.signIn, wctx, skipped: undefined }));
    expect(p.params.wctx).toBe(wctx);
    expect(p.unknown).toEqual([]);
  });

  it("appends to an existing query and drops a fragment", () => {
    expect(withPassiveQuery("https://rp/a", { wa: WA.signOutCleanup })).toBe("https://rp/a?wa=wsignoutcleanup1.0");
    expect(withPassiveQuery("https://rp/a?x=1", { wa: WA.signOutCleanup })).toBe("https://rp/a?x=1&wa=wsignoutcleanup1.0");
    expect(withPassiveQuery("https://rp/a?", { wa: WA.signOutCleanup })).toBe("https://rp/a?wa=wsignoutcleanup1.0");
    expect(withPassiveQuery("https://rp/a#f", { wa: WA.signOutCleanup })).toBe("https://rp/a?wa=wsignoutcleanup1.0");
  });

  it("wfresh is whole minutes (F08)", () => {
    expect(parseFreshness(undefined)).toEqual({ ok: true, value: undefined });
    expect(parseFreshness("0")).toEqual({ ok: true, value: 0 });
    expect(parseFreshness("15")).toEqual({ ok: true, value: 15 });
    for (const bad of ["-1", "1.5", "1e3", " 5", "abc", "9999999999"]) expect(parseFreshness(bad).ok, bad).toBe(false);
  });

  it("wencoding: URL encoding by default, base64url, anything else refused (F14)", () => {
    expect(parseEncoding(undefined)).toEqual({ ok: true, value: "url" });
    expect(parseEncoding("base64url")).toEqual({ ok: true, value: "base64url" });
    expect(parseEncoding("urn:bogus").ok).toBe(false);
    expect(decodeXmlParameter(Buffer.from("<x>é</x>").toString("base64url"), "base64url")).toEqual({ ok: true, value: "<x>é</x>" });
    expect(decodeXmlParameter("<x/>", "url")).toEqual({ ok: true, value: "<x/>" });
    expect(decodeXmlParameter("a+b/c", "base64url").ok).toBe(false);
    expect(decodeXmlParameter("abcde", "base64url").ok).toBe(false);
  });

  it("wct is an xs:dateTime (F07)", () => {
    expect(parseCurrentTime("2026-11-21T12:00:00Z")).toEqual({ ok: true, value: Date.UTC(2026, 10, 21, 12) });
    expect(parseCurrentTime(undefined)).toEqual({ ok: true, value: undefined });
    expect(parseCurrentTime("2026-11-21 12:00").ok).toBe(false);
  });
});
