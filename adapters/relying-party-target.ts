// The RelyingPartyTarget contract: a WS-Federation relying party under test. The harness plays its IdP (signs
// tokens with a key the RP was told to trust), delivers wresult over POST and judges by a configurable probe whether
// a session was established; it also sends wsignoutcleanup1.0.
import type { SigningKey } from "../protocol/dsig/sign.ts";
import type { Clock } from "../protocol/clock.ts";
import { trustAnchorFromCert } from "../protocol/dsig/verify.ts";
import { WA, withPassiveQuery } from "../protocol/wsfed/parameters.ts";
import { CookieJar } from "./browser/cookie-jar.ts";
import { sendHttp, type HttpResponse } from "./harness-rp/http-client.ts";
import { startHarnessRp, type HarnessRpInstance } from "./harness-rp/server.ts";

export interface HttpExchange {
  method: string;
  url: string;
  status?: number;
  location?: string;
  body?: string;
  error?: string;
  /** A 3xx with a Location. */
  redirected?: boolean;
  contentType?: string;
  /** Set-Cookie headers of the answer (cookie deletion is judged from these, F29). */
  setCookies?: string[];
  /** Request body (form) for a POST, wresult shortened. */
  requestBody?: string;
}

export interface RpSession {
  /** POST wa=wsignin1.0, wresult (and wctx) to the reply URL, as the IdP's auto-submitting form would. */
  postWresult(wresult: string, wctx?: string): Promise<HttpExchange>;
  /** POST any form to the reply URL (e.g. the SAML 2.0 POST binding's SAMLResponse and RelayState). */
  postForm(fields: Record<string, string>): Promise<HttpExchange>;
  /** The probe: is this browser signed in at the RP? */
  signedIn(): Promise<boolean>;
  /** GET the cleanup URL with wa=wsignoutcleanup1.0 (and wreply). */
  cleanup(wreply?: string): Promise<HttpExchange>;
  exchanges(): HttpExchange[];
  /**
   * The identity the RP shows this session, when the probe URL answers JSON with a string `subject` (the harness
   * RP's protected page does); undefined when signed out or the page says nothing readable.
   */
  identity(): Promise<{ subject: string; claims: Record<string, string[]> } | undefined>;
  /** The session's cookies (name → value) for the RP's origin. */
  cookies(): Record<string, string>;
}

export interface RelyingPartyTarget {
  description: { name: string; kind: "reference" | "http" | "container" };
  /** The RP's realm: the audience its tokens must carry. */
  realm: string;
  replyUrl: string;
  /** Where wsignoutcleanup1.0 goes (often the reply URL). */
  cleanupUrl: string;
  /** The issuer name and signing key of the IdP the RP trusts (the harness plays that IdP). */
  issuer: string;
  signingKey: SigningKey;
  /** Token types the RP accepts. */
  tokenTypes: ("saml11" | "saml20")[];
  clock: Clock;
  newSession(): RpSession;
  close(): Promise<void>;
  /** The clock skew the RP claims to allow, when known. */
  clockSkewSeconds?: number;
}

/** How to tell that a session was established. */
export type SignedInProbe =
  /** GET this URL with the session's cookies: signed in when it answers `status` (default 200). */
  | { kind: "url"; url: string; status?: number }
  /** Signed in while the jar holds a (live) cookie with this name, or matching this pattern. */
  | { kind: "cookie"; name: string | RegExp };

export interface HttpRelyingPartyConfig {
  name: string;
  kind?: RelyingPartyTarget["description"]["kind"];
  realm: string;
  replyUrl: string;
  /** Default: the reply URL. */
  cleanupUrl?: string;
  issuer: string;
  signingKey: SigningKey;
  tokenTypes?: ("saml11" | "saml20")[];
  clock: Clock;
  probe: SignedInProbe;
  clockSkewSeconds?: number;
  /** PEM CA certificate(s) of the RP's private TLS certificate. */
  tlsCa?: string | string[];
  timeoutMs?: number;
  maxResponseBytes?: number;
  /** Extra teardown (a server the target owns). */
  onClose?: () => Promise<void>;
}

const KEEP_BODY = 8 * 1024;

function shorten(s: string, n = KEEP_BODY): string {
  return s.length > n ? `${s.slice(0, n)}…(${s.length} chars)` : s;
}

/** A relying party reached over HTTP(S); each session has its own cookie jar. */
export function httpRelyingPartyTarget(config: HttpRelyingPartyConfig): RelyingPartyTarget {
  const cleanupBase = config.cleanupUrl ?? config.replyUrl;

  function newSession(): RpSession {
    const jar = new CookieJar(config.clock);
    const log: HttpExchange[] = [];

    async function exchange(method: string, url: string, form?: URLSearchParams): Promise<HttpExchange & { res?: HttpResponse }> {
      const headers: Record<string, string> = {};
      const cookie = jar.cookieHeader(url);
      if (cookie) headers.cookie = cookie;
      const body = form?.toString();
      if (body !== undefined) headers["content-type"] = "application/x-www-form-urlencoded";
      const x: HttpExchange = { method, url };
      if (form) {
        const shown = new URLSearchParams(form);
        for (const k of ["wresult", "SAMLResponse"]) {
          const w = shown.get(k);
          if (w) shown.set(k, shorten(w, 512));
        }
        x.requestBody = shown.toString();
      }
      log.push(x);
      try {
        const res = await sendHttp({ method, url, headers, body, ca: config.tlsCa, timeoutMs: config.timeoutMs, maxResponseBytes: config.maxResponseBytes });
        for (const sc of res.setCookies) jar.setCookie(sc, url);
        x.status = res.status;
        x.location = res.location !== undefined ? new URL(res.location, url).toString() : undefined;
        x.redirected = res.status >= 300 && res.status < 400 && res.location !== undefined;
        x.contentType = res.contentType;
        x.setCookies = res.setCookies;
        x.body = (res.contentType ?? "").startsWith("image/") ? `(${res.body.length} bytes of ${res.contentType})` : shorten(res.body.toString("utf8"));
        return { ...x, res };
      } catch (e) {
        x.error = e instanceof Error ? e.message : String(e);
        return x;
      }
    }

    return {
      async postWresult(wresult, wctx) {
        const form = new URLSearchParams({ wa: WA.signIn, wresult });
        if (wctx !== undefined) form.set("wctx", wctx);
        const { res: _res, ...x } = await exchange("POST", config.replyUrl, form);
        return x;
      },
      async postForm(fields) {
        const { res: _res, ...x } = await exchange("POST", config.replyUrl, new URLSearchParams(fields));
        return x;
      },
      async signedIn() {
        const p = config.probe;
        if (p.kind === "cookie") {
          return jar.cookiesFor(config.replyUrl).some((c) => (typeof p.name === "string" ? c.name === p.name : p.name.test(c.name)));
        }
        const x = await exchange("GET", p.url);
        if (x.error) throw new Error(`the sign-in probe ${p.url} failed: ${x.error}`);
        return x.status === (p.status ?? 200);
      },
      async cleanup(wreply) {
        const { res: _res, ...x } = await exchange("GET", withPassiveQuery(cleanupBase, { wa: WA.signOutCleanup, wreply }));
        return x;
      },
      async identity() {
        const p = config.probe;
        if (p.kind !== "url") return undefined;
        const x = await exchange("GET", p.url);
        if (x.status !== (p.status ?? 200) || !x.res) return undefined;
        try {
          const j = JSON.parse(x.res.body.toString("utf8")) as { subject?: unknown; claims?: unknown };
          if (typeof j.subject !== "string") return undefined;
          const claims: Record<string, string[]> = {};
          if (j.claims && typeof j.claims === "object") {
            for (const [k, v] of Object.entries(j.claims as Record<string, unknown>)) claims[k] = (Array.isArray(v) ? v : [v]).map(String);
          }
          return { subject: j.subject, claims };
        } catch {
          return undefined;
        }
      },
      exchanges: () => log.slice(),
      cookies: () => Object.fromEntries(jar.cookiesFor(config.replyUrl).map((c) => [c.name, c.value])),
    };
  }

  return {
    description: { name: config.name, kind: config.kind ?? "http" },
    realm: config.realm,
    replyUrl: config.replyUrl,
    cleanupUrl: cleanupBase,
    issuer: config.issuer,
    signingKey: config.signingKey,
    tokenTypes: config.tokenTypes ?? ["saml11", "saml20"],
    clock: config.clock,
    clockSkewSeconds: config.clockSkewSeconds,
    newSession,
    close: async () => {
      await config.onClose?.();
    },
  };
}

/**
 * The reference relying party: a harness RP on a loopback port trusting `signingKey`, as a RelyingPartyTarget
 * (and the base of the "wsfed-rp"/"reference" TokenConsumer). Defects come from adapters/harness-rp/defects.ts.
 */
export async function referenceRelyingPartyTarget(o: {
  clock: Clock;
  signingKey: SigningKey;
  issuer?: string;
  realm?: string;
  skewSeconds?: number;
  defects?: string[];
  trustedReplyUrls?: string[];
}): Promise<RelyingPartyTarget & { rp: HarnessRpInstance }> {
  const issuer = o.issuer ?? "urn:wsconform:harness-idp";
  const realm = o.realm ?? "urn:wsconform:reference-rp";
  const rp = await startHarnessRp({
    realm,
    clock: o.clock,
    issuer,
    skewSeconds: o.skewSeconds,
    trust: { anchors: [trustAnchorFromCert(o.signingKey.certDer, issuer)] },
    defects: o.defects,
    trustedReplyUrls: o.trustedReplyUrls,
  });
  const target = httpRelyingPartyTarget({
    name: o.defects?.length ? `reference RP (defects: ${o.defects.join(", ")})` : "reference RP",
    kind: "reference",
    realm,
    replyUrl: rp.replyUrl,
    issuer,
    signingKey: o.signingKey,
    clock: o.clock,
    clockSkewSeconds: o.skewSeconds ?? 300,
    probe: { kind: "url", url: rp.protectedUrl },
    onClose: () => rp.close(),
  });
  return { ...target, rp };
}
