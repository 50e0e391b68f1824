// The PassiveBrowser contract: what a WS-Federation suite needs from "a browser". Two drivers implement it with the
// same observable behaviour — a fast one on undici (cookie jar, redirects, forms parsed out of the HTML) and a real
// headless Chromium that runs the target's own pages and scripts — so every passive scenario runs under both.
//
// Semantics both drivers keep (the shared scenario test, test/adapters/browser-scenarios.test.ts, holds them to it):
// - steps: one per HTTP request of a top-level navigation (every redirect hop), of an iframe document, or of an
//   image, in the order the requests were made. Scripts, styles and fetch/XHR calls are not recorded. A step of
//   kind "form-post" is a POST of a form (a redirect hop after it is a "navigation"); a GET form submission is a
//   "navigation" whose URL carries the fields.
// - The navigate bound (maxSteps) counts top-level requests (navigations and form posts, redirect hops included):
//   the request that would exceed it is not made (undici) or is cut off (Chromium) and appears as a last step with
//   error "more than N steps". Other failures (connection, timeout, size) end the navigation with an error step.
// - finalUrl/finalStatus: the last top-level request that got a response; finalBody: its body as received, ""
//   when it was a redirect, failed, or exceeded maxResponseBytes (then its step has error "response larger than
//   N bytes").
// - autoPosts: POSTed forms the pages submitted on their own (not the login form the driver filled). The undici
//   driver cannot run scripts, so it uses a rule (protocol/wsfed/html.ts autoSubmittingForms): an inline script or
//   <body onload> calls submit() on the form, or the form holds hidden inputs and only <noscript> submit buttons.
//   Chromium runs the page, so a noscript-only form without a script is not submitted there.
// - Redirects by page, simple forms only in undici: <meta http-equiv=refresh> with delay 0, and an inline script's
//   location assignment / location.replace|assign with a string literal. Chromium acts on whatever the page does
//   before it settles (no new request for a quiet period, bounded by the timeout).
// - subresources: one entry per img/iframe request (redirect hops included), http(s) only; an iframe's document
//   loads its own img/iframe (undici: two levels deep), but forms inside iframes are not submitted by undici.
// - Login: the first form with a password input; the username goes to the input named by loginFields.username, or
//   else the text/email input nearest before the password. The driver submits it once per navigate (with the
//   form's first submit button, named or not); a login form shown again ends the navigation. HTML constraint
//   validation is skipped in both (a username need not fit an input of type email).
// - Time: undici bounds each request by timeoutMs; Chromium bounds the whole navigate by it (a page still loading
//   then gets a last error step "page did not settle within N ms").
// - SameSite is not enforced by the undici jar (Chromium enforces it): cleanup images to RPs on another site whose
//   cookies are SameSite=Lax (or unmarked, which Chromium treats as Lax) carry the cookie only under undici.
// - cookies(url): the undici jar; for Chromium, a snapshot of the context's cookies taken when navigate returns.

import type { Clock } from "../../protocol/clock.ts";

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
  /**
   * Start with a POST of these fields (application/x-www-form-urlencoded) instead of a GET, as if a page had
   * submitted a form to `url` (e.g. a crafted wresult posted to a relying party). Recorded as a "form-post" step;
   * not an autoPost.
   */
  form?: Record<string, string>;
}

export interface BrowserOptions {
  /** PEM CA certificates trusted for HTTPS (in addition to nothing else for Chromium: see chromium-browser.ts). */
  ca?: string[];
  /** Per request (undici) / per navigate settle (Chromium). Default 10 000 ms. */
  timeoutMs?: number;
  /** Largest response body read. Default 4 MiB. */
  maxResponseBytes?: number;
  /** Default for NavigateOptions.maxSteps. Default 20. */
  maxSteps?: number;
  /** Names of the login form's fields when the heuristics do not fit. */
  loginFields?: { username?: string };
  /** Clock for cookie expiry (undici driver). */
  clock?: Clock;
}

export interface PassiveBrowser {
  readonly driver: BrowserDriverName;
  navigate(url: string, opts?: NavigateOptions): Promise<Navigation>;
  /** Cookies the browser would send to this URL. */
  cookies(url: string): { name: string; value: string }[];
  close(): Promise<void>;
}
