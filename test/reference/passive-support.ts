// Test helpers for the passive IdP: a minimal "browser" over ReferenceIdp.handle (one cookie jar, forms read out of
// the HTML) and a reader for the sign-in response (wresult → RSTR → assertion). Deliberately independent of the
// IdP's own code: its own HTML entity decoding and form scraping.
import { NS } from "../../protocol/namespaces.ts";
import { parseTrustMessage } from "../../protocol/trust/parse.ts";
import type { RequestSecurityTokenResponse } from "../../protocol/trust/model.ts";
import { children } from "../../protocol/xml/dom.ts";
import { parseXml } from "../../protocol/xml/safe-parse.ts";
import type { IdpResponse, ReferenceIdp } from "../../reference/passive/idp.ts";

export const ORIGIN = "http://127.0.0.1:8089";

export function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos|#39);/g, (_, e: string) => {
    if (e === "amp") return "&";
    if (e === "lt") return "<";
    if (e === "gt") return ">";
    if (e === "quot") return '"';
    if (e === "apos") return "'";
    if (e.startsWith("#x")) return String.fromCodePoint(parseInt(e.slice(2), 16));
    return String.fromCodePoint(Number(e.slice(1)));
  });
}

function attrOf(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\s${name}="([^"]*)"`, "i").exec(tag);
  return m ? decodeEntities(m[1]!) : undefined;
}

export interface HtmlForm {
  method?: string;
  action?: string;
  /** Every named input (hidden, text, password), decoded. */
  fields: Record<string, string>;
  inputTypes: Record<string, string>;
  hasSubmit: boolean;
}

/** The forms of a page (inputs of type hidden/text/password, and whether a submit control exists). */
export function formsOf(html: string): HtmlForm[] {
  const out: HtmlForm[] = [];
  for (const m of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const f: HtmlForm = { method: attrOf(m[1]!, "method"), action: attrOf(m[1]!, "action"), fields: {}, inputTypes: {}, hasSubmit: false };
    for (const i of m[2]!.matchAll(/<(input|button)\b([^>]*)>/gi)) {
      const type = (attrOf(i[2]!, "type") ?? (i[1]!.toLowerCase() === "button" ? "submit" : "text")).toLowerCase();
      if (type === "submit") f.hasSubmit = true;
      const name = attrOf(i[2]!, "name");
      if (name && type !== "submit") {
        f.fields[name] = attrOf(i[2]!, "value") ?? "";
        f.inputTypes[name] = type;
      }
    }
    out.push(f);
  }
  return out;
}

export function imagesOf(html: string): string[] {
  return [...html.matchAll(/<img\b([^>]*)>/gi)].map((m) => attrOf(m[1]!, "src")!).filter(Boolean);
}

export function setCookies(r: IdpResponse): string[] {
  const v = r.headers["set-cookie"];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** One browser: a cookie jar holding what the IdP sets (the session cookie and the login-binding cookie). */
export class Browser {
  readonly jar = new Map<string, string>();
  constructor(
    readonly idp: ReferenceIdp,
    readonly secure = false,
  ) {}
  /** The session cookie's value. */
  get cookie(): string | undefined {
    return this.jar.get("wsconform_idp");
  }
  set cookie(v: string | undefined) {
    if (v === undefined) this.jar.delete("wsconform_idp");
    else this.jar.set("wsconform_idp", v);
  }
  private header(): string | undefined {
    return this.jar.size ? ["other=1", ...[...this.jar].map(([k, v]) => `${k}=${v}`)].join("; ") : undefined;
  }
  private remember(r: IdpResponse): IdpResponse {
    for (const c of setCookies(r)) {
      const [pair, ...attrs] = c.split(";").map((s) => s.trim());
      const [name, value] = [pair!.slice(0, pair!.indexOf("=")), pair!.slice(pair!.indexOf("=") + 1)];
      const expired = attrs.some((a) => /^max-age=0$/i.test(a));
      if (expired || value === "") this.jar.delete(name);
      else this.jar.set(name, value);
    }
    return r;
  }
  async get(url: string): Promise<IdpResponse> {
    return this.remember(await this.idp.handle({ method: "GET", url, headers: { cookie: this.header() }, secure: this.secure, origin: ORIGIN }));
  }
  async post(url: string, form: Record<string, string>): Promise<IdpResponse> {
    return this.remember(
      await this.idp.handle({
        method: "POST",
        url,
        headers: { cookie: this.header(), "content-type": "application/x-www-form-urlencoded" },
        body: Buffer.from(new URLSearchParams(form).toString()),
        secure: this.secure,
        origin: ORIGIN,
      }),
    );
  }
  /** Submit the login form shown by `page` with these credentials. */
  async login(page: IdpResponse, username: string, password: string): Promise<IdpResponse> {
    const f = formsOf(String(page.body)).find((x) => x.inputTypes.Password === "password");
    if (!f) throw new Error(`no login form in the page: ${String(page.body).slice(0, 300)}`);
    return this.post(f.action!, { ...f.fields, UserName: username, Password: password });
  }
}

export function signInUrl(params: Record<string, string | undefined>): string {
  const sp = new URLSearchParams();
  sp.set("wa", "wsignin1.0");
  for (const [k, v] of Object.entries(params)) if (v !== undefined) sp.append(k, v);
  return `/adfs/ls/?${sp.toString()}`;
}

/** The auto-posted sign-in response of a page, or undefined when the page is not one. */
export function signInResponse(r: IdpResponse): { action: string; fields: Record<string, string>; form: HtmlForm } | undefined {
  const f = formsOf(String(r.body)).find((x) => x.fields.wresult !== undefined);
  return f ? { action: f.action!, fields: f.fields, form: f } : undefined;
}

export interface ReadWresult {
  root: Element;
  rstr: RequestSecurityTokenResponse;
  assertion: Element;
}

/** wresult → the RSTR (bare 2005 RSTR or inside a 1.3 RSTRC) and its assertion element. */
export function readWresult(wresult: string): ReadWresult {
  const root = parseXml(wresult).documentElement!;
  const m = parseTrustMessage(root);
  const rstr = m.kind === "RSTR" ? m.message : m.kind === "RSTRC" ? m.message.responses[0]! : undefined;
  if (!rstr) throw new Error(`wresult holds a ${m.kind}`);
  const assertion = rstr.requestedSecurityToken?.element;
  if (!assertion) throw new Error("no RequestedSecurityToken");
  return { root, rstr, assertion };
}

export function isAssertion(e: Element): boolean {
  return e.localName === "Assertion" && (e.namespaceURI === NS.saml11 || e.namespaceURI === NS.saml2);
}

export { children };
