import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  LEVELS,
  isMandatory,
  isRecommended,
  loadCatalogue,
  validateRows,
  type Requirement,
} from "../../suites/requirements/catalogue.ts";
import { DEFECTS } from "../../reference/defects.ts";

const catalogue = loadCatalogue();
const all = [...catalogue.values()];
const byFile = (file: string): Requirement[] => all.filter((r) => r.file === file);

const goodRow = {
  id: "X01",
  spec: "Test",
  section: "1",
  level: "MUST",
  text: "A sample rule.",
  testable: true,
  confidence: "V",
  how: "Send something.",
};

describe("requirement catalogue", () => {
  it("loads the five catalogue files", () => {
    expect(new Set(all.map((r) => r.file))).toEqual(
      new Set(["ws-trust.json", "ws-security.json", "saml.json", "ws-federation.json", "soap.json"]),
    );
  });

  it("has exactly T01..T83 in ws-trust.json", () => {
    const ids = byFile("ws-trust.json").map((r) => r.id);
    const expected = Array.from({ length: 83 }, (_, i) => `T${String(i + 1).padStart(2, "0")}`);
    expect(ids).toEqual(expected);
  });

  it("has the expected number of rows per file", () => {
    expect(byFile("ws-trust.json")).toHaveLength(83);
    expect(byFile("ws-security.json")).toHaveLength(48);
    expect(byFile("saml.json")).toHaveLength(33);
    expect(byFile("ws-federation.json")).toHaveLength(54);
    expect(byFile("soap.json").map((r) => r.id)).toEqual(["SOAP-NO-DTD", "ROBUST-LIMITS"]);
  });

  it("uses the agreed id prefixes", () => {
    for (const r of byFile("ws-security.json")) expect(r.id).toMatch(/^(WSS-|UT-NONCE-REPLAY$)/);
    for (const r of byFile("saml.json")) expect(r.id).toMatch(/^SAML-/);
    const fed = byFile("ws-federation.json").map((r) => r.id);
    expect(fed).toEqual(fed.map((_, i) => `F${String(i + 1).padStart(2, "0")}`));
  });

  it("contains the ids other parts of the project already use", () => {
    for (const id of ["WSS-TS-EXPIRED", "UT-NONCE-REPLAY", "SAML-SIGNED", "SAML-SIG-ALG", "SAML-AUDIENCE"]) {
      expect(catalogue.has(id), id).toBe(true);
    }
    expect(catalogue.get("WSS-TS-EXPIRED")?.file).toBe("ws-security.json");
    expect(catalogue.get("UT-NONCE-REPLAY")?.file).toBe("ws-security.json");
    expect(catalogue.get("SAML-AUDIENCE")?.file).toBe("saml.json");
  });

  it("knows every requirement id the reference defects claim to break", () => {
    for (const [name, info] of Object.entries(DEFECTS)) {
      for (const id of info.breaks) expect(catalogue.has(id), `${name} → ${id}`).toBe(true);
    }
  });

  it("gives every [M]-confidence mandatory row a way to test it", () => {
    const missing = all.filter((r) => r.confidence === "M" && isMandatory(r) && !r.how?.trim()).map((r) => r.id);
    expect(missing).toEqual([]);
  });

  it("marks the client-side and inspection-only WS-Trust rows untestable, with a reason", () => {
    for (const id of ["T15", "T30", "T42"]) {
      const r = catalogue.get(id);
      expect(r?.testable, id).toBe(false);
      expect(r?.untestableReason, id).toBeTruthy();
    }
    for (const r of all) expect(r.testable === false).toBe(r.untestableReason !== undefined);
  });

  it("only uses known levels and classifies them", () => {
    for (const r of all) expect(LEVELS).toContain(r.level);
    expect(isMandatory({ level: "MUST NOT" })).toBe(true);
    expect(isMandatory({ level: "REQUIRED" })).toBe(true);
    expect(isMandatory({ level: "SHOULD" })).toBe(false);
    expect(isRecommended({ level: "NOT RECOMMENDED" })).toBe(true);
    expect(isRecommended({ level: "MAY" })).toBe(false);
    expect(isMandatory(catalogue.get("T06")!)).toBe(true);
    expect(isRecommended(catalogue.get("T22")!)).toBe(true);
  });
});

describe("validateRows", () => {
  it("accepts a good row and tags it with its file", () => {
    const { rows, problems } = validateRows("mem.json", [goodRow]);
    expect(problems).toEqual([]);
    expect(rows[0]).toMatchObject({ id: "X01", file: "mem.json" });
  });

  it("reports every problem of a broken row with file and id", () => {
    const bad = { id: "X02", spec: "Test", level: "SHALL MAYBE", text: "", testable: false, confidence: "Q", colour: 1 };
    const { rows, problems } = validateRows("mem.json", [goodRow, bad]);
    expect(rows.map((r) => r.id)).toEqual(["X01"]);
    expect(problems.every((p) => p.startsWith("mem.json X02:"))).toBe(true);
    const text = problems.join("\n");
    expect(text).toMatch(/"section"/);
    expect(text).toMatch(/"text"/);
    expect(text).toMatch(/level "SHALL MAYBE"/);
    expect(text).toMatch(/confidence/);
    expect(text).toMatch(/untestableReason is missing/);
    expect(text).toMatch(/unknown field "colour"/);
  });

  it("rejects untestableReason on a testable row, duplicate ids and rows without id", () => {
    const { problems } = validateRows("mem.json", [
      { ...goodRow, untestableReason: "no" },
      goodRow,
      { ...goodRow, id: undefined },
    ]);
    expect(problems).toContain("mem.json X01: untestableReason given but testable is true");
    expect(problems).toContain("mem.json X01: duplicate id (already defined in mem.json)");
    expect(problems).toContain('mem.json row #2: missing or empty "id"');
  });

  it("reports duplicates across files through the shared id map", () => {
    const seen = new Map<string, string>();
    validateRows("a.json", [goodRow], seen);
    expect(validateRows("b.json", [goodRow], seen).problems).toEqual(["b.json X01: duplicate id (already defined in a.json)"]);
  });

  it("makes loadCatalogue throw one error listing all problems", () => {
    const dir = mkdtempSync(join(tmpdir(), "wsconform-cat-"));
    try {
      writeFileSync(join(dir, "a.json"), JSON.stringify({ spec: "A", title: "t", source: "s", requirements: [goodRow] }));
      writeFileSync(join(dir, "b.json"), JSON.stringify({ spec: "B", title: "t", requirements: [goodRow, { ...goodRow, id: "X9", level: "MUSTN'T" }] }));
      let message = "";
      try {
        loadCatalogue(dir);
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message).toMatch(/3 problem/);
      expect(message).toMatch(/b\.json: missing or empty top-level "source"/);
      expect(message).toMatch(/b\.json X01: duplicate id \(already defined in a\.json\)/);
      expect(message).toMatch(/b\.json X9: level "MUSTN'T"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
