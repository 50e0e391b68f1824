// The reference WS-Federation passive requestor IdP (WS-Federation 1.2 §13, MS-MWBF; digest §5): sign-in with a
// login form and a server-side session, sign-out with cleanup propagation, and federation metadata. Transport-free
// like ReferenceSts.handle, and built on the STS's context, so both share configuration, keys, clock and defects.
import { timingSafeEqual, createHash } from "node:crypto";
import { ADFS_METADATA_ALIAS_PATH, FEDERATION_METADATA_PATH } from "../../protocol/wsfed/metadata.ts";
import { WA, isWaValue, parsePassiveParameters, withPassiveQuery, type PassiveParameters } from "../../protocol/wsfed/parameters.ts";
import type { StsContext } from "../context.ts";
import { CLEANUP_GIF, errorPage, loginPage, signInResponsePage, signOutPage } from "./html.ts";
import { MetadataPublisher, PASSIVE_PATH } from "./metadata.ts";
import { OPAQUE_ID, PendingStore, SessionStore, newOpaqueId, type IdpSession } from "./sessions.ts";
import { buildSignInResponse, checkSignIn, type SignInRequest } from "./signin.ts";

export interface IdpRequest {
  method: string;
  /** Path and query, e.g. /adfs/ls/?wa=wsignin1.0&wtrealm=... */
  url: string;
  /** Lower-case header names: cookie, content-type, host. */
  headers: Record<string, string | undefined>;
  body?: Buffer | string;
  /** Whether the request arrived over TLS (the session cookie is then Secure). */
  secure: boolean;
  /** Public base URL the browser used, e.g. http://127.0.0.1:8089 (metadata addresses, form actions). */
  origin: string;
}

export interface IdpResponse {
  status: number;
  headers: Record<string, string | string[]>;
  body: string | Buffer;
}

/** What the IdP saw of one passive request (bounded log): recorded parameters, ignored ones, the outcome. */
export interface IdpEvent {
  at: number;
  wa?: string;
  realm?: string;
  whr?: string;
  wct?: { value: string; time?: number };
  /** Parameters neither defined by WS-Federation nor known extensions: ignored (F15). */
  ignored: string[];
  outcome: string;
}

export const SESSION_COOKIE = "wsconform_idp";
/** Binds a pending login to the browser that asked for it (no login CSRF: a form made by someone else is refused). */
export const LOGIN_COOKIE = "wsconform_idp_login";

export interface IdpOptions {
  sessionCapacity?: number;
  /** How long a session lasts without a new login (default 8 h). */
  sessionLifetimeSeconds?: number;
  pendingCapacity?: number;
  /** How long a login form stays valid (default 10 min). */
  pendingTtlSeconds?: number;
}

const MAX_LOGIN_FAILURES = 5;
const EVENT_LOG_SIZE = 200;

const COMMON_HEADERS = {
  "cache-control": "no-store",
  pragma: "no-cache",
  "x-content-type-options": "nosniff",
  // The IdP's URLs carry wctx and wtrealm: do not leak them to the relying parties' servers in Referer.
  "referrer-policy": "no-referrer",
};

function html(status: number, body: string, extra: Record<string, string | string[]> = {}): IdpResponse {
  return { status, headers: { "content-type": "text/html; charset=utf-8", ...COMMON_HEADERS, ...extra }, body };
}

/** Value of one cookie in a Cookie header. */
function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const i = part.indexOf("=");
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}

function sha256(s: string): Buffer {
  return createHash("sha256").update(s, "utf8").digest();
}

export class ReferenceIdp {
  readonly sessions: SessionStore;
  readonly pending: PendingStore<{ request: SignInRequest; browser: string }>;
  readonly metadata: MetadataPublisher;
  private readonly log: IdpEvent[] = [];

  constructor(
    readonly ctx: StsContext,
    opts: IdpOptions = {},
  ) {
    this.sessions = new SessionStore(ctx.clock, opts.sessionCapacity ?? 10_000, (opts.sessionLifetimeSeconds ?? 8 * 3600) * 1000);
    this.pending = new PendingStore(ctx.clock, opts.pendingCapacity ?? 10_000, (opts.pendingTtlSeconds ?? 600) * 1000);
    this.metadata = new MetadataPublisher(ctx);
  }

  /** The most recent passive requests, oldest first. */
  events(): IdpEvent[] {
    return [...this.log];
  }

  /** Whether this IdP answers the path (the HTTP server routes these here). */
  static handles(path: string): boolean {
    const p = path.split("?")[0]!.toLowerCase();
    return p === "/adfs/ls" || p === "/adfs/ls/" || p === FEDERATION_METADATA_PATH.toLowerCase() || p === ADFS_METADATA_ALIAS_PATH;
  }

  /** Handle one HTTP request. Never rejects: every failure is a page. */
  async handle(req: IdpRequest): Promise<IdpResponse> {
    try {
      const q = req.url.indexOf("?");
      const path = (q < 0 ? req.url : req.url.slice(0, q)).toLowerCase();
      const query = q < 0 ? "" : req.url.slice(q + 1);
      if (path === FEDERATION_METADATA_PATH.toLowerCase() || path === ADFS_METADATA_ALIAS_PATH) {
        if (req.method !== "GET" && req.method !== "HEAD") return this.methodNotAllowed("GET");
        return {
          status: 200,
          headers: { "content-type": "application/samlmetadata+xml; charset=utf-8", "cache-control": "no-cache", "x-content-type-options": "nosniff" },
          body: this.metadata.document(req.origin),
        };
      }
      if (path !== "/adfs/ls" && path !== "/adfs/ls/") return html(404, errorPage("Not found", "There is nothing at this address."));
      if (req.method === "GET") return await this.passive(req, parsePassiveParameters(query));
      if (req.method === "POST") return await this.loginPost(req);
      return this.methodNotAllowed("GET, POST");
    } catch {
      // Details stay out of the page (and out of logs: forms carry passwords).
      return html(500, errorPage("Server error", "The request could not be processed."));
    }
  }

  private methodNotAllowed(allow: string): IdpResponse {
    return html(405, errorPage("Method not allowed", "This address does not take that method."), { allow });
  }

  private record(e: Omit<IdpEvent, "at">): void {
    if (this.log.length >= EVENT_LOG_SIZE) this.log.shift();
    this.log.push({ at: this.ctx.clock.now(), ...e });
  }

  private session(req: IdpRequest): IdpSession | undefined {
    return this.sessions.get(cookieValue(req.headers.cookie, SESSION_COOKIE));
  }

  private cookie(req: IdpRequest, value: string, maxAgeSeconds?: number): string {
    return [
      `${SESSION_COOKIE}=${value}`,
      "Path=/",
      "HttpOnly",
      "SameSite=Lax",
      ...(req.secure ? ["Secure"] : []),
      ...(maxAgeSeconds !== undefined ? [`Max-Age=${maxAgeSeconds}`] : []),
    ].join("; ");
  }

  private clearCookie(req: IdpRequest): string {
    return this.cookie(req, "", 0);
  }

  /** GET /adfs/ls/: the wa dispatch (F01, F16, F18). */
  private async passive(req: IdpRequest, p: PassiveParameters): Promise<IdpResponse> {
    const wa = p.params.wa;
    const base = { wa, ignored: p.unknown };
    if (!wa) {
      this.record({ ...base, outcome: "refused: no wa" });
      return html(400, errorPage("Bad request", "The wa parameter is missing: this address takes WS-Federation passive requests."));
    }
    if (p.repeated.includes("wa") || !isWaValue(wa)) {
      this.record({ ...base, outcome: "refused: unknown wa" });
      return html(400, errorPage("Bad request", "The wa parameter does not name a WS-Federation action."));
    }
    switch (wa) {
      case WA.signIn:
        return this.signIn(req, p);
      case WA.signOut:
        return this.signOut(req, p);
      case WA.signOutCleanup:
        return this.cleanup(req, p);
      default:
        // MS-MWBF: attribute and pseudonym requests are not supported (F16).
        this.record({ ...base, outcome: `refused: ${wa} not supported` });
        return html(403, errorPage("Not supported", `${wa} requests are not supported by this IdP.`));
    }
  }

  private async signIn(req: IdpRequest, p: PassiveParameters): Promise<IdpResponse> {
    const checked = checkSignIn(this.ctx, p);
    const base = { wa: WA.signIn, realm: p.params.wtrealm?.slice(0, 256), whr: p.params.whr?.slice(0, 256), ignored: p.unknown };
    if (!checked.ok) {
      this.record({ ...base, outcome: `refused: ${checked.message}` });
      return html(checked.status, errorPage(checked.title, checked.message));
    }
    const sr = checked.value;
    const session = this.session(req);
    const now = this.ctx.clock.now();
    // F08: wfresh=0 asks for a new login; otherwise the login must be no older than wfresh minutes.
    const freshEnough =
      session !== undefined &&
      (sr.freshness === undefined || this.ctx.defects.has("wfresh-ignored") || (sr.freshness > 0 && now - session.authInstant <= sr.freshness * 60_000));
    if (session && freshEnough) {
      this.record({ ...base, wct: sr.wct, outcome: "issued (session)" });
      return this.respond(req, sr, session);
    }
    // One browser id per browser (kept across its pending logins, so parallel sign-ins in tabs all work).
    const known = cookieValue(req.headers.cookie, LOGIN_COOKIE);
    const browser = known && OPAQUE_ID.test(known) ? known : newOpaqueId();
    const pending = this.pending.add({ request: sr, browser });
    this.record({ ...base, wct: sr.wct, outcome: session ? "login (not fresh enough)" : "login" });
    return this.loginForm(req, pending, sr, undefined, undefined, this.loginCookie(req, browser, 600));
  }

  private loginCookie(req: IdpRequest, value: string, maxAgeSeconds: number): string {
    // Strict: the login form posts from this site's own page, so the cookie is never needed cross-site.
    return [`${LOGIN_COOKIE}=${value}`, "Path=/adfs/ls", "HttpOnly", "SameSite=Strict", ...(req.secure ? ["Secure"] : []), `Max-Age=${maxAgeSeconds}`].join("; ");
  }

  private loginForm(req: IdpRequest, pending: string, sr: SignInRequest, error?: string, username?: string, setCookie?: string): IdpResponse {
    return html(200, loginPage({ action: PASSIVE_PATH, pending, relyingParty: sr.rp.displayName ?? sr.realm, error, username }), {
      // The login page must not be framed (clickjacking).
      "x-frame-options": "DENY",
      "content-security-policy": "frame-ancestors 'none'",
      ...(setCookie ? { "set-cookie": setCookie } : {}),
    });
  }

  /** POST /adfs/ls/: the login form (UserName, Password, pending). Passive requests themselves travel by GET. */
  private async loginPost(req: IdpRequest): Promise<IdpResponse> {
    const ct = (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
    if (ct !== "application/x-www-form-urlencoded") {
      return html(415, errorPage("Unsupported form", "The login form is posted as application/x-www-form-urlencoded."));
    }
    // Query parameters on a POST are ignored (MS-MWBF): only the form body counts.
    const form = new URLSearchParams(typeof req.body === "string" ? req.body : (req.body ?? Buffer.alloc(0)).toString("utf8"));
    const pendingId = form.get("pending") ?? undefined;
    if (pendingId === undefined) {
      return html(400, errorPage("Bad request", "WS-Federation sign-in requests travel by GET; this address takes only the login form by POST."));
    }
    const entry = OPAQUE_ID.test(pendingId) ? this.pending.get(pendingId) : undefined;
    if (!entry) return html(400, errorPage("Sign-in expired", "This sign-in has expired or was already used. Go back to the application and start again."));
    if (cookieValue(req.headers.cookie, LOGIN_COOKIE) !== entry.request.browser) {
      return html(400, errorPage("Sign-in refused", "This sign-in was started in another browser. Go back to the application and start again."));
    }
    const sr = entry.request.request;
    const username = form.get("UserName") ?? "";
    const password = form.get("Password") ?? "";
    const user = this.ctx.config.users.find((u) => u.username === username);
    // Compare digests in constant time so neither the password nor its length shows in the timing.
    const ok = user !== undefined && timingSafeEqual(sha256(user.password), sha256(password));
    if (!ok) {
      entry.failures++;
      if (entry.failures >= MAX_LOGIN_FAILURES) {
        this.pending.delete(pendingId);
        return html(400, errorPage("Sign-in refused", "Too many wrong passwords. Go back to the application and start again."));
      }
      return this.loginForm(req, pendingId, sr, "The user name or password is incorrect.", username.slice(0, 128));
    }
    this.pending.delete(pendingId);
    // A new session id at each login (no session fixation); the realms already signed in to stay with the same user.
    const old = this.session(req);
    if (old) this.sessions.delete(old.id);
    const session = this.sessions.create(user.username, old?.username === user.username ? old.realms : []);
    return this.respond(req, sr, session, this.cookie(req, session.id));
  }

  /** The auto-posting form with wresult; the realm joins the session's list (F27). */
  private async respond(req: IdpRequest, sr: SignInRequest, session: IdpSession, setCookie?: string): Promise<IdpResponse> {
    const r = await buildSignInResponse(this.ctx, sr, session);
    if (!session.realms.includes(sr.realm)) session.realms.push(sr.realm);
    const body = signInResponsePage({ replyUrl: sr.replyUrl, wresult: r.wresult, wctx: r.wctx });
    return html(200, body, setCookie ? { "set-cookie": setCookie } : {});
  }

  /** The URL a realm's wsignoutcleanup1.0 goes to: its signOutUrl, else its first reply URL. */
  private cleanupUrl(realm: string): string | undefined {
    const rp = this.ctx.relyingParty(realm);
    const u = rp?.signOutUrl ?? rp?.replyUrls?.[0];
    return u ? withPassiveQuery(u, { wa: WA.signOutCleanup }) : undefined;
  }

  private isRegisteredReply(url: string): boolean {
    return this.ctx.config.relyingParties.some((rp) => rp.replyUrls?.includes(url) || rp.signOutUrl === url);
  }

  /** wsignout1.0 (F26–F28): end the session first, then one cleanup image per realm of the session. */
  private signOut(req: IdpRequest, p: PassiveParameters): IdpResponse {
    const session = this.session(req);
    const keep = this.ctx.defects.has("session-kept-after-signout");
    if (session && !keep) this.sessions.delete(session.id);
    const realms = session?.realms ?? [];
    const cleanupUrls = this.ctx.defects.has("cleanup-not-propagated")
      ? []
      : realms.map((r) => this.cleanupUrl(r)).filter((u): u is string => u !== undefined);
    const wreply = p.repeated.includes("wreply") ? undefined : p.params.wreply;
    const follow = wreply !== undefined && (this.isRegisteredReply(wreply) || this.ctx.defects.has("signout-wreply-not-checked"));
    this.record({
      wa: WA.signOut,
      ignored: p.unknown,
      outcome: `signed out (${realms.length} realm(s))${wreply === undefined ? "" : follow ? ", wreply followed" : ", wreply refused"}`,
    });
    return html(200, signOutPage({ cleanupUrls, next: follow ? wreply : undefined, refusedReply: wreply !== undefined && !follow }), {
      ...(keep ? {} : { "set-cookie": this.clearCookie(req) }),
    });
  }

  /** wsignoutcleanup1.0 sent to the IdP itself: forget the session, answer an image. wreply is ignored (as AD FS). */
  private cleanup(req: IdpRequest, p: PassiveParameters): IdpResponse {
    const session = this.session(req);
    if (session && !this.ctx.defects.has("session-kept-after-signout")) this.sessions.delete(session.id);
    this.record({ wa: WA.signOutCleanup, ignored: p.unknown, outcome: "cleaned up" });
    return {
      status: 200,
      headers: { "content-type": "image/gif", ...COMMON_HEADERS, "set-cookie": this.clearCookie(req) },
      body: CLEANUP_GIF,
    };
  }
}
