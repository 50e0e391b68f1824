// Test helper: verify a signed document with the xmlsec1 command-line tool (an independent implementation).
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const hasXmlsec1 = spawnSync("xmlsec1", ["--version"]).status === 0;
export const hasOpenssl = spawnSync("openssl", ["version"]).status === 0;

export const SAML2_ID = ["ID", "urn:oasis:names:tc:SAML:2.0:assertion:Assertion"] as const;
export const SAML11_ID = ["AssertionID", "urn:oasis:names:tc:SAML:1.0:assertion:Assertion"] as const;

export type IdAttr = readonly [attribute: string, node: string];

/** Run `xmlsec1 --verify` with the certificate as the only key; ok when it exits 0. */
export function xmlsecVerify(
  xml: string,
  certPem: string,
  idAttr: IdAttr | readonly IdAttr[] | undefined,
): { ok: boolean; output: string } {
  const ids: readonly IdAttr[] = idAttr === undefined ? [] : typeof idAttr[0] === "string" ? [idAttr as IdAttr] : (idAttr as readonly IdAttr[]);
  const dir = mkdtempSync(join(tmpdir(), "wsconform-xmlsec-"));
  try {
    writeFileSync(join(dir, "cert.pem"), certPem);
    writeFileSync(join(dir, "doc.xml"), xml);
    // KeyInfo limited to KeyName: otherwise xmlsec1 would take a key from a KeyValue in the document itself.
    const args = ["--verify", "--pubkey-cert-pem", join(dir, "cert.pem"), "--enabled-key-data", "key-name"];
    // xmlsec1 matches the ID attribute by local name on the given element type.
    for (const [a, n] of ids) args.push(`--id-attr:${a}`, n);
    args.push(join(dir, "doc.xml"));
    const r = spawnSync("xmlsec1", args, { encoding: "utf8", timeout: 20_000 });
    return { ok: r.status === 0, output: `${r.stdout ?? ""}${r.stderr ?? ""}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Run openssl on files made from the given texts; returns exit status and output. */
export function openssl(files: Record<string, string | Buffer>, args: (dir: string) => string[]): { ok: boolean; output: string } {
  const dir = mkdtempSync(join(tmpdir(), "wsconform-openssl-"));
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    const r = spawnSync("openssl", args(dir), { encoding: "utf8", timeout: 20_000 });
    return { ok: r.status === 0, output: `${r.stdout ?? ""}${r.stderr ?? ""}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
