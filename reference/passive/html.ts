// The passive IdP's pages: login, errors, the auto-submitting sign-in response (F18/F19) and the sign-out page
// (F27/F28). Every value from a request or the configuration is HTML-escaped; scripts are fixed text with no data
// in them (they read what they need from the page), so no value can become script.
import { WA } from "../../protocol/wsfed/parameters.ts";

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
  // The HTML input stream turns CR and CRLF into LF before tokenizing; character references survive that.
  "\r": "&#13;",
  "\n": "&#10;",
};

/** Escape text or a quoted attribute value. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"'\r\n]/g, (c) => HTML_ESCAPES[c]!);
}

function page(title: string, body: string, head = ""): string {
  return (
    `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">` +
    `<title>${escapeHtml(title)}</title>${head}</head>\n<body>\n${body}\n</body></html>\n`
  );
}

export interface LoginPageArgs {
  /** Where the form posts (the passive endpoint). */
  action: string;
  /** Server-side id of the pending sign-in request. */
  pending: string;
  relyingParty: string;
  username?: string;
  error?: string;
}

/** A plain login form: UserName, Password, the pending request's id, a submit button. */
export function loginPage(a: LoginPageArgs): string {
  return page(
    "Sign in",
    `<h1>Sign in</h1>\n<p>to continue to ${escapeHtml(a.relyingParty)}</p>\n` +
      (a.error ? `<p class="error" role="alert">${escapeHtml(a.error)}</p>\n` : "") +
      `<form method="post" action="${escapeHtml(a.action)}" autocomplete="off">\n` +
      `<input type="hidden" name="pending" value="${escapeHtml(a.pending)}">\n` +
      `<label>User name <input type="text" name="UserName" value="${escapeHtml(a.username ?? "")}" autocomplete="username" required></label>\n` +
      `<label>Password <input type="password" name="Password" autocomplete="current-password" required></label>\n` +
      `<button type="submit" name="SignIn" value="1">Sign in</button>\n</form>`,
  );
}

export function errorPage(title: string, message: string): string {
  return page(title, `<h1>${escapeHtml(title)}</h1>\n<p>${escapeHtml(message)}</p>`);
}

/** The wsignin1.0 response: a form that posts wa, wresult and wctx (when sent) to the reply URL by itself. */
export function signInResponsePage(a: { replyUrl: string; wresult: string; wctx?: string }): string {
  const field = (name: string, value: string) => `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`;
  return page(
    "Working...",
    `<form method="POST" name="hiddenform" action="${escapeHtml(a.replyUrl)}">\n` +
      field("wa", WA.signIn) +
      "\n" +
      field("wresult", a.wresult) +
      "\n" +
      (a.wctx !== undefined ? `${field("wctx", a.wctx)}\n` : "") +
      `<noscript><p>Script is disabled. Press Submit to continue.</p><input type="submit" value="Submit"></noscript>\n</form>\n` +
      `<script>document.forms[0].submit();</script>`,
  );
}

/**
 * The wsignout1.0 answer: one image per relying party of the session carrying wsignoutcleanup1.0 (they load in
 * parallel), then, when a registered wreply was given, a link and a redirect once the images are done.
 */
export function signOutPage(a: { cleanupUrls: string[]; next?: string; refusedReply?: boolean }): string {
  const imgs = a.cleanupUrls.map((u) => `<img src="${escapeHtml(u)}" alt="" width="16" height="16">`).join("\n");
  const next = a.next
    ? `<p><a id="continue" href="${escapeHtml(a.next)}">Continue</a></p>\n` +
      // Wait for the window's load event, which fires once every image has loaded or failed.
      `<script>window.addEventListener("load", function () { window.location.replace(document.getElementById("continue").href); });</script>`
    : a.refusedReply
      ? "<p>The return address given is not registered, so it is not followed.</p>"
      : "";
  const head = a.next ? `<noscript><meta http-equiv="refresh" content="3;url=${escapeHtml(a.next)}"></noscript>` : "";
  return page("Signed out", `<h1>You are signed out</h1>\n<div class="cleanup">\n${imgs}\n</div>\n${next}`, head);
}

/** A transparent 1x1 GIF: the answer to wsignoutcleanup1.0, embeddable as an image. */
export const CLEANUP_GIF = Buffer.from("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7", "base64");
