// A cookie jar with the RFC 6265 essentials a passive-profile browser needs: Set-Cookie parsing (5.2), domain
// matching with the host-only flag (5.1.3, 5.3 step 6), default-path and path-match (5.1.4), Secure, HttpOnly,
// Expires (5.1.1 date parsing) and Max-Age (which wins), deletion by expiring, and the Cookie header (5.4).
// Time comes from an injected clock so expiry is tested without waiting.
// Not done (documented limits): the public suffix list (a Domain attribute is refused only when it has no dot),
// SameSite enforcement (stored, reported, not applied: the undici driver does not know "sites"), and cookie
// prefixes beyond RFC 6265bis's rule that only a secure origin may set a Secure cookie.
import type { Clock } from "../../protocol/clock.ts";
import { systemClock } from "../../protocol/clock.ts";

export interface Cookie {
  name: string;
  value: string;
  domain: string;
  path: string;
  /** Milliseconds since the epoch; undefined for a session cookie. */
  expires?: number;
  secure: boolean;
  httpOnly: boolean;
  hostOnly: boolean;
  sameSite?: "Strict" | "Lax" | "None";
  /** Creation order (a counter: RFC 6265 only needs the order, and two cookies may share a millisecond). */
  creation: number;
}

export interface CookieJarLimits {
  maxCookiesPerDomain: number;
  maxCookies: number;
  /** Bytes of name + value (RFC 6265 6.1's minimum is 4096). */
  maxCookieBytes: number;
}

const DEFAULT_LIMITS: CookieJarLimits = { maxCookiesPerDomain: 50, maxCookies: 3000, maxCookieBytes: 4096 };

// The latest date Date can hold: a Max-Age or Expires further out is clamped to it.
const MAX_TIME = 8.64e15;

export class CookieJar {
  private cookies: Cookie[] = [];
  private seq = 0;

  constructor(
    private readonly clock: Clock = systemClock,
    private readonly limits: CookieJarLimits = DEFAULT_LIMITS,
  ) {}

  /** Stores one Set-Cookie header received from `url`. Returns false when the cookie was ignored. */
  setCookie(header: string, url: string | URL): boolean {
    const u = typeof url === "string" ? new URL(url) : url;
    const parsed = parseSetCookie(header);
    if (!parsed) return false;
    if (Buffer.byteLength(parsed.name + parsed.value) > this.limits.maxCookieBytes) return false;
    const now = this.clock.now();
    const host = canonicalHost(u.hostname);
    let domain = host;
    let hostOnly = true;
    if (parsed.domain !== undefined && parsed.domain !== "") {
      const d = canonicalHost(parsed.domain.replace(/^\./, ""));
      if (!domainMatch(host, d)) return false;
      // An IP address host only takes a Domain attribute equal to itself (domain-match already requires that);
      // a Domain with no dot would be a top-level domain (a public suffix).
      if (d !== host && !d.includes(".")) return false;
      if (d !== host) {
        domain = d;
        hostOnly = false;
      }
    }
    const secureOrigin = u.protocol === "https:";
    if (parsed.secure && !secureOrigin) return false;
    let path = parsed.path;
    if (path === undefined || !path.startsWith("/")) path = defaultPath(u.pathname);
    let expires: number | undefined;
    if (parsed.maxAge !== undefined) expires = parsed.maxAge <= 0 ? -Infinity : Math.min(now + parsed.maxAge * 1000, MAX_TIME);
    else if (parsed.expires !== undefined) expires = Math.min(parsed.expires, MAX_TIME);
    // Replace a cookie with the same name, domain and path (keeping its creation time); an expired one deletes it.
    const i = this.cookies.findIndex((c) => c.name === parsed.name && c.domain === domain && c.path === path);
    const creation = i >= 0 ? this.cookies[i]!.creation : ++this.seq;
    if (i >= 0) this.cookies.splice(i, 1);
    if (expires !== undefined && expires <= now) return true;
    const cookie: Cookie = { name: parsed.name, value: parsed.value, domain, path, expires, secure: parsed.secure, httpOnly: parsed.httpOnly, hostOnly, creation };
    if (parsed.sameSite) cookie.sameSite = parsed.sameSite;
    this.cookies.push(cookie);
    this.evict(domain);
    return true;
  }

  /** Cookies to send to `url`, in RFC 6265 5.4 order (longer paths first, then older first). */
  cookiesFor(url: string | URL): Cookie[] {
    const u = typeof url === "string" ? new URL(url) : url;
    if (u.protocol !== "http:" && u.protocol !== "https:") return [];
    this.purge();
    const host = canonicalHost(u.hostname);
    const path = u.pathname || "/";
    return this.cookies
      .filter((c) => (c.hostOnly ? host === c.domain : domainMatch(host, c.domain)) && pathMatch(path, c.path) && (!c.secure || u.protocol === "https:"))
      .sort((a, b) => b.path.length - a.path.length || a.creation - b.creation);
  }

  /** The Cookie header value for `url`, or undefined when none apply. */
  cookieHeader(url: string | URL): string | undefined {
    const list = this.cookiesFor(url);
    if (list.length === 0) return undefined;
    return list.map((c) => (c.name === "" ? c.value : `${c.name}=${c.value}`)).join("; ");
  }

  /** Every live cookie (a copy). */
  all(): Cookie[] {
    this.purge();
    return this.cookies.map((c) => ({ ...c }));
  }

  /** Adds a cookie as-is (e.g. a snapshot of another browser's cookies). */
  put(c: Omit<Cookie, "creation"> & { creation?: number }): void {
    const i = this.cookies.findIndex((x) => x.name === c.name && x.domain === c.domain && x.path === c.path);
    if (i >= 0) this.cookies.splice(i, 1);
    this.cookies.push({ ...c, creation: c.creation ?? ++this.seq });
  }

  clear(): void {
    this.cookies = [];
  }

  private purge(): void {
    const now = this.clock.now();
    this.cookies = this.cookies.filter((c) => c.expires === undefined || c.expires > now);
  }

  // RFC 6265 5.3 step 12 leaves the policy to the agent: drop the oldest of the domain, then the oldest overall.
  private evict(domain: string): void {
    this.purge();
    const same = this.cookies.filter((c) => c.domain === domain);
    if (same.length > this.limits.maxCookiesPerDomain) this.drop(same.sort((a, b) => a.creation - b.creation)[0]!);
    if (this.cookies.length > this.limits.maxCookies) this.drop([...this.cookies].sort((a, b) => a.creation - b.creation)[0]!);
  }

  private drop(c: Cookie): void {
    this.cookies.splice(this.cookies.indexOf(c), 1);
  }
}

export interface ParsedSetCookie {
  name: string;
  value: string;
  expires?: number;
  maxAge?: number;
  domain?: string;
  path?: string;
  secure: boolean;
  httpOnly: boolean;
  sameSite?: "Strict" | "Lax" | "None";
}

/** RFC 6265 5.2 (with 6265bis's nameless cookie: "x" is name "", value "x"). Undefined when it must be ignored. */
export function parseSetCookie(header: string): ParsedSetCookie | undefined {
  // Control characters other than tab make the whole line invalid (6265bis 5.6 step 1).
  if (/[\x00-\x08\x0a-\x1f\x7f]/.test(header)) return undefined;
  const semi = header.indexOf(";");
  const pair = semi < 0 ? header : header.slice(0, semi);
  const eq = pair.indexOf("=");
  const name = (eq < 0 ? "" : pair.slice(0, eq)).trim();
  const value = (eq < 0 ? pair : pair.slice(eq + 1)).trim();
  if (name === "" && value === "") return undefined;
  const out: ParsedSetCookie = { name, value, secure: false, httpOnly: false };
  const rest = semi < 0 ? "" : header.slice(semi + 1);
  let attrs = 0;
  for (const av of rest.split(";")) {
    if (++attrs > 64) break;
    const e = av.indexOf("=");
    const key = (e < 0 ? av : av.slice(0, e)).trim().toLowerCase();
    const val = (e < 0 ? "" : av.slice(e + 1)).trim();
    if (Buffer.byteLength(val) > 1024) continue;
    switch (key) {
      case "expires": {
        const t = parseCookieDate(val);
        if (t !== undefined) out.expires = t;
        break;
      }
      case "max-age":
        if (/^-?\d+$/.test(val)) out.maxAge = Math.max(Math.min(Number(val), 1e12), -1e12);
        break;
      case "domain":
        out.domain = val.toLowerCase();
        break;
      case "path":
        out.path = val;
        break;
      case "secure":
        out.secure = true;
        break;
      case "httponly":
        out.httpOnly = true;
        break;
      case "samesite": {
        const v = val.toLowerCase();
        out.sameSite = v === "strict" ? "Strict" : v === "none" ? "None" : "Lax";
        break;
      }
    }
  }
  return out;
}

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

/** RFC 6265 5.1.1 cookie-date: tokens in any order; undefined when the date is invalid. */
export function parseCookieDate(s: string): number | undefined {
  let time: [number, number, number] | undefined;
  let day: number | undefined;
  let month: number | undefined;
  let year: number | undefined;
  for (const token of s.split(/[\x09\x20-\x2f\x3b-\x40\x5b-\x60\x7b-\x7e]+/).slice(0, 32)) {
    if (token === "") continue;
    let m: RegExpExecArray | null;
    if (time === undefined && (m = /^(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\D.*)?$/.exec(token))) {
      time = [Number(m[1]), Number(m[2]), Number(m[3])];
    } else if (day === undefined && (m = /^(\d{1,2})(?:\D.*)?$/.exec(token))) {
      day = Number(m[1]);
    } else if (month === undefined && MONTHS.includes(token.slice(0, 3).toLowerCase())) {
      month = MONTHS.indexOf(token.slice(0, 3).toLowerCase());
    } else if (year === undefined && (m = /^(\d{2,4})(?:\D.*)?$/.exec(token))) {
      year = Number(m[1]);
    }
  }
  if (year !== undefined && year >= 70 && year <= 99) year += 1900;
  else if (year !== undefined && year <= 69) year += 2000;
  if (time === undefined || day === undefined || month === undefined || year === undefined) return undefined;
  if (day < 1 || day > 31 || year < 1601 || time[0] > 23 || time[1] > 59 || time[2] > 59) return undefined;
  const t = Date.UTC(year, month, day, time[0], time[1], time[2]);
  // Reject days that roll over into the next month (e.g. 31 Feb).
  if (new Date(t).getUTCDate() !== day) return undefined;
  return t;
}

function canonicalHost(h: string): string {
  return h.toLowerCase().replace(/^\[|\]$/g, "").replace(/\.$/, "");
}

function isIp(h: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(h) || h.includes(":");
}

/** RFC 6265 5.1.3. */
export function domainMatch(host: string, domain: string): boolean {
  if (host === domain) return true;
  return !isIp(host) && host.endsWith(domain) && host[host.length - domain.length - 1] === ".";
}

/** RFC 6265 5.1.4 default-path. */
export function defaultPath(uriPath: string): string {
  if (!uriPath.startsWith("/")) return "/";
  const last = uriPath.lastIndexOf("/");
  return last <= 0 ? "/" : uriPath.slice(0, last);
}

/** RFC 6265 5.1.4 path-match. */
export function pathMatch(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith("/") || requestPath[cookiePath.length] === "/";
}
