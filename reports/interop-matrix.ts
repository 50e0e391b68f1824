// The interop matrix: which target (the reference, the third-party peers) got which verdicts in which suite, built
// from run results (schema wsconform-result/1, reports/RESULT-SCHEMA.md) as Markdown and JSON. Rows are targets,
// columns suites (ws-trust, ws-security, ws-fed, security, fuzz regressions), cells verdict counts.
//
//   node cli/run-ts.mjs reports/interop-matrix.ts [PATH | LABEL=PATH ...] [--json FILE] [--markdown FILE]
//
// A PATH is a result.json, a report folder holding one (`reports/out/latest`), or a folder of such folders (the
// interop tests write `reports/out/interop/<peer>/result.json`; default `reports/out/interop`). The row label is the
// LABEL given, else the peer folder's name, else "reference" for the in-process reference, else the target's name.
// Prints the Markdown; also writes interop-matrix.md and interop-matrix.json next to the results of a folder PATH
// (or where --markdown/--json say). Exit 2 when no result is found or a file is not a wsconform result.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Verdict } from "../suites/case.ts";
import { emptyCounts, RESULT_SCHEMA, type RunResult } from "./result.ts";

export const MATRIX_SCHEMA = "wsconform-interop-matrix/1";

/** Columns, in order, each with the case-id prefixes it collects. */
export const SUITES: { name: string; prefixes: string[] }[] = [
  { name: "ws-trust", prefixes: ["ws-trust/"] },
  { name: "ws-security", prefixes: ["ws-security/"] },
  { name: "ws-fed", prefixes: ["ws-fed/"] },
  { name: "security", prefixes: ["security/"] },
  { name: "fuzz regressions", prefixes: ["fuzz/"] },
];
const OTHER = "other";

/** Row order: the reference first, then the known peers; any other target after them, by label. */
export const TARGET_ORDER = ["reference", "cxf-sts", "fediz", "wsfed-idp", "simplesamlphp", "passport-wsfed-rp"];

/** Display order of verdicts in a cell. */
export const CELL_ORDER: Verdict[] = ["PASS", "FAIL", "WARN", "SKIP", "INFO", "ERROR"];

export type Counts = Record<Verdict, number>;

export interface MatrixRow {
  /** The row label (peer folder name, "reference", or the given LABEL). */
  target: string;
  /** The target's own description from the result. */
  name: string;
  kind: string;
  startedAt: string;
  /** Per suite name (only suites with at least one case). */
  cells: Record<string, Counts>;
  total: Counts;
}

export interface InteropMatrix {
  schema: typeof MATRIX_SCHEMA;
  generatedAt: string;
  /** Column names, in order (SUITES, plus "other" when some case matched none). */
  suites: string[];
  rows: MatrixRow[];
}

export interface LabelledResult {
  label: string;
  result: RunResult;
}

export function suiteOf(caseId: string): string {
  return SUITES.find((s) => s.prefixes.some((p) => caseId.startsWith(p)))?.name ?? OTHER;
}

function rank(label: string): number {
  const i = TARGET_ORDER.indexOf(label);
  return i < 0 ? TARGET_ORDER.length : i;
}

/** Count verdicts per suite for each result; a later result with the same label is merged into the row. */
export function buildMatrix(results: LabelledResult[], now: Date = new Date()): InteropMatrix {
  const rows = new Map<string, MatrixRow>();
  let other = false;
  for (const { label, result } of results) {
    if (result?.schema !== RESULT_SCHEMA || !Array.isArray(result.cases)) throw new Error(`${label}: not a ${RESULT_SCHEMA} result`);
    const row =
      rows.get(label) ??
      ({ target: label, name: result.target?.name ?? label, kind: result.target?.kind ?? "", startedAt: result.startedAt, cells: {}, total: emptyCounts() } satisfies MatrixRow);
    rows.set(label, row);
    for (const c of result.cases) {
      if (!CELL_ORDER.includes(c.verdict)) throw new Error(`${label}: case ${c.id} has an unknown verdict ${JSON.stringify(c.verdict)}`);
      const s = suiteOf(c.id);
      if (s === OTHER) other = true;
      (row.cells[s] ??= emptyCounts())[c.verdict]++;
      row.total[c.verdict]++;
    }
  }
  const sorted = [...rows.values()].sort((a, b) => rank(a.target) - rank(b.target) || a.target.localeCompare(b.target));
  return { schema: MATRIX_SCHEMA, generatedAt: now.toISOString(), suites: [...SUITES.map((s) => s.name), ...(other ? [OTHER] : [])], rows: sorted };
}

/** "40 PASS · 2 FAIL · 6 SKIP"; "—" for a suite that was not run against the target. */
export function formatCell(c: Counts | undefined): string {
  if (!c) return "—";
  const parts = CELL_ORDER.filter((v) => c[v] > 0).map((v) => `${c[v]} ${v}`);
  return parts.length ? parts.join(" · ") : "—";
}

const escapeCell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

export function matrixMarkdown(m: InteropMatrix): string {
  const lines = [
    `| target | ${m.suites.map(escapeCell).join(" | ")} | total |`,
    `|---|${m.suites.map(() => "---").join("|")}|---|`,
    ...m.rows.map((r) => `| ${escapeCell(r.target)} | ${m.suites.map((s) => escapeCell(formatCell(r.cells[s]))).join(" | ")} | ${escapeCell(formatCell(r.total))} |`),
  ];
  const targets = m.rows.map((r) => `${r.target}: ${r.name} (${r.kind}, run ${r.startedAt})`);
  return `${lines.join("\n")}\n\nCells: cases per verdict (PASS, FAIL = a MUST broken, WARN = a SHOULD broken, SKIP = not declared or not applicable, INFO, ERROR = could not judge); — = suite not run.\n${targets.map((t) => `- ${t}`).join("\n")}\n`;
}

function readResult(file: string): RunResult {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new Error(`${file}: ${(e as Error).message}`);
  }
  const r = json as RunResult;
  if (!r || r.schema !== RESULT_SCHEMA) throw new Error(`${file}: not a ${RESULT_SCHEMA} result (schema ${JSON.stringify(r?.schema)})`);
  return r;
}

function defaultLabel(r: RunResult, fallback: string): string {
  return r.target?.kind === "reference" ? "reference" : fallback;
}

/** The results a PATH names: a result.json, a folder with one, or a folder of such folders (labelled by name). */
export function collectResults(path: string, label?: string): LabelledResult[] {
  if (!existsSync(path)) throw new Error(`${path} does not exist`);
  if (statSync(path).isFile()) {
    const r = readResult(path);
    return [{ label: label ?? defaultLabel(r, r.target?.name ?? basename(dirname(resolve(path)))), result: r }];
  }
  const own = join(path, "result.json");
  if (existsSync(own)) {
    const r = readResult(own);
    return [{ label: label ?? defaultLabel(r, basename(resolve(path))), result: r }];
  }
  const out: LabelledResult[] = [];
  for (const e of readdirSync(path, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const f = join(path, e.name, "result.json");
    if (e.isDirectory() && existsSync(f)) out.push({ label: label ?? e.name, result: readResult(f) });
  }
  return out;
}

export function main(argv: string[]): number {
  const paths: { path: string; label?: string }[] = [];
  let jsonOut: string | undefined;
  let mdOut: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--json" || a === "--markdown") {
      const v = argv[++i];
      if (!v) {
        process.stderr.write(`${a} needs a file name\n`);
        return 2;
      }
      if (a === "--json") jsonOut = v;
      else mdOut = v;
    } else if (a === "-h" || a === "--help") {
      process.stdout.write("usage: node cli/run-ts.mjs reports/interop-matrix.ts [PATH | LABEL=PATH ...] [--json FILE] [--markdown FILE]\n");
      return 0;
    } else {
      const m = /^([A-Za-z0-9_.-]+)=(.+)$/.exec(a);
      paths.push(m && !existsSync(a) ? { label: m[1]!, path: m[2]! } : { path: a });
    }
  }
  if (paths.length === 0) paths.push({ path: "reports/out/interop" });
  let matrix: InteropMatrix;
  try {
    const results = paths.flatMap((p) => collectResults(p.path, p.label));
    if (results.length === 0) throw new Error(`no result.json under ${paths.map((p) => p.path).join(", ")} (run npm run test:interop first)`);
    matrix = buildMatrix(results);
  } catch (e) {
    process.stderr.write(`interop-matrix: ${(e as Error).message}\n`);
    return 2;
  }
  const md = matrixMarkdown(matrix);
  const firstDir = paths.find((p) => existsSync(p.path) && statSync(p.path).isDirectory())?.path;
  mdOut ??= firstDir && join(firstDir, "interop-matrix.md");
  jsonOut ??= firstDir && join(firstDir, "interop-matrix.json");
  if (mdOut) writeFileSync(mdOut, md);
  if (jsonOut) writeFileSync(jsonOut, JSON.stringify(matrix, null, 2) + "\n");
  process.stdout.write(md);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = main(process.argv.slice(2));
}
