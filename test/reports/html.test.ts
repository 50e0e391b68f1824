// The one-page HTML summary, checked the way a person sees it: rendered by a real headless Chromium (Debian's
// chromium, driven by playwright-core; never a downloaded browser), failures first, counts and the coverage
// matrix present, hostile text from a target shown as text, and a screenshot taken.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { describe, expect, it } from "vitest";
import { summaryHtml } from "../../reports/html.ts";
import { buildResult } from "../../reports/result.ts";
import type { CaseResult, Verdict } from "../../suites/case.ts";
import { loadCatalogue } from "../../suites/requirements/catalogue.ts";

const CHROMIUM = "/usr/bin/chromium";
// In CI .ci/run installs chromium: a missing browser there is a failure, not a skip.
const canRun = process.env.CI === "true" || existsSync(CHROMIUM);

const c = (id: string, verdict: Verdict, requirements: string[], message?: string): CaseResult => ({
  id,
  title: `title of ${id}`,
  requirements,
  verdict,
  message,
  failedRequirement: verdict === "FAIL" || verdict === "WARN" ? requirements[0] : undefined,
  observations: [],
  exchanges: [{ path: "/sts", request: "<s:Envelope/>", status: 400, response: "<script>alert('x')</script>", ms: 3 }],
  durationMs: 4,
});

describe.runIf(canRun)("HTML summary in headless Chromium", () => {
  it("shows failures first, the counts and the coverage matrix; target text stays text", async () => {
    const result = buildResult({
      cases: [
        c("ws-trust/a/pass", "PASS", ["T29"]),
        c("ws-trust/b/warn", "WARN", ["T08"], "accepted an unknown element"),
        c("ws-trust/c/fail", "FAIL", ["T06"], "RSTR Context is <undefined> & wrong"),
        c("ws-trust/d/error", "ERROR", ["T57"], "timeout"),
        c("ws-trust/e/skip", "SKIP", ["T66"], "no ActAs"),
      ],
      target: { name: "Test <STS>", kind: "http", capabilities: {} },
      version: "0.1.0",
      startedAt: Date.UTC(2026, 10, 21),
      durationMs: 1234,
      command: "npx wsconform run",
      reproduce: (k) => `npx wsconform run --grep '${k.id}:'`,
    });
    const html = summaryHtml(result, loadCatalogue());
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"] });
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      const dialogs: string[] = [];
      page.on("dialog", (d) => {
        dialogs.push(d.message());
        void d.dismiss();
      });
      await page.setContent(html, { waitUntil: "load" });
      expect(await page.title()).toBe("wsconform — Test <STS>");
      const order = await page.$$eval("details.case", (els) => els.map((e) => e.getAttribute("data-verdict")));
      expect(order).toEqual(["ERROR", "FAIL", "WARN"]);
      expect(await page.textContent('[data-count="FAIL"]')).toBe("1");
      expect(await page.textContent('[data-count="PASS"]')).toBe("1");
      const failText = await page.textContent('details.case[data-verdict="FAIL"]');
      expect(failText).toContain("RSTR Context is <undefined> & wrong");
      expect(failText).toContain("npx wsconform run --grep 'ws-trust/c/fail:'");
      const rows = await page.$$eval("#coverage + table tbody tr", (trs) => trs.length);
      expect(rows).toBe(83); // every ws-trust.json requirement, covered or not
      // Verdict counts per suite / attack class (first two id segments).
      const groups = await page.$$eval("#groups + table tbody tr td:first-child", (tds) => tds.map((td) => td.textContent));
      expect(groups.length).toBeGreaterThan(0);
      expect(groups.every((g) => /^[^/]+\/[^/]+$/.test(g ?? ""))).toBe(true);
      expect(await page.$$eval("script", (s) => s.length)).toBe(0);
      expect(dialogs).toEqual([]);
      const dir = join(tmpdir(), "wsconform-html-check");
      mkdirSync(dir, { recursive: true });
      const png = await page.screenshot({ fullPage: false });
      writeFileSync(join(dir, "summary.png"), png);
      expect(png.subarray(1, 4).toString("latin1")).toBe("PNG");
      expect(png.length).toBeGreaterThan(20_000); // a rendered page, not a blank one
    } finally {
      await browser.close();
    }
  }, 60_000);
});
