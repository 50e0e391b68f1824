// The fast PassiveBrowser: HTTP with undici, a cookie jar, and the page read by protocol/wsfed/html.ts instead of
// a DOM. Redirects are followed by hand so each hop is a step; login and self-submitting forms are submitted by the
// rules documented in browser.ts. Every request has a timeout and a body size limit; every loop has a bound.
import { Agent, request } from "undici";
import {
  autoSubmittingForms,
  formFields,
  loginForm,
  parseHtml,
  resolveUrl,
  usernameControl,
  type HtmlForm,
  type HtmlPage,
} from "../../protocol/wsfed/html.ts";
import type { BrowserOptions, BrowserStep, NavigateOptions, Navigation, PassiveBrowser } from "./browser.ts";
import { CookieJar } from "./cookie-jar.ts";

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
// Redirects inside one img/iframe load, and iframe nesting: small, as a browser's would be in practice.
const MAX_SUBRESOURCE_REDIRECTS = 5;
const MAX_FRAME_DEPTH = 2;
const MAX_SUBRESOURCES_PER_NAVIGATE = 64;

interface Fetched {
  status: number;
  location?: string;
  contentType: string;
  body: string;
  tooLarge: boolean;
}

interface PendingRequest {
  kind: "navigation" | "form-post";
  method: "GET" | "POST";
  url: URL;
  body?: string;
  form?: Record<string, string>;
  referer?: string;
}

export class UndiciBrowser implements PassiveBrowser {
  readonly driver = "undici" as const;
  readonly jar: CookieJar;
  private readonly dispatcher: Agent;
  private readonly timeoutMs: number;
  private readonly maxBytes: number;

  constructor(private readonly opts: BrowserOptions = {}) {
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.maxBytes = opts.maxResponseBytes ?? 4 * 1024 * 1024;
    this.jar = new CookieJar(opts.clock);
    this.dispatcher = new Agent({
      connect: { ca: opts.ca, timeout: this.timeoutMs },
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
      connections: 16,
    });
  }

  cookies(url: string): { name: string; value: string }[] {
    return this.jar.cookiesFor(url).map((c) => ({ name: c.name, value: c.value }));
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }

  async navigate(url: string, opts: NavigateOptions = {}): Promise<Navigation> {
    const max = opts.maxSteps ?? this.opts.maxSteps ?? 20;
    const nav: Navigation = { steps: [], finalUrl: url, finalBody: "", loginPrompted: false, autoPosts: [], subresources: [] };
    const start = resolveUrl(url, "http://invalid/");
    if (!start || !isHttp(start)) {
      nav.steps.push({ kind: "navigation", method: "GET", url, error: "not an http(s) URL" });
      return nav;
    }
    let next: PendingRequest | undefined = opts.form
      ? { kind: "form-post", method: "POST", url: start, body: new URLSearchParams(opts.form).toString(), form: { ...opts.form } }
      : { kind: "navigation", method: "GET", url: start };
    let hops = 0;
    let loginSubmitted = false;
    const budget = { subresources: MAX_SUBRESOURCES_PER_NAVIGATE };
    while (next) {
      const req: PendingRequest = next;
      next = undefined;
      const step: BrowserStep = { kind: req.kind, method: req.method, url: req.url.href };
      if (req.form) step.form = req.form;
      nav.steps.push(step);
      if (hops >= max) {
        step.error = `more than ${max} steps`;
        break;
      }
      hops++;
      let res: Fetched;
      try {
        res = await this.fetch(req.method, req.url, req.body, req.referer);
      } catch (e) {
        step.error = (e as Error).message;
        break;
      }
      step.status = res.status;
      nav.finalUrl = req.url.href;
      nav.finalStatus = res.status;
      nav.finalBody = "";
      if (REDIRECTS.has(res.status) && res.location !== undefined) {
        step.location = res.location;
        const to = resolveUrl(res.location, req.url.href);
        if (!to || !isHttp(to)) {
          step.error = `redirect to an unusable location`;
          break;
        }
        // 301/302 turn a POST into a GET as browsers do; 307/308 keep method and body.
        const keep = (res.status === 307 || res.status === 308) && req.method === "POST";
        next = { kind: "navigation", method: keep ? "POST" : "GET", url: to, body: keep ? req.body : undefined, referer: req.referer };
        continue;
      }
      if (res.tooLarge) {
        step.error = `response larger than ${this.maxBytes} bytes`;
        break;
      }
      nav.finalBody = res.body;
      if (!isHtml(res.contentType)) break;
      const page = parseHtml(res.body, undefined);
      await this.loadSubresources(page, req.url.href, nav, 0, budget);
      const login = loginForm(page);
      if (login) {
        nav.loginPrompted = true;
        if (!opts.credentials || loginSubmitted) break;
        loginSubmitted = true;
        next = this.submitLogin(page, login, req.url.href, opts.credentials);
        if (!next) step.error = "login form action is not an http(s) URL";
        continue;
      }
      const auto = autoSubmittingForms(page)[0];
      if (auto) {
        next = formRequest(page, auto, req.url.href, formFields(auto));
        if (!next) {
          step.error = "self-submitting form action is not an http(s) URL";
          break;
        }
        if (next.method === "POST") nav.autoPosts.push({ action: next.url.href, fields: next.form ?? {} });
        continue;
      }
      const target =
        page.metaRefresh && page.metaRefresh.delaySeconds === 0 && page.metaRefresh.url !== ""
          ? page.metaRefresh.url
          : page.scriptLocation;
      if (target !== undefined) {
        const to = resolveUrl(target, req.url.href, page.baseHref);
        if (to && isHttp(to)) next = { kind: "navigation", method: "GET", url: to, referer: req.url.href };
      }
    }
    return nav;
  }

  private submitLogin(page: HtmlPage, form: HtmlForm, pageUrl: string, creds: { username: string; password: string }): PendingRequest | undefined {
    const user = usernameControl(form, this.opts.loginFields?.username);
    const password = form.controls.find((c) => c.type === "password");
    const filled = {
      ...form,
      controls: form.controls.map((c) => (c === user ? { ...c, value: creds.username } : c === password ? { ...c, value: creds.password } : c)),
    };
    const submitter = filled.controls.find((c) => c.type === "submit" && !c.disabled);
    return formRequest(page, filled, pageUrl, formFields(filled, submitter));
  }

  /** img/iframe loads of one document, in parallel, with cookies; an iframe document's own img/iframe follow. */
  private async loadSubresources(page: HtmlPage, pageUrl: string, nav: Navigation, depth: number, budget: { subresources: number }): Promise<void> {
    const seen = new Set<string>();
    const loads: Promise<void>[] = [];
    for (const s of page.subresources) {
      const u = resolveUrl(s.src, pageUrl, page.baseHref);
      if (!u || !isHttp(u) || seen.has(u.href) || budget.subresources <= 0) continue;
      seen.add(u.href);
      budget.subresources--;
      loads.push(this.loadOne(u, s.tag, pageUrl, nav, depth, budget));
    }
    await Promise.all(loads);
  }

  private async loadOne(start: URL, tag: "img" | "iframe", referer: string, nav: Navigation, depth: number, budget: { subresources: number }): Promise<void> {
    let url = start;
    for (let hop = 0; hop <= MAX_SUBRESOURCE_REDIRECTS; hop++) {
      const step: BrowserStep = { kind: "subresource", method: "GET", url: url.href };
      nav.steps.push(step);
      const entry: { url: string; status?: number } = { url: url.href };
      nav.subresources.push(entry);
      let res: Fetched;
      try {
        res = await this.fetch("GET", url, undefined, referer);
      } catch (e) {
        step.error = (e as Error).message;
        return;
      }
      step.status = entry.status = res.status;
      if (REDIRECTS.has(res.status) && res.location !== undefined) {
        step.location = res.location;
        const to = resolveUrl(res.location, url.href);
        if (!to || !isHttp(to)) return;
        url = to;
        continue;
      }
      if (res.tooLarge) step.error = `response larger than ${this.maxBytes} bytes`;
      else if (tag === "iframe" && depth < MAX_FRAME_DEPTH && isHtml(res.contentType)) {
        await this.loadSubresources(parseHtml(res.body), url.href, nav, depth + 1, budget);
      }
      return;
    }
    nav.steps.push({ kind: "subresource", method: "GET", url: url.href, error: `more than ${MAX_SUBRESOURCE_REDIRECTS} redirects` });
  }

  private async fetch(method: "GET" | "POST", url: URL, body: string | undefined, referer: string | undefined): Promise<Fetched> {
    const headers: Record<string, string> = {
      "user-agent": "wsconform-browser/undici",
      accept: "text/html,application/xhtml+xml,*/*;q=0.8",
    };
    const cookie = this.jar.cookieHeader(url);
    if (cookie) headers.cookie = cookie;
    if (referer) headers.referer = referer;
    if (method === "POST") {
      headers["content-type"] = "application/x-www-form-urlencoded";
      if (referer) headers.origin = new URL(referer).origin;
    }
    const signal = AbortSignal.timeout(this.timeoutMs);
    let res;
    try {
      res = await request(url, { method, headers, body, dispatcher: this.dispatcher, signal });
    } catch (e) {
      throw new Error(describeError(e, this.timeoutMs));
    }
    const setCookie = res.headers["set-cookie"];
    for (const h of Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : []) this.jar.setCookie(h, url);
    const location = header(res.headers.location);
    const contentType = header(res.headers["content-type"]) ?? "";
    if (REDIRECTS.has(res.statusCode) && location !== undefined) {
      discard(res.body);
      return { status: res.statusCode, location, contentType, body: "", tooLarge: false };
    }
    const declared = Number(header(res.headers["content-length"]) ?? NaN);
    if (declared > this.maxBytes) {
      discard(res.body);
      return { status: res.statusCode, contentType, body: "", tooLarge: true };
    }
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const c of res.body) {
        size += (c as Buffer).length;
        if (size > this.maxBytes) {
          discard(res.body);
          return { status: res.statusCode, contentType, body: "", tooLarge: true };
        }
        chunks.push(c as Buffer);
      }
    } catch (e) {
      throw new Error(describeError(e, this.timeoutMs));
    }
    // Pages are read as UTF-8 (the charset parameter is not honoured: WS-Fed pages are UTF-8 or ASCII).
    return { status: res.statusCode, location, contentType, body: Buffer.concat(chunks, size).toString("utf8"), tooLarge: false };
  }
}

function formRequest(page: HtmlPage, form: HtmlForm, pageUrl: string, fields: [string, string][]): PendingRequest | undefined {
  // An empty action submits to the page itself.
  const action = resolveUrl(form.action, pageUrl, form.action === "" ? undefined : page.baseHref);
  if (!action || !isHttp(action)) return undefined;
  const record: Record<string, string> = {};
  for (const [k, v] of fields) if (!(k in record)) record[k] = v;
  const encoded = new URLSearchParams(fields).toString();
  if (form.method === "GET") {
    action.search = encoded;
    action.hash = "";
    return { kind: "navigation", method: "GET", url: action, referer: pageUrl };
  }
  // Forms are sent urlencoded whatever their enctype (multipart is not used by passive-profile pages).
  return { kind: "form-post", method: "POST", url: action, body: encoded, form: record, referer: pageUrl };
}

// Dropping a body we do not read (a redirect's, an oversized one): destroy it, and swallow the abort error it emits.
function discard(body: { on(event: "error", f: () => void): unknown; destroy(): unknown }): void {
  body.on("error", () => undefined);
  body.destroy();
}

function header(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function isHttp(u: URL): boolean {
  return u.protocol === "http:" || u.protocol === "https:";
}

function isHtml(contentType: string): boolean {
  // No content type: sniff as a browser would treat markup.
  return contentType === "" || /html/i.test(contentType);
}

function describeError(e: unknown, timeoutMs: number): string {
  const err = e as Error & { code?: string; cause?: { code?: string; message?: string } };
  if (err.name === "TimeoutError" || err.name === "AbortError" || /Timeout/i.test(err.code ?? "")) return `no answer within ${timeoutMs} ms`;
  const code = err.code ?? err.cause?.code;
  return `${code ?? err.name}: ${err.message}`;
}
