// Issue 7 §4: every signed vector in vectors/ gets the same signature verdict from three independent XML-DSig
// implementations — xml-crypto (the project's dependency), xmlsec1 (C, Debian) and Apache Santuario (Java,
// peers/santuario) — or a recorded, explained disagreement in vectors/crossverify.json.
//
// "Verdict" is only: does this ds:Signature verify with the IdP's pinned certificate (never a key from KeyInfo),
// with same-document references resolved by the ID attribute of the vector's assertion type (ID for SAML 2.0,
// AssertionID for 1.1)? It is not whether a consumer should accept the token (XSW and truncation vectors keep a valid
// signature on purpose; that is the manifest's expectedForCorrectConsumer). A document with several ds:Signature
// elements gets one verdict per signature, in document order ("file.xml#2" is the second).
//
// vectors/crossverify.json holds every verdict: "valid"/"invalid" when the three agree, or
// {xmlcrypto, xmlsec1, santuario, why} when they do not. The test fails on any difference between what the three
// say now and what is recorded — an unrecorded disagreement, a recorded one that no longer occurs, a verdict that
// changed, a vector added or removed. WSCONFORM_UPDATE_CROSSVERIFY=1 rewrites the file from what was observed
// (keeping the recorded explanations; a new disagreement gets why "TODO", which the test refuses).
//
// Needs xmlsec1, java and mvn: fails under CI=true without them, skipped otherwise.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { DOMParser } from "@xmldom/xmldom";
import { SignedXml } from "xml-crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasXmlsec1 } from "../protocol/xmlsec.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const VECTORS = join(ROOT, "vectors");
const SECURITY = join(VECTORS, "security");
const PEER = join(ROOT, "peers/santuario");
const RECORD = join(VECTORS, "crossverify.json");
const DSIG = "http://www.w3.org/2000/09/xmldsig#";
const CERT = join(SECURITY, "keys/idp.cert.pem");

const have = (t: string) => spawnSync("sh", ["-c", `command -v ${t}`]).status === 0;
const missing = [...(hasXmlsec1 ? [] : ["xmlsec1"]), ...["java", "mvn"].filter((t) => !have(t))];
if (missing.length > 0 && process.env.CI === "true") throw new Error(`vectors cross-verification needs ${missing.join(", ")} under CI`);

type Verdict = "valid" | "invalid";
type Said = { verdict: Verdict; detail: string };
const VERIFIERS = ["xmlcrypto", "xmlsec1", "santuario"] as const;
type Verifier = (typeof VERIFIERS)[number];
type Disagreement = Record<Verifier, Verdict> & { why: string };
type Record_ = { description: string; verifiers: Record<Verifier, string>; verdicts: Record<string, Verdict | Disagreement> };

/** The ID attribute of each assertion type, as [attribute, namespace, local name]. */
const ID_ATTR = {
  "2.0": ["ID", "urn:oasis:names:tc:SAML:2.0:assertion", "Assertion"],
  "1.1": ["AssertionID", "urn:oasis:names:tc:SAML:1.0:assertion", "Assertion"],
} as const;
type SamlVersion = keyof typeof ID_ATTR;

/** One signed document: its key in the record (relative to vectors/), its text, the assertion type. */
type Doc = { key: string; xml: string; samlVersion: SamlVersion; signatures: number };

function countSignatures(xml: string): number {
  const doc = new DOMParser({ onError: () => {} }).parseFromString(xml, "text/xml");
  return doc.getElementsByTagNameNS(DSIG, "Signature").length;
}

function collectDocs(): { docs: Doc[]; unsigned: string[] } {
  const docs: Doc[] = [];
  const unsigned: string[] = [];
  const manifest = JSON.parse(readFileSync(join(SECURITY, "manifest.json"), "utf8")) as {
    vectors: { samlVersion?: string; variants: { file: string }[] }[];
  };
  for (const v of manifest.vectors) {
    const samlVersion = (v.samlVersion === "1.1" ? "1.1" : "2.0") as SamlVersion;
    for (const { file } of v.variants) {
      const xml = readFileSync(join(SECURITY, file), "utf8");
      const key = `security/${file}`;
      const n = countSignatures(xml);
      if (n === 0) unsigned.push(key);
      else docs.push({ key, xml, samlVersion, signatures: n });
    }
  }
  // Fuzz regressions are JSON; any string in them that holds a ds:Signature is a signed document too.
  const regressions = join(VECTORS, "regressions");
  for (const f of existsSync(regressions) ? readdirSync(regressions).filter((x) => x.endsWith(".json")).sort() : []) {
    const walk = (v: unknown, path: string): void => {
      if (typeof v === "string") {
        if (v.includes(DSIG) && v.trimStart().startsWith("<")) {
          const n = countSignatures(v);
          const samlVersion: SamlVersion = v.includes(ID_ATTR["2.0"][1]) ? "2.0" : "1.1";
          if (n > 0) docs.push({ key: `regressions/${f}:${path}`, xml: v, samlVersion, signatures: n });
        }
      } else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${path}[${i}]`));
      else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) walk(x, path ? `${path}.${k}` : k);
    };
    walk(JSON.parse(readFileSync(join(regressions, f), "utf8")), "");
  }
  return { docs, unsigned };
}

const sigKey = (d: Doc, i: number) => (d.signatures > 1 ? `${d.key}#${i + 1}` : d.key);
const oneLine = (s: string, max = 300) => s.replace(/\s+/g, " ").trim().slice(0, max);

/** xml-crypto 6.3.2: the i-th ds:Signature, publicCert only (its getCertFromKeyInfo stays the no-op default). */
function xmlCrypto(d: Doc, i: number, certPem: string): Said {
  try {
    const doc = new DOMParser({ onError: () => {} }).parseFromString(d.xml, "text/xml");
    const sig = doc.getElementsByTagNameNS(DSIG, "Signature")[i];
    // xml-crypto matches its ID attributes by local name on any element; "Id", "ID" and "id" are its defaults, so
    // SAML 2.0 needs nothing more (adding "ID" again would make it count each element twice).
    const sx = new SignedXml({ publicCert: certPem, ...(d.samlVersion === "1.1" ? { idAttribute: "AssertionID" } : {}) });
    sx.loadSignature(sig as never);
    if (sx.checkSignature(d.xml)) return { verdict: "valid", detail: "signature and references verify" };
    const errs = sx.getReferences().map((r) => r.validationError?.message).filter(Boolean);
    return { verdict: "invalid", detail: oneLine(errs.join("; ") || "checkSignature returned false") };
  } catch (e) {
    return { verdict: "invalid", detail: oneLine(`error: ${(e as Error).message}`) };
  }
}

/** xmlsec1: the i-th ds:Signature (--node-xpath); KeyInfo limited to KeyName so the pinned key is the only key. */
function xmlsec1(d: Doc, i: number, dir: string, file: string): Said {
  const [attr, ns, local] = ID_ATTR[d.samlVersion];
  const r = spawnSync(
    "xmlsec1",
    [
      "--verify",
      "--pubkey-cert-pem", CERT,
      // Without this xmlsec1 takes the key from a KeyValue in KeyInfo (the attacker-keyvalue vector verifies).
      "--enabled-key-data", "key-name",
      `--id-attr:${attr}`, `${ns}:${local}`,
      "--node-xpath", `(//*[local-name()='Signature' and namespace-uri()='${DSIG}'])[${i + 1}]`,
      join(dir, file),
    ],
    { encoding: "utf8", timeout: 30_000 },
  );
  const out = `${r.stdout ?? ""}${r.stderr ?? ""}`;
  if (r.status === 0) return { verdict: "valid", detail: "OK" };
  const lines = out.split("\n").filter((l) => /error|fail|invalid/i.test(l) && !/^Error: failed to verify file/.test(l));
  return { verdict: "invalid", detail: oneLine(lines.slice(0, 3).join(" | ") || out || `exit ${r.status}`) };
}

/** Santuario (peers/santuario): all documents in one JVM. */
function santuario(docs: Doc[], dir: string, files: Map<string, string>): Map<string, { error: string | null; signatures: Said[] }> {
  const byFile = new Map<string, { error: string | null; signatures: Said[] }>();
  for (const v of Object.keys(ID_ATTR) as SamlVersion[]) {
    const group = docs.filter((d) => d.samlVersion === v);
    if (group.length === 0) continue;
    const [attr, ns, local] = ID_ATTR[v];
    const r = spawnSync(
      join(PEER, "run.sh"),
      ["--cert", CERT, "--id-attr", `${attr} ${ns}:${local}`, ...group.map((d) => join(dir, files.get(d.key)!))],
      { encoding: "utf8", timeout: 300_000, maxBuffer: 64 << 20 },
    );
    if (r.status !== 0) throw new Error(`peers/santuario/run.sh exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
    for (const line of r.stdout.split("\n").filter(Boolean)) {
      const o = JSON.parse(line) as { file: string; error: string | null; signatures: Said[] };
      byFile.set(o.file, { error: o.error, signatures: o.signatures });
    }
  }
  return byFile;
}

describe.skipIf(missing.length > 0)("signed vectors: xml-crypto, xmlsec1 and Santuario agree (or the disagreement is recorded)", () => {
  const { docs, unsigned } = collectDocs();
  const dir = mkdtempSync(join(tmpdir(), "wsconform-crossverify-"));
  const files = new Map(docs.map((d, n) => [d.key, `${String(n).padStart(3, "0")}.xml`]));
  const observed = new Map<string, Record<Verifier, Said>>();
  const timings: Record<string, number> = {};

  beforeAll(() => {
    for (const d of docs) writeFileSync(join(dir, files.get(d.key)!), d.xml);
    let t = performance.now();
    const install = spawnSync(join(PEER, "install.sh"), { encoding: "utf8", timeout: 900_000 });
    expect(install.status, `peers/santuario/install.sh failed:\n${install.stdout}\n${install.stderr}`).toBe(0);
    timings["santuario install.sh"] = performance.now() - t;

    const certPem = readFileSync(CERT, "utf8");
    const results = new Map<string, Partial<Record<Verifier, Said>>>();
    const put = (k: string, who: Verifier, s: Said) => results.set(k, { ...results.get(k), [who]: s });

    t = performance.now();
    for (const d of docs) for (let i = 0; i < d.signatures; i++) put(sigKey(d, i), "xmlcrypto", xmlCrypto(d, i, certPem));
    timings.xmlcrypto = performance.now() - t;

    t = performance.now();
    for (const d of docs) for (let i = 0; i < d.signatures; i++) put(sigKey(d, i), "xmlsec1", xmlsec1(d, i, dir, files.get(d.key)!));
    timings.xmlsec1 = performance.now() - t;

    t = performance.now();
    const sant = santuario(docs, dir, files);
    timings.santuario = performance.now() - t;
    for (const d of docs) {
      const said = sant.get(join(dir, files.get(d.key)!));
      for (let i = 0; i < d.signatures; i++) {
        const s = said?.error ? { verdict: "invalid" as const, detail: said.error } : said?.signatures[i];
        put(sigKey(d, i), "santuario", s ?? { verdict: "invalid", detail: "no answer from the Santuario peer" });
      }
    }
    for (const [k, v] of results) observed.set(k, v as Record<Verifier, Said>);
  }, 900_000);

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    const ms = Object.entries(timings).map(([k, v]) => `${k} ${Math.round(v)} ms`).join(", ");
    console.log(`crossverify: ${docs.length} signed documents, ${observed.size} signatures, ${unsigned.length} unsigned vectors skipped; ${ms}`);
  });

  it("finds the signed vectors", () => {
    expect(docs.length).toBeGreaterThan(0);
    // Each unsigned vector really holds no ds:Signature (its verdict would be vacuous).
    for (const k of unsigned) expect(readFileSync(join(VECTORS, k), "utf8")).not.toContain(`${DSIG}`);
  });

  it("every verdict matches vectors/crossverify.json (agreement, or a recorded and explained disagreement)", () => {
    const now: Record<string, Verdict | Disagreement> = {};
    const recorded = (existsSync(RECORD) ? JSON.parse(readFileSync(RECORD, "utf8")) : { verdicts: {} }) as Record_;
    for (const [k, said] of [...observed].sort(([a], [b]) => a.localeCompare(b))) {
      const v = VERIFIERS.map((w) => said[w].verdict);
      if (v.every((x) => x === v[0])) now[k] = v[0]!;
      else {
        const old = recorded.verdicts[k];
        now[k] = { xmlcrypto: said.xmlcrypto.verdict, xmlsec1: said.xmlsec1.verdict, santuario: said.santuario.verdict, why: typeof old === "object" ? old.why : "TODO" };
      }
    }
    if (process.env.WSCONFORM_UPDATE_CROSSVERIFY === "1") {
      const out: Record_ = {
        description: recorded.description ?? "",
        verifiers: recorded.verifiers ?? { xmlcrypto: "", xmlsec1: "", santuario: "" },
        verdicts: now,
      };
      writeFileSync(RECORD, `${JSON.stringify(out, null, 2)}\n`);
    }
    const problems: string[] = [];
    for (const k of new Set([...Object.keys(now), ...Object.keys(recorded.verdicts)])) {
      const a = now[k];
      const b = recorded.verdicts[k];
      const said = observed.get(k);
      const details = said ? VERIFIERS.map((w) => `  ${w}: ${said[w].verdict} — ${said[w].detail}`).join("\n") : "";
      if (a === undefined) problems.push(`${k}: recorded but no longer a signed vector`);
      else if (b === undefined) problems.push(`${k}: not recorded (observed ${JSON.stringify(a)})\n${details}`);
      else if (typeof a === "string" || typeof b === "string") {
        if (a !== b) problems.push(`${k}: recorded ${JSON.stringify(b)}, observed ${JSON.stringify(typeof a === "string" ? a : { ...a, why: undefined })}\n${details}`);
      } else {
        if (VERIFIERS.some((w) => a[w] !== b[w])) problems.push(`${k}: recorded ${JSON.stringify(b)}, observed ${JSON.stringify({ ...a, why: undefined })}\n${details}`);
        else if (!b.why || b.why === "TODO" || b.why.includes("\n")) problems.push(`${k}: disagreement without a one-line explanation\n${details}`);
      }
    }
    expect(problems, problems.join("\n")).toEqual([]);
  });
});
