// The token-consumer fuzz profile: the harness plays the IdP the consumer trusts (trust.signingKey), signs a valid
// assertion, then applies structure-preserving mutations to the signed token (move, duplicate and wrap elements,
// IDs, comments, namespace declarations, whitespace, a foreign re-signature) and delivers it. The oracles compare
// what the consumer reports with what the signature really covers: the identity of the original signed assertion
// (verifyAssertion on it) and whether any assertion of the delivered document still verifies against the trusted
// key. The assertion and delivery envelopes are the security suites' (suites/security/scenario.ts).
import fc from "fast-check";
import type { ConsumerOutcome, Delivery, TokenConsumer } from "../../adapters/token-consumer.ts";
import type { StsTarget } from "../../adapters/sts-target.ts";
import { NS } from "../../protocol/namespaces.ts";
import { trustAnchorFromCert, type TrustAnchor } from "../../protocol/dsig/verify.ts";
import { signAssertion } from "../../protocol/saml/build.ts";
import { verifyAssertion } from "../../protocol/saml/parse.ts";
import type { ParsedAssertion } from "../../protocol/saml/model.ts";
import { parseXml } from "../../protocol/xml/safe-parse.ts";
import { ELEMENT_NODE, TEXT_NODE } from "../../protocol/xml/dom.ts";
import { DSIG } from "../../protocol/namespaces.ts";
import type { RecordedExchange } from "../case.ts";
import { EVIL, LEGIT, envelope, idpSigned, tokenSpec, type DeliveryKind, type SamlVersion } from "../security/scenario.ts";
import { liveScenario } from "../security/support.ts";
import { serializeDoc } from "./mutators.ts";
import type { Violation } from "./oracles.ts";
import type { FuzzProfile } from "./profile.ts";

export const CONSUMER_ORACLES = {
  control: { requirement: "F20", title: "the unmutated, validly signed token is accepted (positive control)" },
  "signature-required": { requirement: "SAML-SIGNED", title: "no token is accepted unless one of its assertions verifies against the trusted key" },
  "signed-content": { requirement: "SAML-SIG-COVERS", title: "an accepted token's subject and claims are those of the signed subtree (differential oracle)" },
  replay: { requirement: "SAML-REPLAY", title: "an accepted assertion delivered a second time is refused" },
  "consumer-answers": { requirement: "F20", title: "the consumer answers every delivery, within the time bound" },
  health: { requirement: "F20", title: "the consumer still accepts a valid token after the campaign" },
} as const;
type ConsumerOracle = keyof typeof CONSUMER_ORACLES;

export const CONSUMER_OPS = ["comment", "whitespace", "namespace", "evil-copy", "move-signature", "strip-signature", "id", "retext", "resign"] as const;
export type ConsumerOp = (typeof CONSUMER_OPS)[number];

/** One mutation of the signed token; `at` and `variant` pick the place and the form (modulo what exists). */
export interface ConsumerMutation {
  op: ConsumerOp;
  at: number;
  variant: number;
}

export interface ConsumerFuzzInput {
  version: SamlVersion;
  mutations: ConsumerMutation[];
  /** Deliver the same token twice (the second must be refused when the first was accepted). */
  replay: boolean;
}

const mutationArb: fc.Arbitrary<ConsumerMutation> = fc.record({ op: fc.constantFrom(...CONSUMER_OPS), at: fc.nat(31), variant: fc.nat(7) });

export function consumerInputArb(c: TokenConsumer): fc.Arbitrary<ConsumerFuzzInput> {
  const versions: SamlVersion[] = c.tokenTypes.map((t) => (t === "saml11" ? "1.1" : "2.0"));
  return fc.record({
    version: fc.constantFrom(...versions),
    mutations: fc.array(mutationArb, { maxLength: 4 }),
    replay: fc.boolean(),
  });
}

// ---- DOM helpers ------------------------------------------------------------------------------------------------

function kids(e: Element): Element[] {
  const out: Element[] = [];
  for (let c = e.firstChild; c; c = c.nextSibling) if (c.nodeType === ELEMENT_NODE) out.push(c as Element);
  return out;
}

function all(root: Node, pred: (e: Element) => boolean): Element[] {
  const out: Element[] = [];
  const walk = (n: Node) => {
    for (let c = n.firstChild; c; c = c.nextSibling) {
      if (c.nodeType !== ELEMENT_NODE) continue;
      if (pred(c as Element)) out.push(c as Element);
      walk(c);
    }
  };
  walk(root);
  return out;
}

const isAssertion = (e: Element) => e.localName === "Assertion" && (e.namespaceURI === NS.saml2 || e.namespaceURI === NS.saml11);
const isSignature = (e: Element) => e.localName === "Signature" && e.namespaceURI === NS.ds;
const ownSignature = (a: Element) => kids(a).find(isSignature);

/** The identity texts of an assertion: NameIdentifier/NameID and attribute values. */
function identityTexts(a: Element): Element[] {
  return all(a, (e) => (e.localName === "NameID" || e.localName === "NameIdentifier" || e.localName === "AttributeValue") && (e.namespaceURI === NS.saml2 || e.namespaceURI === NS.saml11));
}

function setText(e: Element, s: string): void {
  while (e.firstChild) e.removeChild(e.firstChild);
  e.appendChild(e.ownerDocument!.createTextNode(s));
}

function evilValue(old: string): string {
  if (old === LEGIT.subject) return EVIL.subject;
  if (old === LEGIT.role) return EVIL.role;
  return `${old}.evil`;
}

function idAttr(a: Element): string {
  return a.namespaceURI === NS.saml2 ? "ID" : "AssertionID";
}

// ---- mutations --------------------------------------------------------------------------------------------------

interface MutationEnv {
  kind: DeliveryKind;
  resign: () => Element;
}

function apply(doc: Document, m: ConsumerMutation, env: MutationEnv): void {
  const assertions = all(doc, isAssertion);
  const root = doc.documentElement!;
  if (isAssertion(root)) assertions.unshift(root);
  const a = assertions[m.at % Math.max(1, assertions.length)];
  if (!a) return;
  // The container the assertion sits in (RequestedSecurityToken, or none for a bare assertion).
  const container = a.parentNode && a.parentNode.nodeType === ELEMENT_NODE ? (a.parentNode as Element) : undefined;
  switch (m.op) {
    case "comment": {
      const ts = identityTexts(a);
      const e = ts[m.at % Math.max(1, ts.length)];
      if (!e) return;
      const text = e.textContent ?? "";
      const cut = m.variant % (text.length + 1);
      setText(e, text.slice(0, cut));
      e.appendChild(doc.createComment(m.variant % 2 ? "" : "wsconform"));
      e.appendChild(doc.createTextNode(text.slice(cut)));
      return;
    }
    case "whitespace": {
      const ws = ["\n", "  ", "\t", "\r\n "][m.variant % 4]!;
      // Even variants: around the assertion (outside the signed subtree, harmless); odd: inside it (digest breaks).
      if (m.variant % 2 === 0 && container) container.insertBefore(doc.createTextNode(ws), a);
      else {
        const k = kids(a);
        a.insertBefore(doc.createTextNode(ws), k[m.at % Math.max(1, k.length)] ?? null);
      }
      return;
    }
    case "namespace": {
      // An unused declaration, or the assertion's own namespace redeclared with its prefix, on one of its elements.
      const els = [a, ...all(a, () => true)];
      const e = els[m.at % els.length]!;
      if (m.variant % 2) e.setAttributeNS("http://www.w3.org/2000/xmlns/", `xmlns:${a.prefix ?? "saml"}`, a.namespaceURI!);
      else e.setAttributeNS("http://www.w3.org/2000/xmlns/", `xmlns:fz${m.variant}`, "urn:wsconform:fuzz");
      return;
    }
    case "evil-copy": {
      // Signature wrapping: a copy with the forged identity takes the place the consumer reads; the signed original
      // goes next to it or inside it.
      const evil = a.cloneNode(true) as Element;
      for (const e of identityTexts(evil)) setText(e, evilValue(e.textContent ?? ""));
      if (m.at % 2) {
        const s = ownSignature(evil);
        if (s) evil.removeChild(s);
      }
      const where = container ? m.variant % 4 : 2 + (m.variant % 2);
      const parent = a.parentNode!;
      if (where === 0) parent.insertBefore(evil, a);
      else if (where === 1) parent.insertBefore(evil, a.nextSibling);
      else {
        parent.replaceChild(evil, a);
        const s = ownSignature(evil);
        if (where === 3 && s) {
          const obj = doc.createElementNS(NS.ds, `${s.prefix ? `${s.prefix}:` : ""}Object`);
          obj.appendChild(a);
          s.appendChild(obj);
        } else evil.appendChild(a);
      }
      return;
    }
    case "move-signature": {
      const s = ownSignature(a);
      if (!s) return;
      a.removeChild(s);
      if (m.variant % 2 && container) container.insertBefore(s, a);
      else a.appendChild(s);
      return;
    }
    case "strip-signature": {
      const s = ownSignature(a);
      if (s) a.removeChild(s);
      return;
    }
    case "id": {
      const name = idAttr(a);
      const id = a.getAttribute(name) ?? "";
      if (m.variant % 2 === 0) a.setAttribute(name, `${id}x`);
      else if (container) {
        // An unrelated element carrying the same ID, before the assertion.
        const twin = doc.createElementNS("urn:wsconform:fuzz", "fz:Twin");
        twin.setAttribute(name, id);
        twin.setAttribute("ID", id);
        container.insertBefore(twin, a);
      }
      return;
    }
    case "retext": {
      const ts = identityTexts(a);
      const e = ts[m.variant % Math.max(1, ts.length)];
      if (e) setText(e, evilValue(e.textContent ?? ""));
      return;
    }
    case "resign": {
      // The (forged) assertion signed again with the attacker's key, its certificate in KeyInfo.
      const fresh = env.resign();
      a.parentNode!.replaceChild(doc.importNode(fresh, true), a);
      return;
    }
  }
}

// ---- the profile ------------------------------------------------------------------------------------------------

/** What the signed original vouches for: every identity value (subject and attribute values). */
function identityOf(a: ParsedAssertion): { subject: string; values: Set<string> } {
  return { subject: a.subject.nameId, values: new Set([a.subject.nameId, ...a.attributes.flatMap((x) => x.values)]) };
}

export interface BuiltDelivery {
  delivery: Delivery;
  /** The identity of the original signed assertion (verifyAssertion on it). */
  signed: { subject: string; values: Set<string> };
  /** How many assertions of the delivered document verify against the trusted key. */
  verifying: number;
}

/** Sign a valid assertion for the consumer's trust, mutate it, and judge what the result still proves. */
export function buildDelivery(c: TokenConsumer, input: ConsumerFuzzInput, anchors: TrustAnchor[]): BuiltDelivery {
  const s = liveScenario(c);
  const kind: DeliveryKind = c.deliveries.includes("wresult") ? "wresult" : "assertion";
  const token = idpSigned(s, tokenSpec(s, input.version));
  const original = verifyAssertion(parseXml(token).documentElement!, anchors);
  if (!original.ok) throw new Error(`the harness's own token does not verify against trust.signingKey: ${original.code}: ${original.reason}`);
  const xml = envelope(s, kind, input.version, [token]);
  if (!input.mutations.length) return { delivery: { kind, xml } as Delivery, signed: identityOf(original.assertion), verifying: 1 };
  const doc = parseXml(xml);
  const env: MutationEnv = {
    kind,
    // The forged identity signed with the attacker's key, its certificate in KeyInfo (built from the recipe, not by
    // reading the mutated element, which earlier mutations may have made unreadable).
    resign: () => parseXml(signAssertion(tokenSpec(s, input.version, { subject: EVIL.subject, role: EVIL.role }), s.keys.attacker, { signatureAlgorithm: DSIG.rsaSha256, digestAlgorithm: DSIG.sha256, keyInfo: "x509" })).documentElement!,
  };
  for (const m of input.mutations) apply(doc, m, env);
  const out = serializeDoc(doc);
  // Judge the document as delivered (re-parsed, as the consumer will see it).
  const back = parseXml(out);
  const list = all(back, isAssertion);
  if (isAssertion(back.documentElement!)) list.unshift(back.documentElement!);
  const verifying = list.filter((e) => verifyAssertion(e, anchors).ok).length;
  return { delivery: { kind, xml: out } as Delivery, signed: identityOf(original.assertion), verifying };
}

function reportedValues(o: Extract<ConsumerOutcome, { accepted: true }>): string[] {
  return [...(o.subject !== undefined ? [o.subject] : []), ...Object.values(o.claims).flat()];
}

export function consumerProfile(target: StsTarget, o: { maxResponseMs: number }): FuzzProfile<ConsumerFuzzInput> {
  const c = target.tokenConsumer;
  if (!c) throw new Error("the consumer fuzz profile needs a target with a token consumer (target.tokenConsumer); this target has none");
  const anchors = [trustAnchorFromCert(c.trust.signingKey.certDer, "the harness IdP key (trust.signingKey)")];
  const unjudged: Record<string, string> = {};
  if (c.tokenTypes.length === 0) throw new Error("the token consumer declares no token types");

  async function deliver(d: Delivery, label: string, exchanges: RecordedExchange[]): Promise<{ outcome?: ConsumerOutcome; error?: string; ms: number }> {
    const started = performance.now();
    const rec: RecordedExchange = { path: `token-consumer ${d.kind}: ${label}`, request: d.xml, ms: 0 };
    exchanges.push(rec);
    try {
      const outcome = await c!.consume(d);
      rec.response = JSON.stringify(outcome);
      rec.contentType = "application/json";
      return { outcome, ms: (rec.ms = performance.now() - started) };
    } catch (e) {
      rec.error = (e as Error).message;
      return { error: (e as Error).message, ms: (rec.ms = performance.now() - started) };
    }
  }

  return {
    name: "consumer",
    oracles: CONSUMER_ORACLES,
    unjudged,
    arbitrary: () => consumerInputArb(c),
    async execute(input) {
      const out: Violation[] = [];
      const v = (k: ConsumerOracle, message: string) => out.push({ oracle: k, requirement: k === "replay" && input.version === "1.1" ? "SAML-REPLAY-11" : CONSUMER_ORACLES[k].requirement, message });
      const exchanges: RecordedExchange[] = [];
      const built = buildDelivery(c, input, anchors);
      const label = input.mutations.length ? input.mutations.map((m) => `${m.op}(${m.at},${m.variant})`).join(" ") : "control";
      const judge = (r: { outcome?: ConsumerOutcome; error?: string; ms: number }, second: boolean) => {
        if (r.error !== undefined) return v("consumer-answers", `the consumer did not answer the delivery: ${r.error}`);
        if (r.ms > o.maxResponseMs) v("consumer-answers", `the consumer took ${Math.round(r.ms)} ms (bound ${o.maxResponseMs} ms)`);
        const res = r.outcome!;
        if (!res.accepted) {
          if (!input.mutations.length && !second) v("control", `the unmutated, validly signed SAML ${input.version} token was refused: ${res.reason.slice(0, 300)}`);
          return;
        }
        const forged = reportedValues(res).filter((x) => !built.signed.values.has(x));
        if (forged.length || (res.subject !== undefined && res.subject !== built.signed.subject)) {
          v("signed-content", `accepted with ${JSON.stringify(res.subject)} / ${JSON.stringify([...new Set(forged)]).slice(0, 200)}, but the signature covers subject ${JSON.stringify(built.signed.subject)} and values ${JSON.stringify([...built.signed.values])} (${label})`);
        }
        if (built.verifying === 0) v("signature-required", `a token none of whose assertions verifies against the trusted key was accepted (${label}; subject ${JSON.stringify(res.subject)})`);
      };
      const first = await deliver(built.delivery, label, exchanges);
      judge(first, false);
      if (input.replay && first.outcome?.accepted) {
        const second = await deliver(built.delivery, `${label} (again)`, exchanges);
        judge(second, true);
        if (second.outcome?.accepted) v("replay", `the same assertion was accepted twice (${label})`);
      }
      return { violations: out, exchanges };
    },
    async health() {
      const built = buildDelivery(c, { version: c.tokenTypes.includes("saml20") ? "2.0" : "1.1", mutations: [], replay: false }, anchors);
      try {
        const r = await c.consume(built.delivery);
        if (r.accepted) return undefined;
        return { oracle: "health", requirement: CONSUMER_ORACLES.health.requirement, message: `a valid token is no longer accepted: ${r.reason.slice(0, 300)}` };
      } catch (e) {
        return { oracle: "health", requirement: CONSUMER_ORACLES.health.requirement, message: `the consumer no longer answers: ${(e as Error).message}` };
      }
    },
  };
}
