// The correct consumer of the calibration: protocol/saml/parse.ts verifyAssertion (strict XML-DSig against the
// pinned certificate, the element it covers) plus the digest §6 checklist: issuer, time window with skew,
// audience, bearer confirmation data, one-time use. Takes all three delivery kinds; a container must hold exactly
// one assertion, the one that is verified.
import { X509Certificate } from "node:crypto";
import { NS } from "../../../protocol/namespaces.ts";
import { parseXml } from "../../../protocol/xml/safe-parse.ts";
import { verifyAssertion } from "../../../protocol/saml/parse.ts";
import { trustAnchorFromCert } from "../../../protocol/dsig/verify.ts";
import { pemToDer } from "../../../protocol/x509/certificate.ts";
import type { LibraryConsumeOptions } from "../../../adapters/library-consumer.ts";
import { ReplayCache } from "./saml-app.ts";

const SKEW = 120;
export const meta = { name: "wsconform strict consumer (calibration)", deliveries: ["assertion", "wresult", "samlResponse"], tokenTypes: ["saml20", "saml11"], clockSkewSeconds: SKEW, clock: "injected" } as const;

function assertions(root: Element): Element[] {
  const out: Element[] = [];
  const walk = (e: Element) => {
    if (e.localName === "Assertion") out.push(e);
    for (let c = e.firstChild; c; c = c.nextSibling) if (c.nodeType === 1) walk(c as Element);
  };
  walk(root);
  return out;
}

/** A consumer with its own replay cache (vectors reuse IDs across files). */
export function createStrictConsumer(): (xml: string, o: LibraryConsumeOptions) => { subject: string; claims: Record<string, string[]> } {
  const replay = new ReplayCache();
  return (xml, o) => strictConsume(xml, o, replay);
}

const shared = new ReplayCache();
export function consume(xml: string, o: LibraryConsumeOptions) {
  return strictConsume(xml, o, shared);
}

function strictConsume(xml: string, o: LibraryConsumeOptions, replay: ReplayCache) {
  const doc = parseXml(xml);
  const root = doc.documentElement!;
  const found = assertions(root);
  // Anything that looks like an assertion counts, in any namespace: exactly one, and in the expected place.
  if (found.length !== 1) throw new Error(`${found.length} assertions in the delivery`);
  const el = found[0]!;
  const parent = el.parentNode as Element | null;
  const placed =
    (o.delivery === "assertion" && el === root) ||
    (o.delivery === "wresult" && parent?.localName === "RequestedSecurityToken") ||
    (o.delivery === "samlResponse" && parent === root && root.localName === "Response");
  if (!placed) throw new Error("the assertion is not where the delivery kind puts it");
  const der = pemToDer(o.certificatePem);
  void new X509Certificate(der);
  const r = verifyAssertion(el, [trustAnchorFromCert(der)]);
  if (!r.ok) throw new Error(`${r.code}: ${r.reason}`);
  const a = r.assertion;
  const now = o.now.getTime();
  const skew = SKEW * 1000;
  if (a.issuer !== o.issuer) throw new Error(`issuer ${a.issuer} is not trusted`);
  if (a.notBefore >= a.notOnOrAfter) throw new Error("NotBefore is not before NotOnOrAfter");
  if (now + skew < a.notBefore) throw new Error("not yet valid");
  if (now - skew >= a.notOnOrAfter) throw new Error("expired");
  if (a.audienceRestrictions.length === 0 || !a.audienceRestrictions.every((r) => r.includes(o.audience))) throw new Error("audience");
  if (a.otherConditions.length) throw new Error(`indeterminate conditions ${a.otherConditions.join(", ")}`);
  if (a.confirmation.method !== "bearer") throw new Error(`confirmation ${a.confirmation.method} is not supported here`);
  if (a.confirmation.notOnOrAfter !== undefined && now - skew >= a.confirmation.notOnOrAfter) throw new Error("confirmation expired");
  if (o.recipient && a.confirmation.recipient !== undefined && a.confirmation.recipient !== o.recipient) throw new Error("recipient");
  replay.use(`${a.issuer}|${a.id}`, now, a.notOnOrAfter + skew);
  const claims: Record<string, string[]> = {};
  for (const at of a.attributes) {
    const name = a.version === "1.1" && at.nameFormatOrNamespace ? `${at.nameFormatOrNamespace}/${at.name}` : at.name;
    claims[name] = at.values;
  }
  void NS;
  return { subject: a.subject.nameId, claims };
}
