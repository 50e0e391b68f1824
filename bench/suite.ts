// Benchmark: the whole WS-Trust suite against the in-process reference. Reports (1) the wall time of
// `wsconform run` as a user runs it (vitest start-up, key loading, JSON/JUnit/HTML/Allure results included; the
// optional Allure HTML generation, about 3 s, is left out; target <= 15 s on 2 cores)
// and (2) per-case harness overhead: time in a case minus time spent inside the target's handle().
//   node cli/run-ts.mjs bench/suite.ts
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { FakeClock } from "../protocol/clock.ts";
import { referenceTargetConfig } from "../adapters/target-config.ts";
import { loadOrCreateKeys } from "../reference/keys.ts";
import { loadAllCases } from "../suites/all-cases.ts";
import { runCase } from "../suites/case.ts";
import { createTarget } from "../suites/target.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const report = mkdtempSync(join(tmpdir(), "wsconform-bench-suite-"));
const started = performance.now();
const run = spawnSync(process.execPath, [join(root, "cli/wsconform.mjs"), "run", "--suite", "suites/ws-trust", "--quiet", "--report", report, "--no-allure-report"], {
  cwd: root,
  encoding: "utf8",
  timeout: 300_000,
});
const wall = (performance.now() - started) / 1000;
rmSync(report, { recursive: true, force: true });
const line = /(\d+) cases in ([\d.]+) s/.exec(run.stdout ?? "");
console.log(`wsconform run --suite suites/ws-trust --no-allure-report: ${line?.[1] ?? "?"} cases, ${wall.toFixed(1)} s wall (exit ${run.status}; target <= 15 s)`);

// Harness overhead, measured case by case in this process (keys generated once, warm).
const keys = loadOrCreateKeys(new FakeClock(Date.now()));
const cases = (await loadAllCases()).filter((c) => c.file.startsWith("ws-trust/"));
let total = 0;
let inTarget = 0;
let exchanges = 0;
for (let round = 0; round < 2; round++) {
  total = inTarget = exchanges = 0;
  for (const c of cases) {
    const target = await createTarget(referenceTargetConfig(), { referenceKeys: keys });
    const r = await runCase(c.definition, target);
    total += r.durationMs;
    for (const e of r.exchanges) {
      inTarget += e.ms;
      exchanges++;
    }
  }
}
console.log(
  `direct: ${cases.length} cases in ${(total / 1000).toFixed(2)} s, ${exchanges} exchanges; time in the target ${(inTarget / 1000).toFixed(2)} s; ` +
    `harness overhead ${((total - inTarget) / cases.length).toFixed(2)} ms per case (${(((total - inTarget) / total) * 100).toFixed(0)}% of case time)`,
);
