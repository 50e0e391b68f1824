// The machine-readable requirement catalogue: one JSON file per spec area in this folder, each row one requirement
// in our own words with its level (RFC 2119 keyword, or SCHEMA / DEFAULT / INFO), the digest's confidence tag and how
// a harness tests it from outside. Suites, defects and reports refer to requirements by id.

import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";

export const LEVELS = [
  "MUST",
  "MUST NOT",
  "REQUIRED",
  "SHALL",
  "SHALL NOT",
  "SHOULD",
  "SHOULD NOT",
  "RECOMMENDED",
  "NOT RECOMMENDED",
  "MAY",
  "OPTIONAL",
  "DEFAULT",
  "SCHEMA",
  "INFO",
] as const;

export type Level = (typeof LEVELS)[number];

export type Confidence = "V" | "S" | "M";

export interface Requirement {
  id: string;
  spec: string;
  version?: string;
  section: string;
  level: Level;
  text: string;
  testable: boolean;
  /** Digest confidence: V verified (schema or verbatim quote), S secondary profile / observed, M from recollection. */
  confidence: Confidence;
  /** The digest's original tag when it was compound (e.g. "V(schema)/M"); `confidence` then holds the weakest part. */
  confidenceNote?: string;
  how?: string;
  untestableReason?: string;
  levelNote?: string;
  /** The catalogue file the row came from (set by the loader). */
  file: string;
}

const LEVEL_SET: ReadonlySet<string> = new Set(LEVELS);
const CONFIDENCES: ReadonlySet<string> = new Set(["V", "S", "M"]);
const REQUIRED_STRINGS = ["id", "spec", "section", "level", "text"] as const;
const OPTIONAL_STRINGS = ["version", "how", "untestableReason", "levelNote", "confidenceNote"] as const;
const KNOWN_KEYS: ReadonlySet<string> = new Set([...REQUIRED_STRINGS, ...OPTIONAL_STRINGS, "testable", "confidence"]);

export interface ValidationResult {
  rows: Requirement[];
  problems: string[];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Validates the rows of one catalogue file. `seen` maps ids already loaded (from other files) to their file, so
 * duplicates across files are reported too; it is updated with this file's ids. Returns the valid rows and every
 * problem found, each prefixed with the file and the row id (or index when the id is missing).
 */
export function validateRows(file: string, rows: unknown, seen: Map<string, string> = new Map()): ValidationResult {
  const problems: string[] = [];
  const valid: Requirement[] = [];
  if (!Array.isArray(rows)) {
    return { rows: valid, problems: [`${file}: "requirements" is not an array`] };
  }
  rows.forEach((row: unknown, index) => {
    const label =
      isRecord(row) && typeof row.id === "string" && row.id.trim() !== "" ? `${file} ${row.id}` : `${file} row #${index}`;
    if (!isRecord(row)) {
      problems.push(`${label}: not an object`);
      return;
    }
    const before = problems.length;
    for (const key of REQUIRED_STRINGS) {
      const v = row[key];
      if (typeof v !== "string" || v.trim() === "") problems.push(`${label}: missing or empty "${key}"`);
    }
    for (const key of OPTIONAL_STRINGS) {
      const v = row[key];
      if (v !== undefined && (typeof v !== "string" || v.trim() === "")) {
        problems.push(`${label}: "${key}" must be a non-empty string when present`);
      }
    }
    for (const key of Object.keys(row)) {
      if (!KNOWN_KEYS.has(key)) problems.push(`${label}: unknown field "${key}"`);
    }
    if (typeof row.level === "string" && row.level.trim() !== "" && !LEVEL_SET.has(row.level)) {
      problems.push(`${label}: level "${row.level}" is not one of ${LEVELS.join(", ")}`);
    }
    if (typeof row.confidence !== "string" || !CONFIDENCES.has(row.confidence)) {
      problems.push(`${label}: confidence must be "V", "S" or "M"`);
    }
    if (typeof row.testable !== "boolean") {
      problems.push(`${label}: testable must be a boolean`);
    } else if (row.testable === false && (typeof row.untestableReason !== "string" || row.untestableReason.trim() === "")) {
      problems.push(`${label}: testable is false but untestableReason is missing`);
    } else if (row.testable === true && row.untestableReason !== undefined) {
      problems.push(`${label}: untestableReason given but testable is true`);
    }
    if (typeof row.id === "string" && row.id.trim() !== "") {
      const other = seen.get(row.id);
      if (other !== undefined) {
        problems.push(`${label}: duplicate id (already defined in ${other})`);
      } else {
        seen.set(row.id, file);
      }
    }
    if (problems.length === before) {
      valid.push({ ...(row as unknown as Omit<Requirement, "file">), file });
    }
  });
  return { rows: valid, problems };
}

/** The folder holding the catalogue files. */
export const CATALOGUE_DIR = fileURLToPath(new URL(".", import.meta.url));

/**
 * Reads every *.json file of the catalogue folder (or `dir`), validates all rows and returns them keyed by id, in
 * file-name order then row order. Throws one Error listing every problem with its file and id.
 */
export function loadCatalogue(dir: string = CATALOGUE_DIR): Map<string, Requirement> {
  const problems: string[] = [];
  const seen = new Map<string, string>();
  const catalogue = new Map<string, Requirement>();
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort();
  if (files.length === 0) problems.push(`${dir}: no catalogue files (*.json)`);
  for (const file of files) {
    let doc: unknown;
    try {
      doc = JSON.parse(readFileSync(join(dir, file), "utf8"));
    } catch (e) {
      problems.push(`${file}: cannot read or parse JSON (${e instanceof Error ? e.message : String(e)})`);
      continue;
    }
    if (!isRecord(doc)) {
      problems.push(`${file}: top level is not an object`);
      continue;
    }
    for (const key of ["spec", "title", "source"] as const) {
      const v = doc[key];
      if (typeof v !== "string" || v.trim() === "") problems.push(`${file}: missing or empty top-level "${key}"`);
    }
    const result = validateRows(file, doc.requirements, seen);
    problems.push(...result.problems);
    for (const r of result.rows) catalogue.set(r.id, r);
  }
  if (problems.length > 0) {
    throw new Error(`requirement catalogue has ${problems.length} problem(s):\n  ${problems.join("\n  ")}`);
  }
  return catalogue;
}

/** MUST, MUST NOT, REQUIRED and the SHALL forms: breaking one is a FAIL. */
export function isMandatory(r: Pick<Requirement, "level">): boolean {
  return (
    r.level === "MUST" || r.level === "MUST NOT" || r.level === "REQUIRED" || r.level === "SHALL" || r.level === "SHALL NOT"
  );
}

/** SHOULD, SHOULD NOT, RECOMMENDED, NOT RECOMMENDED: breaking one is a WARN. */
export function isRecommended(r: Pick<Requirement, "level">): boolean {
  return r.level === "SHOULD" || r.level === "SHOULD NOT" || r.level === "RECOMMENDED" || r.level === "NOT RECOMMENDED";
}
