// The harness's own WS-Federation relying party (issue 4 §2): an HTTP(S) server on loopback that takes wresult
// over POST (and, SAML 2.0 POST binding, SAMLResponse + RelayState: protocol/saml/response.ts), validates it with
// the strict consumer, keeps a cookie session, answers wsignoutcleanup1.0 with an
// image, starts sign-in and sign-out at the IdP, and records every call so a suite can see what an IdP did to it.
// Several instances run at once (sign-out propagation needs N RPs): they share the host 127.0.0.1, and cookies
// ignore ports, so each instance names its cookie after its port.
import { randomBytes } from "node:crypto";
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { toXsDateTime, type Clock } from "../../protocol/clock.ts";
import type { TrustAnchor } from "../../protocol/dsig/verify.ts";
import { trustAnchorFromCert } from "../../protocol/dsig/verify.ts";
import { AssertionReplayCache, SamlConsumer, type Consumed, type ConsumerOptions } from "../../protocol/saml/consume.ts";
import { SamlResponseConsumer, decodeSamlResponse } from "../../protocol/saml/response.ts";
import { parseFederationMetadata } from "../../protocol/wsfed/metadata.ts";
import { WA, withPassiveQuery } from "../../protocol/wsfed/parameters.ts";
import { WRESULT_ERROR_RULES, WresultError, parseWresult } from "../../protocol/wsfed/wresult.ts";
import { consumerRulesOff, rpDefectSet, type RpDefectName } from "./defects.ts";
import { sendHttp } from "./http-client.ts";
import type { HarnessRp, RpCall } from "./rp.ts";

export type HarnessRpTrust =
  | { anchors: TrustAnchor[] }
  /** Signing certificates from the IdP's federation metadata (fed:SecurityTokenServiceType KeyDescriptors). */
  | { metadataUrl: string; ca?: string | string[]; timeoutMs?: number };

export interface HarnessRpOptions {
  /** The RP's realm (wtrealm): the audience its tokens must carry. */
  realm: string;
  /** Loopback only. */
  host?: "127.0.0.1";
  /** 0 (default): any free port. A fixed port for a remote IdP that registered this reply URL. */
  port?: number;
  /** Path of the reply URL (POST wsignin1.0, GET cleanup and sign-out); default "/rp/". */
  replyPath?: string;
  /** Path of the protected page; default "/rp/protected". */
  protectedPath?: string;
  tls?: { certPem: string; keyPem: string };
  trust: HarnessRpTrust;
  /** Expected Issuer. Omitted: the metadata's entityID, or (anchors) any issuer whose signature verifies. */
  issuer?: string;
  clock: Clock;
  skewSeconds?: number;
  /** The IdP's passive endpoint, for RP-initiated sign-in and sign-out (default: the metadata's PassiveRequestorEndpoint). */
  idpSignInUrl?: string;
  /** URLs a cleanup wreply may go to (F31). Default: the IdP's sign-in URL when known. */
  trustedReplyUrls?: string[];
  defects?: string[];
  /** SameSite of the session cookie (default Lax; None needs TLS, for IdPs on another site that embed cleanup). */
  cookieSameSite?: "Lax" | "Strict" | "None";
  /** Bounds. */
  maxBodyBytes?: number;
  maxSessions?: number;
  maxCalls?: number;
  /** Longest session, whatever the token's lifetime (default 8 h). */
  sessionLifetimeSeconds?: number;
}

export interface HarnessRpInstance extends HarnessRp {
  /** The resolved trust (anchors read from metadata included). */
  anchors: TrustAnchor[];
  defects: ReadonlySet<RpDefectName>;
}

interface Session {
  subject: string;
  claims: Record<string, string[]>;
  issuer: string;
  assertionId: string;
  expiresAt: number;
}

// A 1x1 transparent GIF: the embeddable "cleanup done" answer (F33), as WIF's FAM returns an image.
const CLEANUP_GIF = Buffer.from("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7", "base64");

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

function page(title: string, body: string): string {
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
}

function cookiesOf(req: IncomingMessage): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const i = part.indexOf("=");
    if (i <= 0) continue;
    const name = part.slice(0, i).trim();
    if (!out.has(name)) out.set(name, part.slice(i + 1).trim());
  }
  return out;
}

async function metadataTrust(t: { metadataUrl: string; ca?: string | string[]; timeoutMs?: number }) {
  const res = await sendHttp({ method: "GET", url: t.metadataUrl, ca: t.ca, timeoutMs: t.timeoutMs ?? 10_000, maxResponseBytes: 1024 * 1024 });
  if (res.status !== 200) throw new Error(`federation metadata at ${t.metadataUrl} answered HTTP ${res.status}`);
  const md = parseFederationMetadata(res.body);
  const certs = md.securityTokenServices.flatMap((s) => s.signingCertificates);
  if (!certs.length) throw new Error(`federation metadata at ${t.metadataUrl} names no signing certificate in a SecurityTokenServiceType role`);
  return {
    anchors: certs.map((c) => trustAnchorFromCert(c, `metadata ${md.entityId}`)),
    entityId: md.entityId,
    passive: md.securityTokenServices.flatMap((s) => s.passiveRequestorEndpoints)[0],
  };
}

/** Same origin and path as one of the trusted URLs (no prefix matching: "/ls/../evil" tricks do not apply). */
function isTrustedUrl(candidate: string, trusted: readonly string[]): boolean {
  let u: URL;
  try {
    u = new URL(candidate);
  } catch {
    return false;
  }
  return trusted.some((t) => {
    try {
      const tu = new URL(t);
      return tu.origin === u.origin && tu.pathname === u.pathname;
    } catch {
      return false;
    }
  });
}

export async function startHarnessRp(o: HarnessRpOptions): Promise<HarnessRpInstance> {
  const host = o.host ?? "127.0.0.1";
  if (host !== "127.0.0.1") throw new Error("the harness RP listens on 127.0.0.1 only");
  const replyPath = o.replyPath ?? "/rp/";
  const protectedPath = o.protectedPath ?? "/rp/protected";
  if (!replyPath.startsWith("/") || !protectedPath.startsWith("/")) throw new Error("replyPath and protectedPath must be absolute paths");
  const defects = rpDefectSet(o.defects);
  const clock = o.clock;
  const maxBody = o.maxBodyBytes ?? 1024 * 1024;
  const maxSessions = o.maxSessions ?? 10_000;
  const maxCalls = o.maxCalls ?? 10_000;
  const sessionLifetimeMs = (o.sessionLifetimeSeconds ?? 8 * 3600) * 1000;
  const sameSite = o.cookieSameSite ?? "Lax";
  if (sameSite === "None" && !o.tls) throw new Error("SameSite=None cookies need TLS (Secure)");

  let anchors: TrustAnchor[];
  let issuer = o.issuer;
  let idpSignInUrl = o.idpSignInUrl;
  if ("anchors" in o.trust) {
    anchors = o.trust.anchors;
  } else {
    const m = await metadataTrust(o.trust);
    anchors = m.anchors;
    issuer ??= m.entityId;
    idpSignInUrl ??= m.passive;
  }
  if (!anchors.length) throw new Error("the harness RP needs at least one trust anchor");
  const trustedReplyUrls = o.trustedReplyUrls ?? (idpSignInUrl ? [idpSignInUrl] : []);

  const sessions = new Map<string, Session>();
  const calls: RpCall[] = [];
  let origin = "";
  let cookieName = "";
  let replyUrl = "";

  // One replay cache for both deliveries: an assertion used in a wresult cannot come back in a SAMLResponse.
  const consumerOptions: ConsumerOptions = {
    anchors,
    issuers: issuer !== undefined ? [issuer] : undefined,
    audience: o.realm,
    // Recipient is the reply URL; filled in once the port is known (the getter reads it per call).
    get recipients() {
      return [replyUrl];
    },
    clock,
    skewSeconds: o.skewSeconds,
    replayCache: new AssertionReplayCache(clock),
    off: consumerRulesOff(defects),
  };
  const consumer = new SamlConsumer(consumerOptions);
  // SAML 2.0 Web SSO POST binding (SAMLResponse to the reply URL): Destination must be the reply URL.
  const responseConsumer = new SamlResponseConsumer(consumerOptions);

  function record(call: RpCall): void {
    if (calls.length >= maxCalls) calls.shift();
    calls.push(call);
  }

  function sessionOf(req: IncomingMessage): [string, Session] | undefined {
    const sid = cookiesOf(req).get(cookieName);
    if (!sid) return undefined;
    const s = sessions.get(sid);
    if (!s) return undefined;
    if (s.expiresAt <= clock.now()) {
      sessions.delete(sid);
      return undefined;
    }
    return [sid, s];
  }

  function cookieAttributes(): string {
    return `Path=/; HttpOnly; SameSite=${sameSite}${o.tls ? "; Secure" : ""}`;
  }

  function expireCookie(): string {
    return `${cookieName}=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; ${cookieAttributes()}`;
  }

  function send(res: ServerResponse, status: number, headers: Record<string, string | string[]>, body: string | Buffer = ""): void {
    res.writeHead(status, { "cache-control": "no-store", ...headers });
    res.end(body);
  }

  function html(res: ServerResponse, status: number, title: string, body: string, extra: Record<string, string | string[]> = {}): void {
    send(res, status, { "content-type": "text/html; charset=utf-8", ...extra }, page(title, body));
  }

  /** A wctx naming a path on this RP (directly, or as WIF's ru=), else undefined: never an open redirect. */
  function localTarget(wctx: string | undefined): string | undefined {
    if (!wctx) return undefined;
    const candidates = [wctx];
    if (!wctx.startsWith("/")) {
      const ru = new URLSearchParams(wctx).get("ru");
      if (ru) candidates.push(ru);
    }
    for (const c of candidates) {
      if (!c.startsWith("/") || c.startsWith("//") || c.startsWith("/\\")) continue;
      try {
        const u = new URL(c, origin);
        if (u.origin === origin) return u.pathname + u.search;
      } catch {
        // not a URL
      }
    }
    return undefined;
  }

  async function readForm(req: IncomingMessage): Promise<URLSearchParams | "too-large"> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of req as AsyncIterable<Buffer>) {
      size += c.length;
      if (size > maxBody) return "too-large";
      chunks.push(c);
    }
    return new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
  }

  async function signIn(req: IncomingMessage, res: ServerResponse, call: RpCall): Promise<void> {
    const type = (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
    if (type !== "application/x-www-form-urlencoded") {
      call.outcome = "bad-request";
      call.reason = `content type ${type || "(none)"} is not a form`;
      return html(res, 415, "Not a form post", `<p>${escapeHtml(call.reason)}</p>`);
    }
    const form = await readForm(req);
    if (form === "too-large") {
      call.outcome = "bad-request";
      call.reason = `body over ${maxBody} bytes`;
      return html(res, 413, "Too large", `<p>${escapeHtml(call.reason)}</p>`, { connection: "close" });
    }
    // Query parameters on a POST are ignored (MS-MWBF): wa and the rest come from the form only.
    call.form = {};
    for (const [k, v] of form) call.form[k] = (k === "wresult" || k === "SAMLResponse") && v.length > 2048 ? `${v.slice(0, 2048)}…(${v.length} chars)` : v;
    // SAML 2.0 POST binding: SAMLResponse (base64 Response) and RelayState, no wa.
    if (form.has("SAMLResponse")) return samlSignIn(res, form, call);
    const wa = form.get("wa") ?? undefined;
    call.wa = wa;
    // MS-MWBF sends cleanup by GET only; an IdP that posts it is still answered, never refused (F32).
    if (wa === WA.signOutCleanup) return cleanup(req, res, form.get("wreply") ?? undefined, call);
    if (wa !== WA.signIn) {
      call.outcome = "bad-request";
      call.reason = `wa=${wa ?? "(absent)"} is not wsignin1.0`;
      return html(res, 400, "Bad request", `<p>${escapeHtml(call.reason)}</p>`);
    }
    const wresult = form.get("wresult");
    if (!wresult) {
      call.outcome = "rejected";
      call.reason = form.has("wresultptr") ? "F19: wresultptr is not supported; send wresult" : "F19: the sign-in response carries no wresult";
      return html(res, 400, "Sign-in refused", `<p>${escapeHtml(call.reason)}</p>`);
    }
    let parsed;
    try {
      parsed = parseWresult(wresult, { allowOtherAssertions: defects.has("accept-xsw"), skipAppliesToCheck: defects.has("skip-audience") });
    } catch (e) {
      if (!(e instanceof WresultError)) throw e;
      call.outcome = "rejected";
      call.reason = `${e.code} (${WRESULT_ERROR_RULES[e.code].join(", ")}): ${e.message}`;
      return html(res, 403, "Sign-in refused", `<p>${escapeHtml(call.reason)}</p>`);
    }
    if (parsed.kind === "fault") {
      call.outcome = "fault";
      call.reason = `{${parsed.code.ns}}${parsed.code.local}: ${parsed.reason}`;
      return html(res, 403, "The identity provider returned a fault", `<p>${escapeHtml(call.reason)}</p>`);
    }
    if (parsed.appliesTo !== undefined && parsed.appliesTo !== o.realm && !defects.has("skip-audience")) {
      call.outcome = "rejected";
      call.reason = `applies-to-mismatch (F23): AppliesTo ${parsed.appliesTo} is not this realm ${o.realm}`;
      return html(res, 403, "Sign-in refused", `<p>${escapeHtml(call.reason)}</p>`);
    }
    const r = consumer.consume(parsed.assertion);
    if (!r.ok) {
      call.outcome = "rejected";
      call.reason = `${r.code} (${r.rules.join(", ")}): ${r.reason}`;
      return html(res, 403, "Sign-in refused", `<p>${escapeHtml(call.reason)}</p>`);
    }
    startSession(res, call, r, form.get("wctx") ?? undefined);
  }

  async function samlSignIn(res: ServerResponse, form: URLSearchParams, call: RpCall): Promise<void> {
    const xml = decodeSamlResponse(form.get("SAMLResponse") ?? "");
    if (xml === undefined) {
      call.outcome = "bad-request";
      call.reason = "SAMLResponse is not base64";
      return html(res, 400, "Bad request", `<p>${escapeHtml(call.reason)}</p>`);
    }
    const r = responseConsumer.consume(xml);
    if (!r.ok) {
      call.outcome = "rejected";
      call.reason = `${r.code} (${r.rules.join(", ")}): ${r.reason}`;
      return html(res, 403, "Sign-in refused", `<p>${escapeHtml(call.reason)}</p>`);
    }
    startSession(res, call, r, form.get("RelayState") ?? undefined);
  }

  /** A new session for an accepted token; then to the local target (wctx / RelayState) or a "signed in" page. */
  function startSession(res: ServerResponse, call: RpCall, r: Consumed, relay: string | undefined): void {
    const now = clock.now();
    // Oldest first out when full: that only signs someone out, it never lets anyone in.
    while (sessions.size >= maxSessions) sessions.delete(sessions.keys().next().value!);
    const sid = randomBytes(32).toString("base64url");
    sessions.set(sid, {
      subject: r.subject,
      claims: r.claims,
      issuer: r.issuer,
      assertionId: r.assertionId,
      // The session lasts as long as the token could be accepted, and no longer than the session limit (with
      // skip-lifetime the token's times mean nothing to this RP).
      expiresAt: defects.has("skip-lifetime") ? now + sessionLifetimeMs : Math.min(now + sessionLifetimeMs, r.notOnOrAfter + (o.skewSeconds ?? 300) * 1000),
    });
    call.outcome = "signed-in";
    call.reason = `subject ${r.subject}`;
    const setCookie = `${cookieName}=${sid}; ${cookieAttributes()}`;
    const target = localTarget(relay);
    if (target) return send(res, 302, { location: `${origin}${target}`, "set-cookie": setCookie });
    html(res, 200, "Signed in", `<p>Signed in as <b>${escapeHtml(r.subject)}</b>.</p><p><a href="${escapeHtml(protectedPath)}">protected page</a></p>`, { "set-cookie": setCookie });
  }

  function cleanup(req: IncomingMessage, res: ServerResponse, wreply: string | undefined, call: RpCall): void {
    // No authentication and no anti-forgery token (F32): the request comes cross-site from the IdP's page.
    const found = sessionOf(req);
    const keep = defects.has("cleanup-keeps-session");
    if (found && !keep) sessions.delete(found[0]);
    const headers: Record<string, string | string[]> = keep ? {} : { "set-cookie": expireCookie() };
    call.outcome = "cleanup";
    call.reason = found ? (keep ? "session kept (defect)" : "session cleared") : "no session";
    if (wreply !== undefined) {
      if (defects.has("cleanup-follows-any-wreply") || isTrustedUrl(wreply, trustedReplyUrls)) {
        call.outcome = "cleanup-redirect";
        return send(res, 302, { ...headers, location: wreply });
      }
      call.reason += "; wreply not trusted, not followed";
    }
    send(res, 200, { ...headers, "content-type": "image/gif", "content-length": String(CLEANUP_GIF.length) }, CLEANUP_GIF);
  }

  function signOut(req: IncomingMessage, res: ServerResponse, call: RpCall): void {
    const found = sessionOf(req);
    if (found) sessions.delete(found[0]);
    call.outcome = "signed-out";
    call.reason = found ? "session cleared" : "no session";
    const headers = { "set-cookie": expireCookie() };
    if (idpSignInUrl) {
      // RP-initiated sign-out: end the local session, then ask the IdP to end its own (and clean up the others).
      return send(res, 302, { ...headers, location: withPassiveQuery(idpSignInUrl, { wa: WA.signOut, wtrealm: o.realm, wreply: replyUrl }) });
    }
    html(res, 200, "Signed out", "<p>Signed out of this relying party.</p>", headers);
  }

  function protectedPage(req: IncomingMessage, res: ServerResponse, call: RpCall): void {
    const found = sessionOf(req);
    if (found) {
      const s = found[1];
      call.outcome = "authorized";
      call.reason = `subject ${s.subject}`;
      return send(res, 200, { "content-type": "application/json" }, JSON.stringify({ subject: s.subject, claims: s.claims, issuer: s.issuer, realm: o.realm }));
    }
    if (idpSignInUrl) {
      call.outcome = "sign-in-redirect";
      const location = withPassiveQuery(idpSignInUrl, { wa: WA.signIn, wtrealm: o.realm, wctx: protectedPath, wct: toXsDateTime(clock.now()) });
      return send(res, 302, { location });
    }
    call.outcome = "unauthenticated";
    send(res, 401, { "content-type": "text/plain; charset=utf-8" }, "sign-in required");
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const call: RpCall = { at: clock.now(), method: req.method ?? "", url: req.url ?? "", outcome: "" };
    try {
      const url = new URL(req.url ?? "/", origin);
      if (url.pathname === replyPath && req.method === "POST") {
        await signIn(req, res, call);
      } else if (url.pathname === replyPath && (req.method === "GET" || req.method === "HEAD")) {
        const wa = url.searchParams.get("wa") ?? undefined;
        call.wa = wa;
        if (wa === WA.signOutCleanup) cleanup(req, res, url.searchParams.get("wreply") ?? undefined, call);
        else if (wa === WA.signOut) signOut(req, res, call);
        else if (wa === undefined) {
          call.outcome = "home";
          html(res, 200, "wsconform harness relying party", `<p>realm ${escapeHtml(o.realm)}</p>`);
        } else {
          call.outcome = "bad-request";
          call.reason = `wa=${wa} is not handled by GET here`;
          html(res, 400, "Bad request", `<p>${escapeHtml(call.reason)}</p>`);
        }
      } else if (url.pathname === protectedPath && (req.method === "GET" || req.method === "HEAD")) {
        protectedPage(req, res, call);
      } else if (url.pathname === replyPath || url.pathname === protectedPath) {
        call.outcome = "bad-request";
        send(res, 405, { allow: url.pathname === replyPath ? "GET, POST" : "GET" });
      } else {
        call.outcome = "not-found";
        send(res, 404, { "content-type": "text/plain" }, "not found");
      }
    } catch (e) {
      call.outcome = "error";
      call.reason = e instanceof Error ? e.message : String(e);
      if (!res.headersSent) send(res, 500, { "content-type": "text/plain" }, "internal error");
      else res.destroy();
    } finally {
      record(call);
    }
  }

  const server: Server = o.tls
    ? createHttpsServer({ cert: o.tls.certPem, key: o.tls.keyPem }, (req, res) => void handle(req, res))
    : createHttpServer((req, res) => void handle(req, res));
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  origin = `${o.tls ? "https" : "http"}://${host}:${port}`;
  cookieName = `wsconform_rp_${port}`;
  replyUrl = `${origin}${replyPath}`;

  return {
    realm: o.realm,
    replyUrl,
    protectedUrl: `${origin}${protectedPath}`,
    cleanupUrl: withPassiveQuery(replyUrl, { wa: WA.signOutCleanup }),
    signOutUrl: withPassiveQuery(replyUrl, { wa: WA.signOut }),
    origin,
    cookieName,
    issuer,
    anchors,
    defects,
    calls: () => calls.slice(),
    clearCalls: () => void calls.splice(0),
    sessionCount: () => {
      const now = clock.now();
      for (const [sid, s] of sessions) if (s.expiresAt <= now) sessions.delete(sid);
      return sessions.size;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
