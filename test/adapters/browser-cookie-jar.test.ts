// The undici browser's cookie jar against RFC 6265: domain and host-only, path, Secure, HttpOnly, Expires and
// Max-Age on an injected clock, replacement and deletion, ordering, and the date parser.
import { describe, expect, it } from "vitest";
import { CookieJar, defaultPath, parseCookieDate, parseSetCookie, pathMatch } from "../../adapters/browser/cookie-jar.ts";
import { FakeClock } from "../../protocol/clock.ts";

const names = (jar: CookieJar, url: string): string[] => jar.cookiesFor(url).map((c) => `${c.name}=${c.value}`);

describe("cookie jar", () => {
  it("host-only cookies stay on their host; Domain cookies cover subdomains", () => {
    const jar = new CookieJar(new FakeClock());
    expect(jar.setCookie("h=1; Path=/", "https://idp.example.test/adfs/ls/")).toBe(true);
    expect(jar.setCookie("d=2; Domain=.Example.TEST", "https://idp.example.test/")).toBe(true);
    expect(names(jar, "https://idp.example.test/")).toEqual(["h=1", "d=2"]);
    expect(names(jar, "https://rp.example.test/")).toEqual(["d=2"]);
    expect(names(jar, "https://sub.idp.example.test/")).toEqual(["d=2"]);
    expect(names(jar, "https://example.test.evil/")).toEqual([]);
    expect(jar.all().find((c) => c.name === "h")?.hostOnly).toBe(true);
  });

  it("refuses a Domain the host is not in, a top-level domain, and a Domain on an IP host", () => {
    const jar = new CookieJar(new FakeClock());
    expect(jar.setCookie("a=1; Domain=other.test", "https://idp.example.test/")).toBe(false);
    expect(jar.setCookie("a=1; Domain=test", "https://idp.example.test/")).toBe(false);
    expect(jar.setCookie("a=1; Domain=0.0.1", "http://127.0.0.1/")).toBe(false);
    expect(jar.setCookie("a=1; Domain=127.0.0.1", "http://127.0.0.1/")).toBe(true);
    expect(jar.all()[0]?.hostOnly).toBe(true);
  });

  it("default path and path matching", () => {
    expect(defaultPath("/adfs/ls/")).toBe("/adfs/ls");
    expect(defaultPath("/adfs")).toBe("/");
    expect(defaultPath("")).toBe("/");
    expect(pathMatch("/adfs/ls", "/adfs")).toBe(true);
    expect(pathMatch("/adfsx", "/adfs")).toBe(false);
    expect(pathMatch("/adfs/", "/adfs/")).toBe(true);
    const jar = new CookieJar(new FakeClock());
    jar.setCookie("def=1", "https://h/app/login"); // default path /app
    jar.setCookie("root=1; Path=/", "https://h/app/login");
    jar.setCookie("deep=1; Path=/app/admin", "https://h/");
    jar.setCookie("bad=1; Path=relative", "https://h/x/y"); // not starting with "/": default path
    expect(names(jar, "https://h/app/admin/x")).toEqual(["deep=1", "def=1", "root=1"]);
    expect(names(jar, "https://h/application")).toEqual(["root=1"]);
    expect(names(jar, "https://h/x/z")).toEqual(["bad=1", "root=1"]);
  });

  it("Secure cookies: set only from https, sent only over https; HttpOnly is kept", () => {
    const jar = new CookieJar(new FakeClock());
    expect(jar.setCookie("s=1; Secure; HttpOnly", "http://h/")).toBe(false);
    expect(jar.setCookie("s=1; Secure; HttpOnly", "https://h/")).toBe(true);
    expect(names(jar, "http://h/")).toEqual([]);
    expect(names(jar, "https://h/")).toEqual(["s=1"]);
    expect(jar.all()[0]).toMatchObject({ secure: true, httpOnly: true });
  });

  it("Expires and Max-Age on the injected clock; Max-Age wins; deletion by expiry", () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 1));
    const jar = new CookieJar(clock);
    jar.setCookie("e=1; Expires=Thu, 01 Jan 2026 00:10:00 GMT", "https://h/");
    jar.setCookie("m=1; Max-Age=60; Expires=Thu, 01 Jan 2099 00:00:00 GMT", "https://h/");
    jar.setCookie("session=1", "https://h/");
    expect(names(jar, "https://h/")).toEqual(["e=1", "m=1", "session=1"]);
    clock.advanceSeconds(61);
    expect(names(jar, "https://h/")).toEqual(["e=1", "session=1"]);
    clock.advanceSeconds(600);
    expect(names(jar, "https://h/")).toEqual(["session=1"]);
    jar.setCookie("session=; Max-Age=0", "https://h/");
    expect(names(jar, "https://h/")).toEqual([]);
    jar.setCookie("x=1", "https://h/");
    jar.setCookie("x=; Expires=Thu, 01 Jan 1970 00:00:00 GMT", "https://h/");
    expect(names(jar, "https://h/")).toEqual([]);
    // Deleting needs the same domain and path: another path leaves the cookie alone.
    jar.setCookie("p=1; Path=/a", "https://h/");
    jar.setCookie("p=; Max-Age=0; Path=/", "https://h/");
    expect(names(jar, "https://h/a")).toEqual(["p=1"]);
  });

  it("replacement keeps the creation order; same path orders by creation", () => {
    const jar = new CookieJar(new FakeClock());
    jar.setCookie("a=1", "https://h/");
    jar.setCookie("b=1", "https://h/");
    jar.setCookie("a=2", "https://h/");
    expect(jar.cookieHeader("https://h/")).toBe("a=2; b=1");
  });

  it("parses Set-Cookie leniently and refuses what it must", () => {
    expect(parseSetCookie(" sid = abc ; path=/x; SameSite=strict; secure")).toMatchObject({ name: "sid", value: "abc", path: "/x", secure: true, sameSite: "Strict" });
    expect(parseSetCookie("novalue")).toMatchObject({ name: "", value: "novalue" });
    expect(parseSetCookie("=")).toBeUndefined();
    expect(parseSetCookie("a=b\nc")).toBeUndefined();
    expect(parseSetCookie("a=1; Max-Age=abc")?.maxAge).toBeUndefined();
    expect(parseSetCookie("a=1; Max-Age=-5")?.maxAge).toBe(-5);
    const jar = new CookieJar(new FakeClock());
    jar.setCookie("novalue", "https://h/");
    expect(jar.cookieHeader("https://h/")).toBe("novalue");
    expect(jar.setCookie(`big=${"x".repeat(5000)}`, "https://h/")).toBe(false);
  });

  it("bounds: per domain and total", () => {
    const jar = new CookieJar(new FakeClock(), { maxCookiesPerDomain: 3, maxCookies: 5, maxCookieBytes: 4096 });
    for (let i = 0; i < 5; i++) jar.setCookie(`c${i}=1`, "https://a/");
    expect(names(jar, "https://a/")).toEqual(["c2=1", "c3=1", "c4=1"]);
    for (let i = 0; i < 3; i++) jar.setCookie(`d${i}=1`, "https://b/");
    expect(jar.all()).toHaveLength(5);
    expect(names(jar, "https://b/")).toEqual(["d0=1", "d1=1", "d2=1"]);
  });

  it("cookie dates per RFC 6265 5.1.1", () => {
    expect(parseCookieDate("Wed, 21 Oct 2015 07:28:00 GMT")).toBe(Date.UTC(2015, 9, 21, 7, 28, 0));
    expect(parseCookieDate("Wednesday, 21-Oct-15 07:28:00 GMT")).toBe(Date.UTC(2015, 9, 21, 7, 28, 0));
    expect(parseCookieDate("Sun Nov  6 08:49:37 1994")).toBe(Date.UTC(1994, 10, 6, 8, 49, 37));
    expect(parseCookieDate("21 Oct 70 07:28:00")).toBe(Date.UTC(1970, 9, 21, 7, 28, 0));
    expect(parseCookieDate("31 Feb 2020 00:00:00")).toBeUndefined();
    expect(parseCookieDate("21 Oct 2015 25:00:00")).toBeUndefined();
    expect(parseCookieDate("garbage")).toBeUndefined();
  });
});
