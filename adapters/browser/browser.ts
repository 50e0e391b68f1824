// The PassiveBrowser contract: what a WS-Federation suite needs from "a browser". Two drivers implement it with the
// same observable behaviour — a fast one on undici (cookie jar, redirects, forms parsed out of the HTML) and a real
// headless Chromium that runs the target's own pages and scripts — so every passive scenario runs under both.

export type BrowserDriverName = "undici" | "chromium";

export interface BrowserStep {
  /** navigation: a top-level load or redirect hop; form-post: a submitted form; subresource: an img/iframe load. */
  kind: "navigation" | "form-post" | "subresource";
  method: "GET" | "POST";
  url: string;
  status?: number;
  /** The Location header of a redirect. */
  location?: string;
  /** Fields of a posted form. */
  form?: Record<string, string>;
  error?: string;
}

export interface Navigation {
  steps: BrowserStep[];
  finalUrl: string;
  finalStatus?: number;
  finalBody: string;
  /** A login form (a form with a password input) was shown; with credentials it was filled and submitted. */
  loginPrompted: boolean;
  /** Forms the pages submitted on their own (a sign-in response: wa, wresult, wctx posted to an RP). */
  autoPosts: { action: string; fields: Record<string, string> }[];
  /** img/iframe loads the pages caused (sign-out cleanup messages). */
  subresources: { url: string; status?: number }[];
}

export interface NavigateOptions {
  /** Fill and submit a login form when one is shown. */
  credentials?: { username: string; password: string };
  /** Bound on navigation hops (redirects, form posts). */
  maxSteps?: number;
}

export interface PassiveBrowser {
  readonly driver: BrowserDriverName;
  navigate(url: string, opts?: NavigateOptions): Promise<Navigation>;
  /** Cookies the browser would send to this URL. */
  cookies(url: string): { name: string; value: string }[];
  close(): Promise<void>;
}
