// Every conformance case, discovered from the *.cases.ts files under suites/ (each exports arrays of cases), so
// the kill matrix, the benchmarks and the lint see exactly what `wsconform run` runs.
import { readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { CaseDefinition } from "./case.ts";

const HERE = fileURLToPath(new URL(".", import.meta.url));

function caseFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...caseFiles(p));
    else if (e.name.endsWith(".cases.ts")) out.push(p);
  }
  return out.sort();
}

function isCase(x: unknown): x is CaseDefinition {
  return !!x && typeof x === "object" && typeof (x as CaseDefinition).id === "string" && typeof (x as CaseDefinition).run === "function";
}

export interface DiscoveredCase {
  file: string;
  definition: CaseDefinition;
}

export async function loadAllCases(): Promise<DiscoveredCase[]> {
  const out: DiscoveredCase[] = [];
  const seen = new Set<string>();
  for (const f of caseFiles(HERE)) {
    const mod = (await import(pathToFileURL(f).href)) as Record<string, unknown>;
    for (const v of Object.values(mod)) {
      if (!Array.isArray(v)) continue;
      for (const c of v) {
        if (!isCase(c)) continue;
        if (seen.has(c.id)) throw new Error(`case id ${c.id} is defined twice`);
        seen.add(c.id);
        out.push({ file: relative(HERE, f), definition: c });
      }
    }
  }
  return out;
}
