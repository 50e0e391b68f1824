// Each defect of the switchboard changes the reference's behaviour in the way its description says: the same
// scenario gives the correct answer on the clean reference and the wrong one with the defect switched on.
import { describe, expect, it } from "vitest";
import { verifyEnvelopedSignature, trustAnchorFromCert } from "../../protocol/dsig/verify.ts";
import { NS, TRUST } from "../../protocol/namespaces.ts";
import { parseAssertion } from "../../protocol/saml/parse.ts";
import { children } from "../../protocol/xml/dom.ts";
import { parseXml } from "../../protocol/xml/safe-parse.ts";
import { DEMO_REALMS } from "../../reference/config.ts";
import { DEFECT_NAMES as ALL_DEFECT_NAMES, Defects, defectArea, type DefectName } from "../../reference/defects.ts";

// The STS's defects; the passive IdP's are shown in passive-defects.test.ts.
const DEFECT_NAMES = ALL_DEFECT_NAMES.filter((n) => defectArea(n) === "sts");
import { decryptEncryptedKey } from "../../protocol/xmlenc.ts";
import { psha1 } from "../../protocol/psha1.ts";
import { clientFor, makeReference, rstrOf, testKeys, START } from "../helpers/reference.ts";

const T = TRUST["1.3"];
type Ref = ReturnType<typeof makeReference>;
const bearer = { version: "1.3" as const, requestType: T.requestType("Issue"), keyType: T.keyType("Bearer"), appliesTo: { address: DEMO_REALMS.saml20 } };

async function issued(ref: Ref, extra: Record<string, unknown> = {}) {
  const ex = await clientFor(ref, "1.3").send({ ...bearer, ...extra });
  return { ex, rstr: rstrOf(ex), token: rstrOf(ex)?.requestedSecurityToken?.element };
}

async function validateStatus(ref: Ref, tok: Element) {
  const ex = await clientFor(ref, "1.3").send({ version: "1.3", requestType: T.requestType("Validate"), tokenType: T.statusTokenType, validateTarget: { element: tok } });
  return rstrOf(ex)?.status?.code;
}

/** Observe one behaviour; the clean reference and the defective one must observe different values. */
const SCENARIOS: Partial<Record<DefectName, (ref: Ref) => Promise<unknown>>> = {
  "accept-expired-timestamp": async (ref) => (await clientFor(ref, "1.3").send(bearer, { timeShiftMs: -3600_000 })).fault?.code.local ?? "accepted",
  "no-nonce-replay-cache": async (ref) => {
    const c = clientFor(ref, "1.3", "1.2", { username: "alice", password: "ecila", passwordType: "digest" });
    await c.send(bearer, { nonce: Buffer.alloc(16, 1) });
    return (await c.send(bearer, { nonce: Buffer.alloc(16, 1) })).fault?.code.local ?? "accepted";
  },
  "context-not-echoed": async (ref) => (await issued(ref, { context: "urn:ctx" })).rstr?.context,
  "wrong-response-action": async (ref) => (await issued(ref)).ex.action,
  "rstr-not-in-collection": async (ref) => (await issued(ref)).ex.message?.kind,
  "unsigned-assertion": async (ref) => parseAssertion((await issued(ref)).token!).hasSignature,
  "sha1-signature": async (ref) => {
    const tok = (await issued(ref)).token!;
    const v = verifyEnvelopedSignature(tok, [trustAnchorFromCert(testKeys().signing.primary.certDer)], { allowSha1: true });
    return v.ok ? v.signatureAlgorithm : v.reason;
  },
  "no-audience": async (ref) => parseAssertion((await issued(ref)).token!).audiences.join(","),
  "lifetime-ignored": async (ref) => (await issued(ref, { lifetime: { created: START + 60_000, expires: START } })).ex.fault?.code.local ?? "accepted",
  "lifetime-mismatch": async (ref) => {
    const { rstr, token } = await issued(ref);
    return rstr!.lifetime!.expires === parseAssertion(token!).notOnOrAfter;
  },
  "cancel-is-noop": async (ref) => {
    const tok = (await issued(ref)).token!;
    await clientFor(ref, "1.3").send({ version: "1.3", requestType: T.requestType("Cancel"), cancelTarget: { element: tok } });
    return validateStatus(ref, tok);
  },
  "validate-always-valid": async (ref) => {
    const tok = (await issued(ref)).token!;
    return validateStatus(ref, parseXml(tok.toString().replace("alice", "mallory")).documentElement!);
  },
  "psha1-entropy-swapped": async (ref) => {
    const mine = Buffer.alloc(32, 3);
    const { rstr } = await issued(ref, { keyType: T.keyType("SymmetricKey"), entropy: { binarySecret: { type: T.binarySecretType.Nonce, value: mine } } });
    const a = parseAssertion(rstr!.requestedSecurityToken!.element!);
    const ek = children(a.confirmationKeyInfo!, NS.xenc, "EncryptedKey")[0]!;
    const rpKey = decryptEncryptedKey(ek, testKeys().relyingParties.get(DEMO_REALMS.saml20)!.privateKey);
    return rpKey.equals(psha1(mine, rstr!.entropy!.binarySecret!.value, 256));
  },
  "fault-as-html-500": async (ref) => {
    const ex = await clientFor(ref, "1.3").send({ ...bearer, appliesTo: { address: "urn:unknown" } });
    return `${ex.response?.status} ${ex.fault ? "soap-fault" : ex.parseError ? "unreadable" : "?"}`;
  },
  "unknown-scope-issued": async (ref) => (await issued(ref, { appliesTo: { address: "urn:unknown" } })).ex.fault?.code.local ?? "issued",
  "password-not-checked": async (ref) => (await clientFor(ref, "1.3", "1.2", { username: "alice", password: "wrong" }).send(bearer)).fault?.code.local ?? "issued",
  "renew-ignores-allow": async (ref) => {
    const tok = (await issued(ref, { renewing: { allow: false } })).token!;
    return (await clientFor(ref, "1.3").send({ version: "1.3", requestType: T.requestType("Renew"), renewTarget: { element: tok } })).fault?.code.local ?? "renewed";
  },
  "proof-token-missing": async (ref) => (await issued(ref, { keyType: T.keyType("SymmetricKey") })).rstr?.requestedProofToken?.kind,
  "obo-signature-not-checked": async (ref) => {
    const tok = (await issued(ref)).token!;
    const forged = parseXml(tok.toString().replace("alice", "mallory")).documentElement!;
    const ex = await clientFor(ref, "1.3", "1.2", { username: "bob", password: "bob" }).send({ ...bearer, onBehalfOf: { element: forged } });
    return ex.fault?.code.local ?? "issued";
  },
  "attached-reference-wrong-id": async (ref) => {
    const { rstr, token } = await issued(ref);
    const ki = children(rstr!.requestedAttachedReference!.element!, NS.wsse, "KeyIdentifier")[0]!;
    return ki.textContent === parseAssertion(token!).id;
  },
  "missing-request-type-accepted": async (ref) =>
    (await clientFor(ref, "1.3").send(bearer, { mutate: (x) => x.replace(/<wst:RequestType>[^<]*<\/wst:RequestType>/, "") })).fault?.code.local ?? "issued",
};

describe("defects switchboard", () => {
  it("has at least 12 defects, each with a scenario here", () => {
    expect(DEFECT_NAMES.length).toBeGreaterThanOrEqual(12);
    expect(Object.keys(SCENARIOS).sort()).toEqual([...DEFECT_NAMES].sort());
  });

  it("refuses unknown defect names", () => {
    expect(() => new Defects(["no-such-defect"])).toThrow(/unknown defect/);
  });

  for (const name of DEFECT_NAMES) {
    it(`${name} changes behaviour`, async () => {
      const clean = await SCENARIOS[name]!(makeReference());
      const broken = await SCENARIOS[name]!(makeReference({ defects: [name] }));
      expect(broken).not.toEqual(clean);
    });
  }
});
