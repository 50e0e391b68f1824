// Where suites get a PassiveBrowser: newBrowser("undici" | "chromium", options). Both drivers keep the semantics
// documented in browser.ts.
import type { BrowserDriverName, BrowserOptions, PassiveBrowser } from "./browser.ts";
import { ChromiumBrowser } from "./chromium-browser.ts";
import { UndiciBrowser } from "./undici-browser.ts";

export type { BrowserDriverName, BrowserOptions, BrowserStep, NavigateOptions, Navigation, PassiveBrowser } from "./browser.ts";
export { CHROMIUM_PATH, closeIdleBrowsers } from "./chromium-browser.ts";

export async function newBrowser(driver: BrowserDriverName, opts: BrowserOptions = {}): Promise<PassiveBrowser> {
  if (driver === "chromium") return ChromiumBrowser.create(opts);
  return new UndiciBrowser(opts);
}
