// Test support for the third-party peers (test/interop/*): start a peer launcher and wait for its `ready URL` line,
// and a scripted browser-like WS-Federation sign-in (undici, manual redirects and cookies, a login form filled in,
// the auto-post form read). No browser engine and nothing from the peers' own code.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { request } from "undici";
import { stopChild } from "../launcher.mjs";

export interface RunningPeer {
  url: string;
  /** Lines the launcher printed on stdout after `ready` (e.g. `description FILE`). */
  info: Record<string, string>;
  child: ChildProcess;
  /** The launcher's stderr so far (for failure messages). */
  stderr(): string;
  stop(): Promise<void>;
  /** Milliseconds from spawn to the ready line. */
  startMs: number;
}

/** Spawns a launcher that prints `ready <url>` when it answers; rejects with its stderr when it exits or times out. */
export function startPeer(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {}): Promise<RunningPeer> {
  const started = Date.now();
  const child = spawn(cmd, args, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stderr!.on("data", (b: Buffer) => {
    err += b.toString();
    if (err.length > 20_000) err = err.slice(-20_000);
  });
  const stop = () => stopChild(child);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`${cmd} ${args.join(" ")}: not ready in ${opts.timeoutMs ?? 60_000} ms\nstdout: ${out}\nstderr: ${err}`));
    }, opts.timeoutMs ?? 60_000);
    const early = (code: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(timer);
      reject(new Error(`${cmd} ${args.join(" ")} exited (${code ?? signal}) before it was ready\nstdout: ${out}\nstderr: ${err}`));
    };
    child.once("exit", early);
    let seen = false;
    child.stdout!.on("data", (b: Buffer) => {
      out += b.toString();
      const m = seen ? null : /^ready (\S+)\s*$/m.exec(out);
      if (!m) return;
      seen = true;
      // Give the lines printed right after `ready` a moment to arrive.
      setTimeout(() => {
        clearTimeout(timer);
        child.off("exit", early);
        const info: Record<string, string> = {};
        for (const line of out.split("\n")) {
          const kv = /^(\w+) (.+)$/.exec(line.trim());
          if (kv && kv[1] !== "ready") info[kv[1]!] = kv[2]!;
        }
        resolve({ url: m[1]!, info, child, stderr: () => err, stop, startMs: Date.now() - started });
      }, 50);
    });
  });
}

/** Whether a command exists on PATH (for skip-or-fail decisions). */
export function hasCommand(cmd: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" }).status === 0;
}

// ---- a browser-like client ------------------------------------------------------------------------------------

export interface Exchange {
  method: string;
  url: string;
  requestBody?: string;
  status: number;
  location?: string;
  body: string;
}

export class CookieJar {
  private readonly cookies = new Map<string, { value: string; host: string; path: string }>();

  store(url: string, setCookie: string | string[] | undefined): void {
    if (!setCookie) return;
    const u = new URL(url);
    for (const line of Array.isArray(setCookie) ? setCookie : [setCookie]) {
      const [pair, ...attrs] = line.split(";");
      const eq = pair!.indexOf("=");
      if (eq <= 0) continue;
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      let path = "/";
      let expired = false;
      for (const a of attrs) {
        const [k, v] = a.split("=").map((s) => s.trim());
        if (k!.toLowerCase() === "path" && v) path = v;
        if (k!.toLowerCase() === "max-age" && Number(v) <= 0) expired = true;
        if (k!.toLowerCase() === "expires" && v && Date.parse(v) < Date.now()) expired = true;
      }
      const key = `${u.host} ${path} ${name}`;
      if (expired) this.cookies.delete(key);
      else this.cookies.set(key, { value, host: u.host, path });
    }
  }

  header(url: string): string | undefined {
    const u = new URL(url);
    const out: string[] = [];
    for (const [key, c] of this.cookies) {
      if (c.host === u.host && u.pathname.startsWith(c.path)) out.push(`${key.split(" ")[2]}=${c.value}`);
    }
    return out.length ? out.join("; ") : undefined;
  }
}

export interface HtmlForm {
  action: string;
  method: string;
  fields: Record<string, string>;
  /** Names of inputs of type password. */
  passwordFields: string[];
  /** Names of visible text-like inputs. */
  textFields: string[];
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0" };
export function decodeHtml(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (m, e: string) => {
    if (e[0] === "#") return String.fromCodePoint(e[1] === "x" || e[1] === "X" ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    return ENTITIES[e.toLowerCase()] ?? m;
  });
}

function attrsOf(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/([a-zA-Z_:][-a-zA-Z0-9_:.]*)\s*(?:=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?/g)) {
    out[m[1]!.toLowerCase()] = decodeHtml(m[2] ?? m[3] ?? m[4] ?? "");
  }
  return out;
}

/** The forms of an HTML page (enough of HTML for login pages and auto-post forms). */
export function parseForms(html: string, pageUrl: string): HtmlForm[] {
  const forms: HtmlForm[] = [];
  for (const m of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const fa = attrsOf(m[1]!);
    const form: HtmlForm = { action: new URL(fa.action || pageUrl, pageUrl).toString(), method: (fa.method || "get").toUpperCase(), fields: {}, passwordFields: [], textFields: [] };
    for (const i of m[2]!.matchAll(/<(input|textarea|button)\b([^>]*)>/gi)) {
      const a = attrsOf(i[2]!);
      if (!a.name) continue;
      const type = (a.type || (i[1]!.toLowerCase() === "input" ? "text" : "")).toLowerCase();
      if (i[1]!.toLowerCase() === "button" || type === "submit" || type === "button") continue;
      if (type === "checkbox" && !("checked" in a)) continue;
      form.fields[a.name] = a.value ?? "";
      if (type === "password") form.passwordFields.push(a.name);
      else if (type === "text" || type === "email") form.textFields.push(a.name);
    }
    forms.push(form);
  }
  return forms;
}

export class BrowserLike {
  readonly jar = new CookieJar();
  readonly exchanges: Exchange[] = [];

  async send(method: "GET" | "POST", url: string, form?: Record<string, string>): Promise<Exchange> {
    const body = form ? new URLSearchParams(form).toString() : undefined;
    const headers: Record<string, string> = { "user-agent": "wsconform-interop/1 (browser-like)", accept: "text/html,*/*" };
    const cookie = this.jar.header(url);
    if (cookie) headers.cookie = cookie;
    if (body !== undefined) headers["content-type"] = "application/x-www-form-urlencoded";
    const res = await request(url, { method, headers, body, headersTimeout: 15_000, bodyTimeout: 15_000 });
    this.jar.store(url, res.headers["set-cookie"]);
    const text = await res.body.text();
    const loc = res.headers.location;
    const x: Exchange = { method, url, requestBody: body, status: res.statusCode, location: typeof loc === "string" ? new URL(loc, url).toString() : undefined, body: text };
    this.exchanges.push(x);
    return x;
  }

  /** GET (or POST) and follow redirects (303/302/301 turn into GET), at most `max` hops. */
  async follow(method: "GET" | "POST", url: string, form?: Record<string, string>, max = 15): Promise<Exchange> {
    let x = await this.send(method, url, form);
    for (let i = 0; x.location && x.status >= 300 && x.status < 400; i++) {
      if (i >= max) throw new Error(`more than ${max} redirects from ${url}`);
      x = await this.send("GET", x.location);
    }
    return x;
  }
}

export interface SignInResult {
  /** The auto-post form that carries the result. */
  form: HtmlForm;
  wresult: string;
  wctx: string | undefined;
  wa: string | undefined;
  browser: BrowserLike;
}

/**
 * A WS-Fed sign-in as a browser would do it: GET the sign-in URL, follow redirects to a login form, fill in the
 * user name and password (other fields as the page set them), submit, follow redirects until a page with a form
 * carrying `wresult`. Does not post that form (the caller decides where it goes).
 */
export async function wsfedSignIn(opts: {
  signInUrl: string;
  wtrealm: string;
  wctx?: string;
  wreply?: string;
  username: string;
  password: string;
  usernameField?: string;
  passwordField?: string;
  browser?: BrowserLike;
}): Promise<SignInResult> {
  const browser = opts.browser ?? new BrowserLike();
  const u = new URL(opts.signInUrl);
  u.searchParams.set("wa", "wsignin1.0");
  u.searchParams.set("wtrealm", opts.wtrealm);
  if (opts.wctx !== undefined) u.searchParams.set("wctx", opts.wctx);
  if (opts.wreply !== undefined) u.searchParams.set("wreply", opts.wreply);
  let page = await browser.follow("GET", u.toString());
  for (let step = 0; step < 5; step++) {
    if (page.status !== 200) throw new Error(`${page.method} ${page.url} answered ${page.status}: ${page.body.slice(0, 800)}`);
    const forms = parseForms(page.body, page.url);
    const result = forms.find((f) => "wresult" in f.fields);
    if (result) return { form: result, wresult: result.fields.wresult!, wctx: result.fields.wctx, wa: result.fields.wa, browser };
    const login = forms.find((f) => f.passwordFields.length > 0);
    if (!login) throw new Error(`${page.url}: neither a login form nor a wresult form:\n${page.body.slice(0, 1500)}`);
    const fields = { ...login.fields };
    fields[opts.usernameField ?? login.textFields[0] ?? "username"] = opts.username;
    fields[opts.passwordField ?? login.passwordFields[0]!] = opts.password;
    page = await browser.follow(login.method === "POST" ? "POST" : "GET", login.action, fields);
  }
  throw new Error("no wresult form after 5 pages");
}

// ---- toolchains and the reference STS --------------------------------------------------------------------------

export interface PeerInstall {
  ok: boolean;
  /** Why not, when !ok. */
  why?: string;
  /** What install.sh printed last (the versions it resolved). */
  versions?: string;
  ms: number;
}

/**
 * Runs a peer's install.sh (idempotent; quick when already installed) once the commands it needs exist. A missing
 * command or a failed install is reported, not thrown: the caller fails under CI=true and skips otherwise.
 */
export function installPeer(installScript: string, needs: string[], timeoutMs = 600_000): PeerInstall {
  const started = Date.now();
  const missing = needs.filter((c) => !hasCommand(c));
  if (missing.length) return { ok: false, why: `missing on this machine: ${missing.join(", ")}`, ms: 0 };
  const r = spawnSync("bash", [installScript], { encoding: "utf8", timeout: timeoutMs });
  if (r.status !== 0) return { ok: false, why: `${installScript} failed (${r.status ?? r.signal}): ${(r.stderr || r.stdout || "").slice(-2000)}`, ms: Date.now() - started };
  return { ok: true, versions: r.stdout.trim(), ms: Date.now() - started };
}

/** True when tests must fail rather than skip for a missing toolchain. */
export const IN_CI = process.env.CI === "true";

export interface ReferenceServe {
  /** e.g. https://127.0.0.1:40123 */
  url: string;
  /** PEM of the reference's TLS certificate (its own CA), when --tls. */
  tlsCertFile?: string;
  /** PEM of the active signing certificate. */
  signingCertFile: string;
  stop(): Promise<void>;
  startMs: number;
}

/** `wsconform serve` as a subprocess on a free loopback port, its keys in dataDir. */
export async function startReferenceServe(repoRoot: string, dataDir: string, opts: { tls?: boolean; defects?: string[] } = {}): Promise<ReferenceServe> {
  const started = Date.now();
  const args = ["cli/wsconform.mjs", "serve", "--port", "0", "--data", dataDir, ...(opts.tls ? ["--tls"] : []), ...(opts.defects ?? []).flatMap((d) => ["--defect", d])];
  const child = spawn(process.execPath, args, { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stderr!.on("data", (b: Buffer) => (err += b.toString()));
  const stop = () => stopChild(child);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`wsconform serve: not ready in 60 s\nstdout: ${out}\nstderr: ${err}`));
    }, 60_000);
    const early = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`wsconform serve exited (${code})\nstdout: ${out}\nstderr: ${err}`));
    };
    child.once("exit", early);
    let seen = false;
    child.stdout!.on("data", (b: Buffer) => {
      out += b.toString();
      if (seen || !/^Ready\./m.test(out)) return;
      seen = true;
      clearTimeout(timer);
      child.off("exit", early);
      const m = /(https?:\/\/[^\s/]+)\/adfs\/services\/trust\//.exec(out);
      if (!m) reject(new Error(`wsconform serve: no endpoint in its listing:\n${out}`));
      else resolve(m[1]!);
    });
  });
  const active = /Active signing key: (\w+)/.exec(out)?.[1] ?? "primary";
  return {
    url,
    tlsCertFile: opts.tls ? `${dataDir}/tls.cert.pem` : undefined,
    signingCertFile: `${dataDir}/signing-${active}.cert.pem`,
    stop,
    startMs: Date.now() - started,
  };
}
