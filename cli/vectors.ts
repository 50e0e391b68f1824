// `wsconform vectors replay FILE... [--target FILE|URL] [--defect NAME]`: send saved regression vectors again and
// judge them with their oracle. Exit 0 when every vector now passes, 1 when one still shows its violation.
import { parseArgs } from "node:util";
import { openTarget } from "./fuzz.ts";
import { listVectors, readVector, replayVector } from "../suites/fuzz/vectors.ts";

export async function vectorsCommand(args: string[], out: (s: string) => void = (s) => process.stdout.write(s)): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== "replay") throw new Error(`usage: wsconform vectors replay FILE|DIR... [--target FILE|URL] [--defect NAME]`);
  const { values, positionals } = parseArgs({
    args: rest,
    options: { target: { type: "string" }, defect: { type: "string", multiple: true, default: [] }, "max-response-ms": { type: "string", default: "10000" } },
    allowPositionals: true,
    strict: true,
  });
  const files = positionals.flatMap((p) => (p.endsWith(".json") ? [p] : listVectors(p)));
  if (!files.length) throw new Error("no vector file given (a .json file or a directory of them, e.g. vectors/regressions)");
  const { target } = await openTarget(values.target, values.defect);
  let failing = 0;
  try {
    for (const f of files) {
      const v = readVector(f);
      const r = await replayVector(v, target, { maxResponseMs: Number(values["max-response-ms"]) });
      if (r.violations.length) failing++;
      out(`${r.violations.length ? "FAIL" : "PASS"} ${v.id} [${v.requirement}] ${v.oracle}${r.violations.length ? `: ${r.violations[0]!.message}` : ""}\n`);
      for (const o of r.others) out(`     also: ${o.oracle} [${o.requirement}]: ${o.message}\n`);
      if (r.violations.length) {
        const ex = r.exchanges[r.exchanges.length - 1];
        if (ex) out(`     request (${ex.path}):\n${ex.request}\n     response (${ex.status ?? ex.error}):\n${(ex.response ?? "").slice(0, 4000)}\n`);
      }
    }
  } finally {
    await target.close();
  }
  out(`${files.length - failing} of ${files.length} vectors pass against ${target.description.name}\n`);
  return failing ? 1 : 0;
}
