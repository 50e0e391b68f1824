// Validate, Renew and Cancel of the reference (WS-Trust 1.3 §5–§7), and delegation (OnBehalfOf, ActAs).
import { describe, expect, it } from "vitest";
import { FakeClock } from "../../protocol/clock.ts";
import { NS, TOKEN_TYPES, TRUST, type TrustVersion } from "../../protocol/namespaces.ts";
import { signAssertion } from "../../protocol/saml/build.ts";
import { parseAssertion } from "../../protocol/saml/parse.ts";
import { generateSelfSignedCertificate } from "../../protocol/x509/certificate.ts";
import { parseXml } from "../../protocol/xml/safe-parse.ts";
import { CLAIM, DEMO_REALMS } from "../../reference/config.ts";
import { START, clientFor, makeReference, rstrOf, testKeys } from "../helpers/reference.ts";
import { children } from "../../protocol/xml/dom.ts";
import { decryptEncryptedKey } from "../../protocol/xmlenc.ts";
import { trustAnchorFromCert, verifyEnvelopedSignature } from "../../protocol/dsig/verify.ts";

async function issueToken(ref: ReturnType<typeof makeReference>, tv: TrustVersion, extra: Record<string, unknown> = {}) {
  const T = TRUST[tv];
  const ex = await clientFor(ref, tv).send({ version: tv, requestType: T.requestType("Issue"), keyType: T.keyType("Bearer"), appliesTo: { address: DEMO_REALMS.saml20 }, ...extra });
  const tok = rstrOf(ex)?.requestedSecurityToken?.element;
  if (!tok) throw new Error(`issue failed: ${ex.fault?.reason ?? ex.parseError}`);
  return tok;
}

async function statusOf(ref: ReturnType<typeof makeReference>, tv: TrustVersion, tok: Element) {
  const T = TRUST[tv];
  const ex = await clientFor(ref, tv).send({ version: tv, requestType: T.requestType("Validate"), tokenType: T.statusTokenType, validateTarget: { element: tok } });
  return { ex, rstr: rstrOf(ex) };
}

/** A copy of the token in its own document with one attribute changed (signature no longer matches). */
function tampered(tok: Element): Element {
  const xml = tok.toString().replace(/alice/, "mallory");
  return parseXml(xml).documentElement!;
}

for (const tv of ["1.3", "2005"] as TrustVersion[]) {
  const T = TRUST[tv];
  describe(`Validate (${tv}, T57)`, () => {
    it("a fresh token: status/valid, bare RSTR under the version's Validate action, status token type", async () => {
      const ref = makeReference();
      const { ex, rstr } = await statusOf(ref, tv, await issueToken(ref, tv));
      expect(ex.message?.kind).toBe("RSTR");
      expect(ex.action).toBe(T.finalResponseAction("Validate"));
      expect(rstr?.tokenType).toBe(T.statusTokenType);
      expect(rstr?.status?.code).toBe(T.statusValid);
    });

    it("an expired token: status/invalid with a reason, not a fault", async () => {
      const ref = makeReference();
      const tok = await issueToken(ref, tv);
      ref.clock.advanceSeconds(3600 + 301);
      const { ex, rstr } = await statusOf(ref, tv, tok);
      expect(ex.fault).toBeUndefined();
      expect(rstr?.status?.code).toBe(T.statusInvalid);
      expect(rstr?.status?.reason).toMatch(/expired/);
    });

    it("a tampered token: status/invalid", async () => {
      const ref = makeReference();
      const { rstr } = await statusOf(ref, tv, tampered(await issueToken(ref, tv)));
      expect(rstr?.status?.code).toBe(T.statusInvalid);
    });

    it("a token from a foreign issuer: status/invalid", async () => {
      const ref = makeReference();
      const foreignKey = generateSelfSignedCertificate({ commonName: "foreign", notBeforeMs: START - 3600_000, notAfterMs: START + 86400_000 });
      const xml = signAssertion(
        { version: "2.0", id: "_foreign", issuer: ref.sts.config.issuer, issueInstant: START, subject: { nameId: "alice" }, confirmation: { method: "bearer" }, notBefore: START, notOnOrAfter: START + 3600_000, audiences: [DEMO_REALMS.saml20], attributes: [] },
        { privateKey: foreignKey.privateKey, certDer: foreignKey.certDer },
      );
      const { rstr } = await statusOf(ref, tv, parseXml(xml).documentElement!);
      expect(rstr?.status?.code).toBe(T.statusInvalid);
    });
  });

  describe(`Renew (${tv}, T43–T49)`, () => {
    const renewRst = (tok: Element, extra: Record<string, unknown> = {}) => ({ version: tv, requestType: T.requestType("Renew"), renewTarget: { element: tok }, ...extra });

    it("returns a new token with a new Lifetime under the Renew action", async () => {
      const ref = makeReference();
      const tok = await issueToken(ref, tv);
      ref.clock.advanceSeconds(1800);
      const ex = await clientFor(ref, tv).send(renewRst(tok));
      const r = rstrOf(ex)!;
      expect(ex.fault).toBeUndefined();
      expect(ex.action).toBe(T.finalResponseAction("Renew"));
      const a = parseAssertion(r.requestedSecurityToken!.element!);
      expect(a.id).not.toBe(parseAssertion(tok).id);
      expect(a.notBefore).toBe(START + 1800_000);
      expect(r.lifetime?.expires).toBe(START + 1800_000 + 3600_000);
      expect(a.audiences).toEqual([DEMO_REALMS.saml20]);
    });

    it("a holder-of-key token renews with the same proof key, still decryptable by the RP", async () => {
      const ref = makeReference();
      const ex = await clientFor(ref, tv).send({ version: tv, requestType: T.requestType("Issue"), keyType: T.keyType("SymmetricKey"), appliesTo: { address: DEMO_REALMS.saml20 } });
      const r = rstrOf(ex)!;
      const proof = r.requestedProofToken?.kind === "BinarySecret" ? r.requestedProofToken.secret.value : undefined;
      const renewed = rstrOf(await clientFor(ref, tv).send(renewRst(r.requestedSecurityToken!.element!)))!;
      const a = parseAssertion(renewed.requestedSecurityToken!.element!);
      expect(a.confirmation.method).toBe("holder-of-key");
      const ek = children(a.confirmationKeyInfo!, NS.xenc, "EncryptedKey")[0]!;
      const rpKey = testKeys().relyingParties.get(DEMO_REALMS.saml20)!.privateKey;
      expect(proof).toBeDefined();
      expect(decryptEncryptedKey(ek, rpKey).equals(proof!)).toBe(true);
      expect(verifyEnvelopedSignature(renewed.requestedSecurityToken!.element!, [trustAnchorFromCert(testKeys().signing.primary.certDer)]).ok).toBe(true);
    });

    it('Renewing Allow="false" -> UnableToRenew (T47)', async () => {
      const ref = makeReference();
      const tok = await issueToken(ref, tv, { renewing: { allow: false } });
      const ex = await clientFor(ref, tv).send(renewRst(tok));
      expect(ex.fault?.code).toEqual({ ns: T.ns, local: "UnableToRenew" });
    });

    it("an expired token without OK -> UnableToRenew; with OK inside the window -> renewed (T48)", async () => {
      const ref = makeReference();
      const plain = await issueToken(ref, tv);
      const ok = await issueToken(ref, tv, { renewing: { allow: true, ok: true } });
      ref.clock.advanceSeconds(3600 + 600);
      expect((await clientFor(ref, tv).send(renewRst(plain))).fault?.code.local).toBe("UnableToRenew");
      expect((await clientFor(ref, tv).send(renewRst(ok))).fault).toBeUndefined();
      ref.clock.advanceSeconds(3600);
      expect((await clientFor(ref, tv).send(renewRst(ok))).fault?.code.local).toBe("UnableToRenew");
    });

    it("a postdated renewal needs AllowPostdating (T46)", async () => {
      const ref = makeReference();
      const tok = await issueToken(ref, tv);
      const later = { lifetime: { created: START + 7200_000, expires: START + 10800_000 } };
      expect((await clientFor(ref, tv).send(renewRst(tok, later))).fault?.code.local).toBe("InvalidTimeRange");
      const ex = await clientFor(ref, tv).send(renewRst(tok, { ...later, allowPostdating: true }));
      expect(ex.fault).toBeUndefined();
      expect(rstrOf(ex)!.lifetime?.created).toBe(START + 7200_000);
    });

    it("a tampered token -> UnableToRenew; another requestor -> FailedAuthentication (T44)", async () => {
      const ref = makeReference();
      const tok = await issueToken(ref, tv);
      expect((await clientFor(ref, tv).send(renewRst(tampered(tok)))).fault?.code.local).toBe("UnableToRenew");
      const bob = clientFor(ref, tv, "1.2", { username: "bob", password: "bob" });
      expect((await bob.send(renewRst(tok))).fault?.code.local).toBe("FailedAuthentication");
    });

    it("a missing RenewTarget -> InvalidRequest", async () => {
      const ref = makeReference();
      const ex = await clientFor(ref, tv).send({ version: tv, requestType: T.requestType("Renew") });
      expect(ex.fault?.code).toEqual({ ns: T.ns, local: "InvalidRequest" });
    });
  });

  describe(`Cancel (${tv}, T50–T53)`, () => {
    const cancelRst = (tok: Element) => ({ version: tv, requestType: T.requestType("Cancel"), cancelTarget: { element: tok } });

    it("answers RequestedTokenCancelled; the token then validates invalid and cannot be renewed", async () => {
      const ref = makeReference();
      const tok = await issueToken(ref, tv);
      const ex = await clientFor(ref, tv).send(cancelRst(tok));
      expect(ex.fault).toBeUndefined();
      expect(ex.action).toBe(T.finalResponseAction("Cancel"));
      expect(rstrOf(ex)?.requestedTokenCancelled).toBe(true);
      expect((await statusOf(ref, tv, tok)).rstr?.status?.code).toBe(T.statusInvalid);
      const renewEx = await clientFor(ref, tv).send({ version: tv, requestType: T.requestType("Renew"), renewTarget: { element: tok } });
      expect(renewEx.fault?.code.local).toBe("InvalidSecurityToken");
    });

    it("cancelling twice, or an unknown token, is a fault (T52)", async () => {
      const ref = makeReference();
      const tok = await issueToken(ref, tv);
      await clientFor(ref, tv).send(cancelRst(tok));
      expect((await clientFor(ref, tv).send(cancelRst(tok))).fault?.code.local).toBe("InvalidSecurityToken");
      const other = makeReference();
      const foreign = await issueToken(other, tv);
      expect((await clientFor(ref, tv).send(cancelRst(foreign))).fault?.code.local).toBe("InvalidRequest");
    });

    it("another requestor may not cancel", async () => {
      const ref = makeReference();
      const tok = await issueToken(ref, tv);
      const ex = await clientFor(ref, tv, "1.2", { username: "bob", password: "bob" }).send(cancelRst(tok));
      expect(ex.fault?.code.local).toBe("FailedAuthentication");
    });
  });
}

describe("delegation", () => {
  const T = TRUST["1.3"];
  it("OnBehalfOf: the token is issued for the delegated identity with sender-vouches (T64)", async () => {
    const ref = makeReference();
    const aliceToken = await issueToken(ref, "1.3");
    const ex = await clientFor(ref, "1.3", "1.2", { username: "bob", password: "bob" }).send({
      version: "1.3",
      requestType: T.requestType("Issue"),
      keyType: T.keyType("Bearer"),
      appliesTo: { address: DEMO_REALMS.saml11 },
      onBehalfOf: { element: aliceToken },
    });
    expect(ex.fault).toBeUndefined();
    const a = parseAssertion(rstrOf(ex)!.requestedSecurityToken!.element!);
    expect(a.subject.nameId).toBe("alice");
    expect(a.confirmation.method).toBe("sender-vouches");
  });

  it("OnBehalfOf with a forged token -> FailedAuthentication", async () => {
    const ref = makeReference();
    const ex = await clientFor(ref, "1.3", "1.2", { username: "bob", password: "bob" }).send({
      version: "1.3",
      requestType: T.requestType("Issue"),
      keyType: T.keyType("Bearer"),
      appliesTo: { address: DEMO_REALMS.saml20 },
      onBehalfOf: { element: tampered(await issueToken(ref, "1.3")) },
    });
    expect(ex.fault?.code).toEqual({ ns: NS.wst13, local: "FailedAuthentication" });
  });

  it("OnBehalfOf with an expired renewable token -> RenewNeeded (T49)", async () => {
    const clock = new FakeClock(START);
    const ref = makeReference({ clock });
    const tok = await issueToken(ref, "1.3");
    clock.advanceSeconds(7200);
    const ex = await clientFor(ref, "1.3", "1.2", { username: "bob", password: "bob" }).send({
      version: "1.3",
      requestType: T.requestType("Issue"),
      keyType: T.keyType("Bearer"),
      appliesTo: { address: DEMO_REALMS.saml20 },
      onBehalfOf: { element: tok },
    });
    expect(ex.fault?.code.local).toBe("RenewNeeded");
  });

  it("ActAs (1.4, 200802 namespace): token for the ActAs identity naming the requestor as actor (T66)", async () => {
    const ref = makeReference();
    const aliceToken = await issueToken(ref, "1.3");
    const ex = await clientFor(ref, "1.4", "1.2", { username: "bob", password: "bob" }).send({
      version: "1.4",
      requestType: T.requestType("Issue"),
      keyType: T.keyType("Bearer"),
      tokenType: TOKEN_TYPES.saml20,
      appliesTo: { address: DEMO_REALMS.saml20 },
      actAs: { element: aliceToken },
    });
    expect(ex.fault).toBeUndefined();
    const a = parseAssertion(rstrOf(ex)!.requestedSecurityToken!.element!);
    expect(a.subject.nameId).toBe("alice");
    expect(a.attributes.find((x) => x.name === CLAIM.actor)?.values).toEqual(["bob"]);
    expect(ex.request).toContain("http://docs.oasis-open.org/ws-sx/ws-trust/200802");
  });
});
