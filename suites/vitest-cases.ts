// Registers conformance cases as vitest tests: one test per case, named by its id, carrying its verdict and wire
// exchanges in the test's meta for the reporters. The target comes from WSCONFORM_TARGET_CONFIG (a
// wsconform.config.json path) or is the in-process reference.
import * as allure from "allure-js-commons";
import { afterAll, beforeAll, test } from "vitest";
import { closeIdleBrowsers } from "../adapters/browser/index.ts";
import type { StsTarget } from "../adapters/sts-target.ts";
import { referenceTargetConfig } from "../adapters/target-config.ts";
import { runCase, type CaseDefinition, type CaseResult } from "./case.ts";
import { createTarget, loadTargetConfigFile } from "./target.ts";

declare module "vitest" {
  interface TaskMeta {
    wsconform?: CaseResult;
  }
}

/** Labels, verdict and the wire exchanges of a case in the Allure results (a no-op when Allure is not set up). */
async function describeForAllure(c: CaseDefinition, r: CaseResult): Promise<void> {
  const [area, group] = c.id.split("/");
  await allure.labels(
    { name: "parentSuite", value: area ?? "wsconform" },
    { name: "suite", value: group ?? area ?? "" },
    { name: "verdict", value: r.verdict },
    ...c.requirements.map((id) => ({ name: "tag", value: id })),
  );
  await allure.description(`${c.title}\n\nRequirements: ${c.requirements.join(", ")}\n\nVerdict: **${r.verdict}**${r.message ? ` — ${r.message}` : ""}`);
  for (const [i, e] of r.exchanges.entries()) {
    await allure.attachment(`exchange ${i + 1} request (POST ${e.path})`, e.request, "application/xml");
    await allure.attachment(`exchange ${i + 1} response (${e.status ?? e.error ?? "no answer"})`, e.response ?? e.error ?? "", e.contentType?.includes("xml") ? "application/xml" : "text/plain");
  }
}

export function registerCases(cases: CaseDefinition[]): void {
  let target: StsTarget;
  beforeAll(async () => {
    const path = process.env.WSCONFORM_TARGET_CONFIG;
    if (path) {
      const { config, baseDir } = loadTargetConfigFile(path);
      target = await createTarget(config, { baseDir });
    } else {
      const defects = (process.env.WSCONFORM_DEFECTS ?? "").split(",").filter(Boolean);
      target = await createTarget(referenceTargetConfig(defects), { referenceDataDir: process.env.WSCONFORM_REFERENCE_DATA });
    }
  });
  afterAll(async () => {
    await target?.close();
    await closeIdleBrowsers();
  });
  for (const c of cases) {
    test(`${c.id}: ${c.title} [${c.requirements.join(", ")}]`, async (ctx) => {
      const r = await runCase(c, target, { strict: process.env.WSCONFORM_STRICT === "1" });
      ctx.task.meta.wsconform = r;
      await describeForAllure(c, r);
      if (r.verdict === "SKIP") ctx.skip(r.message);
      if (r.verdict === "FAIL" || r.verdict === "ERROR") {
        throw new Error(`${r.verdict}${r.failedRequirement ? ` (${r.failedRequirement})` : ""}: ${r.message}`);
      }
    });
  }
}
