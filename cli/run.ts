// `wsconform run`: point it at a target, get a verdict per case and per requirement, reports on disk, and an exit
// code a CI gate can trust (0 ok, 1 conformance failures, 2 harness or configuration error). Modelled on h2spec
// and Autobahn|Testsuite.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { startVitest } from "vitest/node";
import AllureReporter from "allure-vitest/reporter";
import { referenceTargetConfig, urlTargetConfig } from "../adapters/target-config.ts";
import { compare, expectationsFrom, parseExpectations, type ExpectationFile } from "../reports/expectations.ts";
import { junitXml } from "../reports/junit.ts";
import { summaryHtml } from "../reports/html.ts";
import { loadCatalogue } from "../suites/requirements/catalogue.ts";
import { buildResult } from "../reports/result.ts";
import { summaryText } from "../reports/summary.ts";
import { ConformanceReporter } from "../reports/vitest-reporter.ts";
import { loadTargetConfigFile } from "../suites/target.ts";

const ROOT = resolve(fileURLToPath(import.meta.url), "../..");

function harnessVersion(): string {
  return (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;
}


export async function runCommand(args: string[], out: (s: string) => void = (s) => process.stdout.write(s)): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      target: { type: "string" },
      suite: { type: "string", multiple: true, default: [] },
      grep: { type: "string" },
      report: { type: "string", default: "reports/out/latest" },
      expect: { type: "string" },
      "update-expectations": { type: "boolean", default: false },
      defect: { type: "string", multiple: true, default: [] },
      quiet: { type: "boolean", default: false },
      strict: { type: "boolean", default: false },
      "no-allure-report": { type: "boolean", default: false },
    },
    strict: true,
  });
  // Resolve the target description up front so a bad config is a clean exit 2 before anything runs.
  let describeTarget: { name: string; kind: string; url?: string; capabilities: unknown };
  const env: Record<string, string> = {};
  if (values.target && /^https?:\/\//.test(values.target)) {
    const cfg = urlTargetConfig(values.target);
    const path = join(tmpdir(), `wsconform-target-${process.pid}.json`);
    writeFileSync(path, JSON.stringify(cfg));
    env.WSCONFORM_TARGET_CONFIG = path;
    describeTarget = { name: values.target, kind: "http", url: values.target, capabilities: cfg.capabilities };
  } else if (values.target) {
    const { config } = loadTargetConfigFile(values.target);
    env.WSCONFORM_TARGET_CONFIG = resolve(values.target);
    const t = config.target;
    const name = t.kind === "http" ? (t.name ?? t.baseUrl) : t.kind === "container" ? (t.name ?? `container ${t.image}`) : (t.name ?? "wsconform reference STS (in-process)");
    describeTarget = { name, kind: t.kind, url: t.kind === "http" ? t.baseUrl : undefined, capabilities: config.capabilities };
  } else {
    if (values.defect.length) env.WSCONFORM_DEFECTS = values.defect.join(",");
    // The in-process reference keeps its keys where `wsconform serve` does: generated once, loaded by every worker.
    env.WSCONFORM_REFERENCE_DATA = resolve(".wsconform/reference");
    describeTarget = {
      name: `wsconform reference STS (in-process)${values.defect.length ? ` with defects ${values.defect.join(", ")}` : ""}`,
      kind: "reference",
      capabilities: referenceTargetConfig().capabilities,
    };
  }
  if (values.strict) env.WSCONFORM_STRICT = "1";
  let expectations: ExpectationFile | undefined;
  if (values.expect && !values["update-expectations"]) {
    expectations = parseExpectations(JSON.parse(readFileSync(values.expect, "utf8")));
  }

  const reporter = new ConformanceReporter(values.quiet ? () => {} : (l) => out(`${l}\n`));
  const dir = resolve(values.report);
  const allureResults = join(dir, "allure-results");
  rmSync(allureResults, { recursive: true, force: true });
  const started = Date.now();
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    const vitest = await startVitest("test", values.suite, {
      config: join(ROOT, "vitest.suites.config.ts"),
      root: ROOT,
      watch: false,
      reporters: [reporter, new AllureReporter({ resultsDir: allureResults })],
      testNamePattern: values.grep,
      passWithNoTests: true,
    });
    await vitest.close();
  } finally {
    process.env = saved;
  }
  if (reporter.harnessErrors.length) {
    out(`harness errors:\n  ${reporter.harnessErrors.join("\n  ")}\n`);
    return 2;
  }
  if (reporter.results.length === 0) {
    out("no case was selected (check --suite and --grep)\n");
    return 1;
  }
  const targetArg = (values.target ? ` --target ${values.target}` : values.defect.map((d) => ` --defect ${d}`).join("")) + (values.strict ? " --strict" : "");
  const result = buildResult({
    cases: reporter.results,
    target: describeTarget,
    version: harnessVersion(),
    startedAt: started,
    durationMs: Date.now() - started,
    command: `npx wsconform run${targetArg}${values.suite.map((s) => ` --suite ${s}`).join("")}${values.grep ? ` --grep '${values.grep}'` : ""}`,
    reproduce: (c) => `npx wsconform run${targetArg} --grep '${c.id.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:'`,
  });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "result.json"), `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(join(dir, "junit.xml"), junitXml(result));
  writeFileSync(join(dir, "summary.html"), summaryHtml(result, loadCatalogue()));
  const cmp = compare(result, expectations);
  const summary = summaryText(result, values.expect ? cmp : undefined);
  writeFileSync(join(dir, "summary.txt"), summary);
  if (!values["no-allure-report"]) {
    const gen = spawnSync(process.execPath, [join(ROOT, "node_modules/allure/cli.js"), "generate", allureResults, "--output", join(dir, "allure-report"), "--name", `wsconform — ${describeTarget.name}`], {
      cwd: dir,
      encoding: "utf8",
      timeout: 120_000,
    });
    out(gen.status === 0 ? `Allure report: ${join(dir, "allure-report", "index.html")}\n` : `Allure report generation failed (exit ${gen.status}): ${(gen.stderr ?? "").slice(0, 500)}\n`);
  }
  out(`\n${summary}reports: ${dir}\n`);
  if (values["update-expectations"]) {
    const file = values.expect ?? join(dir, "expectations.json");
    writeFileSync(file, `${JSON.stringify(expectationsFrom(result), null, 2)}\n`);
    out(`expectations written to ${file}\n`);
    return 0;
  }
  return cmp.unexpectedFailures.length ? 1 : 0;
}
