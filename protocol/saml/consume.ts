// The strict SAML assertion consumer of the harness's relying party: the digest §6 consumer checklist, in its
// order, failing closed. Every refusal is typed (a code, the requirement ids it enforces, a reason).
//
// Each rule can be switched off (ConsumerRule) so the harness RP can carry deliberate defects that the security
// suites must catch; a consumer built without `off` has every rule on.
import { ReplayCache } from "../replay-cache.ts";
import { serializeDom } from "../xml/dom-serialize.ts";
import type { Clock } from "../clock.ts";
import { NS } from "../namespaces.ts";
import { verifyEnvelopedSignature, trustAnchorFromCert, type TrustAnchor, type VerifyFailure, type VerifyPolicy, type VerifyResult } from "../dsig/verify.ts";
import { CDATA_SECTION_NODE, ELEMENT_NODE, ModelError, TEXT_NODE, attr, children, descendants, textOf } from "../xml/dom.ts";
import { XmlError, parseXml } from "../xml/safe-parse.ts";
import { parseAssertion } from "./parse.ts";
import type { ParsedAssertion } from "./model.ts";

/** The rules a defect may switch off. */
export type ConsumerRule =
  /** An assertion without a signature is refused (SAML-SIGNED). */
  | "signature-required"
  /** Only the pinned anchors verify; certificates in KeyInfo are never a key source (SAML-SIG-KEY-TRUSTED). */
  | "anchors-only"
  /** The signature must be enveloped in exactly the assertion processed; one assertion, unique IDs (SAML-SIG-COVERS). */
  | "signature-covers"
  /** rsa-sha1 and SHA-1 digests are refused (SAML-SIG-ALG). */
  | "strong-algorithms"
  /** Issuer equals a trusted name (SAML-ISSUER-TRUSTED). */
  | "issuer"
  /** NotBefore ≤ now < NotOnOrAfter within the skew, and the bearer confirmation's NotOnOrAfter (SAML-VALIDITY). */
  | "lifetime"
  /** Every audience restriction names this relying party (SAML-AUDIENCE, SAML-AUDIENCE-EACH). */
  | "audience"
  /** Issuer+ID remembered until expiry; a second presentation is refused (SAML-REPLAY). */
  | "replay"
  /** Identity values are the full text content: a comment cannot cut a NameID short. */
  | "full-text";

export const CONSUMER_RULES: readonly ConsumerRule[] = [
  "signature-required",
  "anchors-only",
  "signature-covers",
  "strong-algorithms",
  "issuer",
  "lifetime",
  "audience",
  "replay",
  "full-text",
];

export type RejectionCode =
  | "not-an-assertion"
  | "malformed"
  | "unsigned"
  | "signature-wrapping"
  | "untrusted-key"
  | "weak-algorithm"
  | "unsupported-algorithm"
  | "bad-transform"
  | "bad-signature"
  | "wrong-issuer"
  | "bad-version"
  | "bad-window"
  | "not-yet-valid"
  | "expired"
  | "indeterminate-condition"
  | "no-audience"
  | "wrong-audience"
  | "unsupported-confirmation"
  | "confirmation-expired"
  | "wrong-recipient"
  | "replay"
  | "replay-cache-full";

/** The requirement ids (suites/requirements/saml.json) each refusal enforces. */
export const REJECTION_RULES: Record<RejectionCode, string[]> = {
  "not-an-assertion": ["F22"],
  malformed: ["SAML-NO-DTD"],
  unsigned: ["SAML-SIGNED"],
  "signature-wrapping": ["SAML-SIG-COVERS", "SAML-SIG-ENVELOPED"],
  "untrusted-key": ["SAML-SIG-KEY-TRUSTED"],
  "weak-algorithm": ["SAML-SIG-ALG"],
  "unsupported-algorithm": ["SAML-SIG-ALG"],
  "bad-transform": ["SAML-TRANSFORMS-REJECT"],
  "bad-signature": ["SAML-SIGNED"],
  "wrong-issuer": ["SAML-ISSUER-TRUSTED"],
  "bad-version": ["SAML-VERSION"],
  "bad-window": ["SAML-VALIDITY-ORDER"],
  "not-yet-valid": ["SAML-VALIDITY"],
  expired: ["SAML-VALIDITY"],
  "indeterminate-condition": ["SAML-CONDITIONS-UNKNOWN"],
  "no-audience": ["SAML-AUDIENCE"],
  "wrong-audience": ["SAML-AUDIENCE", "SAML-AUDIENCE-EACH"],
  "unsupported-confirmation": ["SAML-SC-METHOD"],
  "confirmation-expired": ["SAML-SC-BEARER-DATA"],
  "wrong-recipient": ["SAML-SC-BEARER-DATA"],
  replay: ["SAML-REPLAY", "SAML-REPLAY-11", "SAML-ONE-TIME-USE"],
  "replay-cache-full": ["SAML-REPLAY"],
};

export interface Consumed {
  ok: true;
  subject: string;
  nameIdFormat?: string;
  /** Claim type → values: SAML 2.0 Name; SAML 1.1 AttributeNamespace + "/" + AttributeName (as WIF maps them). */
  claims: Record<string, string[]>;
  assertionId: string;
  issuer: string;
  samlVersion: "1.1" | "2.0";
  notOnOrAfter: number;
  authn?: { method: string; instant: number };
}

export interface Rejected {
  ok: false;
  code: RejectionCode;
  rules: string[];
  reason: string;
}

export type ConsumeResult = Consumed | Rejected;

/** One-time use (SAML-REPLAY): Issuer+ID remembered until the assertion can no longer be accepted; full of live
 * entries it fails closed. The same bounded cache as the STS's nonce memory. */
export { ReplayCache as AssertionReplayCache };

export interface ConsumerOptions {
  /** The pinned signing certificates of the trusted issuer(s). */
  anchors: TrustAnchor[];
  /**
   * Issuer names accepted. Omitted: any issuer whose signature verifies with an anchor (the anchor then names the
   * issuer, as an issuer-name registry keyed by certificate does).
   */
  issuers?: string[];
  /** This relying party's realm: the audience its tokens must carry. */
  audience: string;
  /** URLs accepted as a SAML 2.0 bearer Recipient (the reply URL); a Recipient naming anything else is refused. */
  recipients?: string[];
  clock: Clock;
  /** Clock skew allowed on each time bound (default 300 s, as AD FS and WIF). */
  skewSeconds?: number;
  replayCache?: ReplayCache;
  /** Rules switched off (deliberate defects). */
  off?: Iterable<ConsumerRule>;
}

class Rejection extends Error {
  constructor(
    readonly code: RejectionCode,
    message: string,
  ) {
    super(message);
  }
}

function reject(code: RejectionCode, reason: string): never {
  throw new Rejection(code, reason);
}

const VERIFY_CODES: Record<VerifyFailure["code"], RejectionCode> = {
  "no-signature": "unsigned",
  "multiple-signatures": "signature-wrapping",
  "reference-mismatch": "signature-wrapping",
  "duplicate-id": "signature-wrapping",
  "bad-structure": "malformed",
  "bad-transform": "bad-transform",
  "weak-algorithm": "weak-algorithm",
  "unsupported-algorithm": "unsupported-algorithm",
  "digest-mismatch": "bad-signature",
  "signature-invalid": "bad-signature",
  "untrusted-key": "untrusted-key",
};

// Every attribute another verifier might resolve a same-document reference by (verify.ts uses the same set).
const ID_ATTRIBUTES = new Set(["ID", "Id", "id", "AssertionID", "ResponseID"]);

function isAssertion(e: Element): boolean {
  return e.localName === "Assertion" && (e.namespaceURI === NS.saml2 || e.namespaceURI === NS.saml11);
}

function documentOf(e: Element): Node {
  let n: Node = e;
  while (n.parentNode) n = n.parentNode;
  return n;
}

/** The first ID-like value that occurs twice in the tree (iterative walk: deep input cannot overflow the stack). */
function duplicateId(root: Node): string | undefined {
  const seen = new Set<string>();
  const stack: Node[] = [root];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.nodeType === ELEMENT_NODE) {
      const attrs = (n as Element).attributes;
      for (let i = 0; i < attrs.length; i++) {
        const a = attrs.item(i)!;
        if (!ID_ATTRIBUTES.has(a.localName ?? a.name)) continue;
        if (seen.has(a.value)) return a.value;
        seen.add(a.value);
      }
    }
    for (let c = n.lastChild; c; c = c.previousSibling) stack.push(c);
  }
  return undefined;
}

function directSignature(a: Element): Element | undefined {
  return children(a, NS.ds, "Signature")[0];
}

/** Certificates in the signature's KeyInfo, as anchors: only for the trust-keyinfo-cert defect. */
function keyInfoAnchors(a: Element): TrustAnchor[] {
  const out: TrustAnchor[] = [];
  const sig = directSignature(a);
  if (!sig) return out;
  for (const ki of children(sig, NS.ds, "KeyInfo")) {
    for (const c of descendants(ki, NS.ds, "X509Certificate")) {
      try {
        out.push(trustAnchorFromCert(Buffer.from(textOf(c).replace(/\s+/g, ""), "base64"), "KeyInfo certificate"));
      } catch {
        // not a certificate: nothing to trust
      }
    }
  }
  return out;
}

/**
 * The accept-xsw defect, as vulnerable consumers do it: some assertion in the document carries a signature that
 * verifies on its own (checked on a copy, so duplicate IDs in the document do not matter), and the consumer then
 * goes on with the assertion it was handed, whatever that is.
 */
function verifySomewhere(a: Element, anchors: TrustAnchor[], policy: VerifyPolicy): VerifyResult {
  let first: VerifyResult | undefined;
  for (const sig of descendants(documentOf(a), NS.ds, "Signature")) {
    const holder = sig.parentNode as Element | null;
    if (!holder || holder.nodeType !== ELEMENT_NODE || !isAssertion(holder)) continue;
    const copy = parseXml(serializeDom(holder)).documentElement!;
    const v = verifyEnvelopedSignature(copy, anchors, policy);
    if (v.ok) return v;
    first ??= v;
  }
  return first ?? { ok: false, code: "no-signature", reason: "no assertion in the document carries a signature" };
}

/** Only the first text node: what a consumer that stops at a comment reads (the full-text defect). */
function firstTextOnly(e: Element): string {
  for (let c = e.firstChild; c; c = c.nextSibling) {
    if (c.nodeType === TEXT_NODE || c.nodeType === CDATA_SECTION_NODE) return (c as CharacterData).data.trim();
  }
  return "";
}

function nameIdElement(a: Element, p: ParsedAssertion): Element {
  if (p.version === "2.0") return children(children(a, NS.saml2, "Subject")[0]!, NS.saml2, "NameID")[0]!;
  const statement = children(a).find((c) => c.namespaceURI === NS.saml11 && children(c, NS.saml11, "Subject").length > 0)!;
  return children(children(statement, NS.saml11, "Subject")[0]!, NS.saml11, "NameIdentifier")[0]!;
}

function claimType(p: ParsedAssertion, name: string, ns: string | undefined): string {
  if (p.version === "2.0" || !ns) return name;
  return ns.endsWith("/") ? `${ns}${name}` : `${ns}/${name}`;
}

function claimsOf(a: Element, p: ParsedAssertion, fullText: boolean): Record<string, string[]> {
  const claims: Record<string, string[]> = {};
  if (fullText) {
    for (const at of p.attributes) (claims[claimType(p, at.name, at.nameFormatOrNamespace)] ??= []).push(...at.values);
    return claims;
  }
  const ns = a.namespaceURI!;
  for (const st of children(a, ns, "AttributeStatement")) {
    for (const at of children(st, ns, "Attribute")) {
      const name = p.version === "2.0" ? attr(at, "Name")! : attr(at, "AttributeName")!;
      const type = claimType(p, name, p.version === "2.0" ? undefined : attr(at, "AttributeNamespace"));
      (claims[type] ??= []).push(...children(at, ns, "AttributeValue").map(firstTextOnly));
    }
  }
  return claims;
}

/** Issuer as sent, read before the full model (the checklist checks it before the version and the rest). */
function issuerOf(a: Element): string {
  if (a.namespaceURI === NS.saml11) return attr(a, "Issuer") ?? "";
  const el = children(a, NS.saml2, "Issuer")[0];
  return el ? textOf(el) : "";
}

function checkVersion(a: Element): void {
  if (a.namespaceURI === NS.saml2) {
    if (attr(a, "Version") !== "2.0") reject("bad-version", `Version is ${attr(a, "Version") ?? "absent"}, not 2.0`);
  } else if (attr(a, "MajorVersion") !== "1" || attr(a, "MinorVersion") !== "1") {
    reject("bad-version", `version ${attr(a, "MajorVersion") ?? "?"}.${attr(a, "MinorVersion") ?? "?"} is not SAML 1.1`);
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export class SamlConsumer {
  readonly off: ReadonlySet<ConsumerRule>;
  readonly replayCache: ReplayCache;
  private readonly skewMs: number;

  constructor(private readonly options: ConsumerOptions) {
    this.off = new Set(options.off ?? []);
    for (const r of this.off) if (!CONSUMER_RULES.includes(r)) throw new Error(`unknown consumer rule ${r}`);
    this.replayCache = options.replayCache ?? new ReplayCache(options.clock);
    this.skewMs = (options.skewSeconds ?? 300) * 1000;
    if (!Number.isFinite(this.skewMs) || this.skewMs < 0) throw new Error("skewSeconds must be a non-negative number");
  }

  private on(rule: ConsumerRule): boolean {
    return !this.off.has(rule);
  }

  /** Validate the assertion (an element of a parsed document) and read its identity, or say why not. */
  consume(assertion: Element): ConsumeResult {
    try {
      return this.run(assertion);
    } catch (e) {
      const code: RejectionCode | undefined = e instanceof Rejection ? e.code : e instanceof ModelError || e instanceof XmlError ? "malformed" : undefined;
      if (!code) throw e;
      return { ok: false, code, rules: REJECTION_RULES[code], reason: (e as Error).message };
    }
  }

  private run(a: Element): Consumed {
    if (!isAssertion(a)) reject("not-an-assertion", `{${a.namespaceURI ?? ""}}${a.localName} is not a SAML 1.1 or 2.0 assertion`);
    const { options } = this;
    const now = options.clock.now();

    // 1. Locate the assertion the signature actually covers: the one handed in, alone in its document, with every
    //    ID in the document unique (signature wrapping, SAML-SIG-COVERS).
    if (this.on("signature-covers")) {
      const root = documentOf(a);
      const count = descendants(root, NS.saml2, "Assertion").length + descendants(root, NS.saml11, "Assertion").length + (root === a ? 1 : 0);
      if (count > 1) reject("signature-wrapping", `the document holds ${count} assertions; only a lone signed assertion is processed`);
      const dup = duplicateId(root);
      if (dup !== undefined) reject("signature-wrapping", `ID ${JSON.stringify(dup.slice(0, 64))} occurs more than once in the document`);
    }

    // 2. Verify with the pinned anchors only, strong algorithms only, exc-c14n and enveloped transforms only.
    if (directSignature(a) || this.on("signature-required")) {
      const policy: VerifyPolicy = { allowSha1: !this.on("strong-algorithms"), requireKeyInfoMatch: this.on("anchors-only") };
      const anchors = this.on("anchors-only") ? options.anchors : [...options.anchors, ...keyInfoAnchors(a)];
      const v = this.on("signature-covers") ? verifyEnvelopedSignature(a, anchors, policy) : verifySomewhere(a, anchors, policy);
      if (!v.ok) reject(VERIFY_CODES[v.code], v.reason);
    }

    // 3. Issuer.
    const issuer = issuerOf(a);
    if (!issuer) reject("malformed", "the assertion names no issuer");
    if (this.on("issuer") && options.issuers && !options.issuers.includes(issuer)) {
      reject("wrong-issuer", `issuer ${JSON.stringify(issuer.slice(0, 200))} is not trusted (expected ${options.issuers.join(", ")})`);
    }

    // 4. Version, then the rest of the structure.
    checkVersion(a);
    const p = parseAssertion(a);

    // 5. Time window with skew: NotBefore - skew <= now < NotOnOrAfter + skew.
    if (this.on("lifetime")) {
      if (p.notBefore >= p.notOnOrAfter) reject("bad-window", `NotBefore ${iso(p.notBefore)} is not before NotOnOrAfter ${iso(p.notOnOrAfter)}`);
      if (now < p.notBefore - this.skewMs) reject("not-yet-valid", `not valid before ${iso(p.notBefore)} (now ${iso(now)}, skew ${this.skewMs / 1000} s)`);
      if (now >= p.notOnOrAfter + this.skewMs) reject("expired", `expired at ${iso(p.notOnOrAfter)} (now ${iso(now)}, skew ${this.skewMs / 1000} s)`);
    }
    // Conditions this consumer cannot evaluate make the assertion Indeterminate: refused (SAML-CONDITIONS-UNKNOWN).
    if (p.otherConditions.length) reject("indeterminate-condition", `unevaluated condition(s): ${p.otherConditions.join(", ")}`);

    // 6. Audience: each restriction on its own must name this relying party.
    if (this.on("audience")) {
      if (p.audienceRestrictions.length === 0) reject("no-audience", "the assertion carries no audience restriction");
      const bad = p.audienceRestrictions.find((r) => !r.includes(options.audience));
      if (bad) reject("wrong-audience", `audience restriction [${bad.join(", ").slice(0, 300)}] does not name ${options.audience}`);
    }

    // 7. Subject confirmation: a passive relying party takes bearer tokens only (no proof of possession exists here).
    const c = p.confirmation;
    if (c.method !== "bearer") reject("unsupported-confirmation", `confirmation method ${p.confirmationMethodUri ?? c.method} is not bearer`);
    if (c.notOnOrAfter !== undefined && this.on("lifetime") && now >= c.notOnOrAfter + this.skewMs) {
      reject("confirmation-expired", `the bearer confirmation expired at ${iso(c.notOnOrAfter)}`);
    }
    if (c.recipient !== undefined && !(options.recipients ?? []).includes(c.recipient)) {
      reject("wrong-recipient", `bearer Recipient ${JSON.stringify(c.recipient.slice(0, 200))} is not this relying party`);
    }

    // 8. One-time use: remember Issuer+ID for as long as the assertion could still be accepted.
    if (this.on("replay")) {
      const until = Math.max(p.notOnOrAfter, c.notOnOrAfter ?? 0) + this.skewMs;
      const verdict = this.replayCache.check(`${issuer}\n${p.id}`, until);
      if (verdict === "replay") reject("replay", `assertion ${p.id} from ${issuer} was already used`);
      if (verdict === "full") reject("replay-cache-full", "the replay cache is full of live entries");
    }

    // 9. Only now map the identity.
    const fullText = this.on("full-text");
    const subject = fullText ? p.subject.nameId : firstTextOnly(nameIdElement(a, p));
    if (!subject) reject("malformed", "the subject's NameID is empty");
    return {
      ok: true,
      subject,
      nameIdFormat: p.subject.format,
      claims: claimsOf(a, p, fullText),
      assertionId: p.id,
      issuer,
      samlVersion: p.version,
      notOnOrAfter: p.notOnOrAfter,
      authn: p.authn,
    };
  }
}
