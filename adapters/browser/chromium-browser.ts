// The real-browser PassiveBrowser: Debian's Chromium (/usr/bin/chromium, never a downloaded build) driven by
// playwright-core. The target's pages and scripts run for real; the driver only watches the network (every
// document, iframe and image request becomes a step), fills a login form when one appears, and waits until the page
// settles: no request in flight for a quiet period, bounded by the timeout. No fixed sleeps.
//
// One browser process is shared by every ChromiumBrowser with the same trusted CAs (reference-counted: the last
// close ends it); each ChromiumBrowser is a fresh incognito context, so cookies never leak between them.
//
// Custom CA: Chromium on Linux takes its trust from an NSS database, which this machine cannot edit (no certutil).
// Instead the process is started with --ignore-certificate-errors-spki-list set to the SHA-256 of each given CA's
// public key: Chromium then accepts a server chain that contains a certificate with one of those keys, and still
// refuses any other untrusted certificate. ignoreHTTPSErrors is not used. The limit: the server must send its
// chain including the CA certificate (or be that certificate itself), since Chromium checks the chain it was sent.
import { createHash, X509Certificate } from "node:crypto";
import { existsSync } from "node:fs";
import type { Browser, BrowserContext, Page, Request, Response } from "playwright-core";
import type { BrowserOptions, BrowserStep, NavigateOptions, Navigation, PassiveBrowser } from "./browser.ts";
import { CookieJar } from "./cookie-jar.ts";

export const CHROMIUM_PATH = "/usr/bin/chromium";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"];
// How long the network must stay silent before a page counts as settled (Playwright's networkidle uses 500 ms;
// pages here are loopback or near, and a self-submitting form issues its request within milliseconds of load).
const QUIET_MS = 300;

interface Shared {
  browser: Promise<Browser>;
  users: number;
  /** Set while nobody uses the process: it lingers for the next case instead of a 1-2 s relaunch. */
  idle?: NodeJS.Timeout;
}
/** How long an unused Chromium process waits for the next user before it is closed. */
const LINGER_MS = 20_000;
const shared = new Map<string, Shared>();

/** SHA-256 of a certificate's SubjectPublicKeyInfo, base64: the form --ignore-certificate-errors-spki-list takes. */
export function spkiHash(pem: string): string {
  const der = new X509Certificate(pem).publicKey.export({ type: "spki", format: "der" });
  return createHash("sha256").update(der).digest("base64");
}

function splitPems(list: string[]): string[] {
  return list.flatMap((p) => p.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? []);
}

async function acquire(ca: string[]): Promise<{ key: string; browser: Browser }> {
  const hashes = [...new Set(splitPems(ca).map(spkiHash))].sort();
  const key = hashes.join(",");
  let entry = shared.get(key);
  if (!entry) {
    if (!existsSync(CHROMIUM_PATH)) throw new Error(`Chromium not found at ${CHROMIUM_PATH} (Debian package chromium)`);
    const args = hashes.length > 0 ? [...ARGS, `--ignore-certificate-errors-spki-list=${key}`] : ARGS;
    // Loaded on first launch: importing playwright-core costs about 0.7 s, which every CLI start and fuzz worker
    // paid although most runs never open Chromium.
    const browser = import("playwright-core").then(({ chromium }) => chromium.launch({ executablePath: CHROMIUM_PATH, args, timeout: 60_000 }));
    entry = { browser, users: 0 };
    shared.set(key, entry);
    const e = entry;
    browser.then(
      (b) => b.on("disconnected", () => shared.get(key) === e && shared.delete(key)),
      () => shared.get(key) === e && shared.delete(key),
    );
  }
  entry.users++;
  if (entry.idle) {
    clearTimeout(entry.idle);
    entry.idle = undefined;
  }
  try {
    return { key, browser: await entry.browser };
  } catch (e) {
    entry.users--;
    throw e;
  }
}

async function shutdown(key: string, entry: Shared): Promise<void> {
  if (shared.get(key) === entry) shared.delete(key);
  if (entry.idle) clearTimeout(entry.idle);
  const b = await entry.browser.catch(() => undefined);
  await b?.close().catch(() => undefined);
}

async function release(key: string): Promise<void> {
  const entry = shared.get(key);
  if (!entry) return;
  if (--entry.users > 0) return;
  // Unref'd: a lingering browser never keeps the process alive.
  entry.idle = setTimeout(() => void shutdown(key, entry), LINGER_MS);
  entry.idle.unref();
}

/** Close every Chromium process nobody is using (suites call it when they are done with a target). */
export async function closeIdleBrowsers(): Promise<void> {
  await Promise.all([...shared.entries()].filter(([, e]) => e.users === 0).map(([k, e]) => shutdown(k, e)));
}

export class ChromiumBrowser implements PassiveBrowser {
  readonly driver = "chromium" as const;
  private jar = new CookieJar();
  private closed = false;

  private constructor(
    private readonly key: string,
    private readonly context: BrowserContext,
    private readonly opts: BrowserOptions,
  ) {}

  static async create(opts: BrowserOptions = {}): Promise<ChromiumBrowser> {
    const { key, browser } = await acquire(opts.ca ?? []);
    try {
      const context = await browser.newContext({ userAgent: undefined, javaScriptEnabled: true, serviceWorkers: "block" });
      return new ChromiumBrowser(key, context, opts);
    } catch (e) {
      await release(key);
      throw e;
    }
  }

  cookies(url: string): { name: string; value: string }[] {
    return this.jar.cookiesFor(url).map((c) => ({ name: c.name, value: c.value }));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.context.close().catch(() => undefined);
    await release(this.key);
  }

  /** A hard bound on top of the settle logic: whatever Playwright does, a navigation ends (the page is left to the
   * context's close). Observed once: a navigation stopped at maxSteps never returned. */
  async navigate(url: string, opts: NavigateOptions = {}): Promise<Navigation> {
    const hardMs = (this.opts.timeoutMs ?? 10_000) + 5_000;
    let timer: NodeJS.Timeout | undefined;
    const overdue = new Promise<Navigation>((resolve) => {
      timer = setTimeout(() => {
        resolve({
          steps: [{ kind: "navigation", method: "GET", url, error: `the browser did not finish the navigation within ${hardMs} ms` }],
          finalUrl: url,
          finalBody: "",
          loginPrompted: false,
          autoPosts: [],
          subresources: [],
        });
      }, hardMs);
    });
    try {
      return await Promise.race([this.navigateOnce(url, opts), overdue]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async navigateOnce(url: string, opts: NavigateOptions): Promise<Navigation> {
    const max = opts.maxSteps ?? this.opts.maxSteps ?? 20;
    const maxBytes = this.opts.maxResponseBytes ?? 4 * 1024 * 1024;
    const timeoutMs = this.opts.timeoutMs ?? 10_000;
    const deadline = Date.now() + timeoutMs;
    const nav: Navigation = { steps: [], finalUrl: url, finalBody: "", loginPrompted: false, autoPosts: [], subresources: [] };
    const page = await this.context.newPage();
    const steps = new Map<Request, { step: BrowserStep; entry?: { url: string; status?: number }; top: boolean }>();
    const startPost = opts.form;
    let hops = 0;
    let stopped = false;
    let loginPending = false;
    let lastTop: { step: BrowserStep; response?: Response } | undefined;
    const sizeChecks: Promise<void>[] = [];
    let inflight = 0;
    let lastEvent = Date.now();
    let wake: (() => void) | undefined;
    const touch = (): void => {
      lastEvent = Date.now();
      wake?.();
    };
    const stop = (): void => {
      if (stopped) return;
      stopped = true;
      // Closing the page cancels whatever the page was doing (a redirect loop, a self-posting form, a download).
      void page.close().catch(() => undefined);
      wake?.();
    };

    page.on("request", (r) => {
      inflight++;
      touch();
      if (stopped) return;
      const u = r.url();
      if (!/^https?:/i.test(u)) return;
      const frame = r.frame();
      const isDoc = r.isNavigationRequest();
      const top = isDoc && frame === page.mainFrame();
      const sub = (isDoc && !top) || r.resourceType() === "image";
      if (!top && !sub) return;
      const method = r.method() === "POST" ? "POST" : "GET";
      let kind: BrowserStep["kind"] = sub ? "subresource" : "navigation";
      const step: BrowserStep = { kind, method, url: u };
      if (top && startPost && !r.redirectedFrom() && hops === 0) {
        // The starting POST (NavigateOptions.form): the request event shows the GET the route turns into a POST.
        kind = step.kind = "form-post";
        step.method = "POST";
        step.form = { ...startPost };
        loginPending = false;
      } else if (top && method === "POST" && !r.redirectedFrom()) {
        kind = step.kind = "form-post";
        const form = decodeForm(r);
        if (form) step.form = form;
        if (loginPending) loginPending = false;
        else nav.autoPosts.push({ action: u, fields: form ?? {} });
      } else if (top && !r.redirectedFrom()) {
        loginPending = false;
      }
      nav.steps.push(step);
      if (top) {
        if (hops >= max) {
          step.error = `more than ${max} steps`;
          stop();
          return;
        }
        hops++;
        steps.set(r, { step, top });
      } else {
        const entry = { url: u };
        nav.subresources.push(entry);
        steps.set(r, { step, entry, top });
      }
    });
    page.on("response", (res) => {
      touch();
      const rec = steps.get(res.request());
      if (!rec || stopped) return;
      rec.step.status = res.status();
      if (rec.entry) rec.entry.status = res.status();
      const location = res.headers()["location"];
      if (location !== undefined && res.status() >= 300 && res.status() < 400) rec.step.location = location;
      if (rec.top) {
        lastTop = { step: rec.step, response: res };
        const declared = Number(res.headers()["content-length"] ?? NaN);
        if (declared > maxBytes) {
          rec.step.error = `response larger than ${maxBytes} bytes`;
          stop();
        }
      }
    });
    const finished = (r: Request, error?: string): void => {
      inflight = Math.max(0, inflight - 1);
      touch();
      const rec = steps.get(r);
      if (!rec || stopped) return;
      if (error !== undefined && rec.step.error === undefined) {
        rec.step.error = error;
        // ERR_ABORTED: the page itself replaced this navigation (a second submit, a script redirect); it goes on.
        if (rec.top && !/ERR_ABORTED/.test(error)) stop();
      }
      if (error === undefined && rec.top && rec.step.location === undefined) {
        // Chunked bodies have no Content-Length: the size is known once the body is in.
        sizeChecks.push(r
          .sizes()
          .then((s) => {
            if (s.responseBodySize > maxBytes && !stopped) {
              rec.step.error = `response larger than ${maxBytes} bytes`;
              stop();
            }
          })
          .catch(() => undefined));
      }
    };
    page.on("requestfinished", (r) => finished(r));
    page.on("requestfailed", (r) => finished(r, r.failure()?.errorText ?? "failed"));
    page.on("dialog", (d) => void d.dismiss().catch(() => undefined));

    // Settled: nothing in flight and no network event for QUIET_MS, or the deadline, or the page stopped.
    const settle = async (): Promise<void> => {
      for (;;) {
        if (stopped || Date.now() >= deadline) return;
        const quietFor = Date.now() - lastEvent;
        if (inflight === 0 && quietFor >= QUIET_MS) {
          const state = await page.evaluate("document.readyState").catch(() => "gone");
          if (state === "complete" || state === "gone") {
            if (Date.now() - lastEvent >= QUIET_MS) return;
            continue;
          }
        }
        const waitMs = Math.max(1, Math.min(deadline - Date.now(), inflight === 0 ? QUIET_MS - quietFor : deadline - Date.now()));
        await new Promise<void>((resolve) => {
          const t = setTimeout(done, waitMs);
          function done(): void {
            clearTimeout(t);
            wake = undefined;
            resolve();
          }
          wake = done;
        });
      }
    };

    try {
      if (startPost) {
        // A navigation cannot start as a POST in Playwright; the first request to the URL is rewritten on its way.
        await page.route(
          (u) => u.href === new URL(url).href,
          (route) =>
            void route
              .continue({
                method: "POST",
                postData: new URLSearchParams(startPost).toString(),
                headers: { ...route.request().headers(), "content-type": "application/x-www-form-urlencoded" },
              })
              .catch(() => undefined),
          { times: 1 },
        );
      }
      await page.goto(url, { waitUntil: "commit", timeout: timeoutMs }).catch((e: Error) => {
        if (nav.steps.length === 0) nav.steps.push({ kind: "navigation", method: "GET", url, error: e.message.split("\n")[0] });
      });
      let loginSubmitted = false;
      for (let round = 0; round < max + 1; round++) {
        await settle();
        if (stopped || Date.now() >= deadline) break;
        const found = await pageCall<boolean>(page, MARK_LOGIN_FORM, this.opts.loginFields?.username ?? null).catch(() => false);
        if (!found) break;
        nav.loginPrompted = true;
        if (!opts.credentials || loginSubmitted) break;
        loginSubmitted = true;
        loginPending = true;
        const filled = await pageCall<boolean>(page, FILL_AND_SUBMIT, opts.credentials).catch(() => false);
        if (!filled) break;
        // The submit happens just after; count it as activity so the next settle waits for its request.
        touch();
      }
      if (!stopped && Date.now() >= deadline && inflight > 0) {
        nav.steps.push({ kind: "navigation", method: "GET", url: page.url(), error: `page did not settle within ${timeoutMs} ms` });
      }
      await Promise.all(sizeChecks);
      if (lastTop) {
        nav.finalUrl = lastTop.step.url;
        nav.finalStatus = lastTop.step.status;
        const res = lastTop.response;
        if (res && lastTop.step.location === undefined && lastTop.step.error === undefined && !stopped) {
          nav.finalBody = await res.text().catch(() => page.content().catch(() => ""));
          if (nav.finalBody.length > maxBytes) nav.finalBody = "";
        }
      }
      await this.snapshotCookies();
    } finally {
      await page.close().catch(() => undefined);
    }
    return nav;
  }

  private async snapshotCookies(): Promise<void> {
    const jar = new CookieJar();
    for (const c of await this.context.cookies().catch(() => [])) {
      jar.put({
        name: c.name,
        value: c.value,
        domain: c.domain.replace(/^\./, ""),
        hostOnly: !c.domain.startsWith("."),
        path: c.path,
        expires: c.expires > 0 ? c.expires * 1000 : undefined,
        secure: c.secure,
        httpOnly: c.httpOnly,
        sameSite: c.sameSite,
      });
    }
    this.jar = jar;
  }
}

function decodeForm(r: Request): Record<string, string> | undefined {
  const ct = r.headers()["content-type"] ?? "";
  const body = r.postData();
  if (body === null || !/application\/x-www-form-urlencoded/i.test(ct)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(body)) if (!(k in out)) out[k] = v;
  return out;
}

// Page scripts are kept as source text: a TypeScript function passed to page.evaluate would be compiled by tsx,
// which may wrap inner functions in helpers (__name) that do not exist in the page.

// Finds the login form (first form with a password input), marks its username, password and submit controls with
// data attributes, and says whether there is one. Same choice of username as html.ts usernameControl.
const MARK_LOGIN_FORM = `(usernameField) => {
  const pw = document.querySelector("form input[type=password]");
  const form = pw && pw.form;
  if (!pw || !form) return false;
  for (const el of Array.from(document.querySelectorAll("[data-wsconform]"))) el.removeAttribute("data-wsconform");
  pw.setAttribute("data-wsconform", "password");
  const inputs = Array.from(form.elements).filter((e) => e instanceof HTMLInputElement);
  const isUser = (i) => (i.type === "text" || i.type === "email") && !i.disabled;
  let user;
  if (usernameField !== null) user = inputs.find((i) => i.name === usernameField);
  else {
    const before = inputs.slice(0, inputs.indexOf(pw)).filter(isUser);
    user = before[before.length - 1] || inputs.find(isUser);
  }
  if (user) user.setAttribute("data-wsconform", "username");
  const submit = Array.from(form.elements).find((e) =>
    (e instanceof HTMLButtonElement || (e instanceof HTMLInputElement && e.type === "submit")) && e.type === "submit" && !e.disabled);
  if (submit) submit.setAttribute("data-wsconform", "submit");
  return true;
}`;

// Sets the marked fields as typing would (value + input/change events) and submits with the marked button (so its
// name/value and the form's submit handlers apply), or requestSubmit() without one. The submit runs after the
// evaluate call returns, so the navigation it starts cannot break the call.
const FILL_AND_SUBMIT = `(creds) => {
  const set = (el, value) => {
    if (!el) return;
    el.focus();
    el.value = value;
    el.dispatchEvent(new Event("input", { bubbles: true }));
    el.dispatchEvent(new Event("change", { bubbles: true }));
  };
  const pw = document.querySelector('[data-wsconform="password"]');
  if (!pw || !pw.form) return false;
  set(document.querySelector('[data-wsconform="username"]'), creds.username);
  set(pw, creds.password);
  const submit = document.querySelector('[data-wsconform="submit"]');
  const form = pw.form;
  // Constraint validation would stop a username that is not an email in a type=email input (as on AD FS's page);
  // the harness submits what it was given, as the undici driver does.
  form.noValidate = true;
  setTimeout(() => (submit ? submit.click() : form.requestSubmit()), 0);
  return true;
}`;

function pageCall<T>(page: Page, source: string, arg: unknown): Promise<T> {
  return page.evaluate(`(${source})(${JSON.stringify(arg)})`) as Promise<T>;
}
