// XML parser attacks (issue 5 §2) against the STS and, when the target has one, its token consumer. Each case:
// a valid exchange first (else the case cannot judge), then the hostile document, bounded in time (XML_BOUND_MS)
// and size (the transport's limits; request bodies are shortened in the report), then a valid exchange again (the
// target must still work: no crash). Judged: an answer within the bound, a refusal (never a token, never a
// session), and no request at the loopback canary.
//
// Requirement ids: the DTD attacks cite SOAP-NO-DTD at an STS (SOAP 1.1 §3 / 1.2 Part 1 §5) and SAML-NO-DTD at a
// consumer; the size attacks cite ROBUST-LIMITS, a SHOULD of wsconform's hostile-input profile (no spec mandates
// limits, so accepting a huge message is a WARN, not a FAIL). A canary hit is always a FAIL (the DTD rule).
import type { TrustVersion } from "../../../protocol/namespaces.ts";
import { startCanary, type Canary } from "../../../adapters/canary.ts";
import { StsClient, type Exchange } from "../../../adapters/sts-client.ts";
import type { ConsumerOutcome, Delivery, TokenConsumer } from "../../../adapters/token-consumer.ts";
import { TargetError, recordingTransport, type CaseContext, type CaseDefinition, type RecordedExchange } from "../../case.ts";
import { issueRst } from "../../ws-trust/support.ts";
import { consumerScenario, describeAnswer, issued, stsVersion } from "../skew/probe.ts";
import { envelope, idpSigned, samlResponseEnvelope, tokenSpec, wresultEnvelope, type DeliveryKind, type SamlVersion } from "../scenario.ts";
import { SOAP_HEADER, XML_ATTACKS, applyPayload, shorten, type XmlAttack } from "./payloads.ts";

/** Every hostile exchange must be answered within this bound ("a few seconds"). */
export const XML_BOUND_MS = 5_000;

/** Resolve with the promise, or with "timeout" after `ms` (a bound, not a wait: the timer never delays an answer). */
async function bounded<T>(p: Promise<T>, ms: number): Promise<T | "timeout"> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), ms);
    timer.unref?.();
  });
  try {
    return await Promise.race([p, limit]);
  } finally {
    clearTimeout(timer);
  }
}

/** A requestor whose every exchange is bounded in time (in-process targets have no transport timeout) and recorded shortened. */
function boundedClient(t: CaseContext, version: TrustVersion): StsClient {
  const path = t.target.endpoint(version, "username")!;
  const transport = recordingTransport(t.target.transport, (rec) => t.exchanges.push(rec), { boundMs: XML_BOUND_MS, keepChars: 64 * 1024 });

  return new StsClient({
    transport,
    clock: t.target.clock,
    path,
    soapVersion: t.target.capabilities.soapVersions.includes("1.2") ? "1.2" : "1.1",
    trustVersion: version,
    credentials: { username: t.target.user.username, password: t.target.user.password, passwordType: "text" },
  });
}

function canaryVerdict(t: CaseContext, canary: Canary, who: string, requirement: string): void {
  const hits = canary.hits();
  t.check(hits.length === 0, `${who} fetched the canary (${hits.map((h) => `${h.method} ${h.url}`).join(", ")}): it resolves external entities or DTDs`, requirement);
}

function loopbackNote(t: CaseContext, a: XmlAttack, canary: Canary): void {
  if (a.canary && t.target.description.kind !== "reference") t.info(`the canary listens on loopback (${canary.url}); only a target on this host can reach it, so no hit from a remote target proves less`);
}

// ---- STS --------------------------------------------------------------------------------------------------------------

function stsCase(a: XmlAttack): CaseDefinition {
  const req = a.dtd ? "SOAP-NO-DTD" : "ROBUST-LIMITS";
  return {
    id: `security/xml/sts-${a.name}`,
    title: `STS: ${a.title}`,
    requirements: [req],
    needs: [{ kind: "operation", operation: "Issue" }, { kind: "credential", credential: "username" }],
    async run(t: CaseContext) {
      const v = stsVersion(t.target);
      if (!v) t.skip("the target declares no username endpoint");
      const client = boundedClient(t, v);
      const rst = issueRst(t, v);
      const control = await client.send(rst);
      t.answered(control);
      if (!issued(control)) throw new TargetError(`the STS refuses a valid Issue (${describeAnswer(control)}), so an attack cannot be judged`);
      const canary = await startCanary();
      try {
        loopbackNote(t, a, canary);
        const { xml, action } = client.build(rst);
        const hostile = applyPayload(xml, a.payload(canary.url), SOAP_HEADER);
        const started = performance.now();
        const ex: Exchange = await client.sendRaw(hostile, action);
        const ms = Math.round(performance.now() - started);
        const where = `reproduce: npx wsconform run --grep 'security/xml/sts-${a.name}:'`;
        if (ex.transportError?.kind === "timeout") t.check(false, `no answer within ${XML_BOUND_MS} ms (${a.risk}); ${where}`, req);
        t.check(ms <= XML_BOUND_MS, `the answer took ${ms} ms, beyond the ${XML_BOUND_MS} ms bound (${a.risk}); ${where}`, req);
        if (a.canary) canaryVerdict(t, canary, "the STS", req);
        t.check(!issued(ex), `the STS issued a token for a message carrying ${a.dtd ? "a DTD" : "this payload"} (${a.risk}); ${where}`, req);
        if (ex.transportError) t.info(`the STS dropped the exchange (${ex.transportError.kind}: ${ex.transportError.message.slice(0, 160)}) instead of answering a fault`);
        else if (!ex.fault) t.info(`refused without a SOAP fault: ${describeAnswer(ex)}`);
        else t.info(`refused in ${ms} ms with ${ex.fault.code.local}`);
        const after = await client.send(rst);
        t.check(!after.transportError && issued(after), `after the attack the STS no longer answers a valid Issue (${describeAnswer(after)}): crashed or wedged; ${where}`, req);
        // Again: a target may fetch after it answered.
        if (a.canary) canaryVerdict(t, canary, "the STS", req);
      } finally {
        await canary.close();
      }
    },
  };
}

// ---- token consumer ----------------------------------------------------------------------------------------------------

function shapeFor(c: TokenConsumer): { kind: Exclude<DeliveryKind, "assertion">; version: SamlVersion } | string {
  if (c.deliveries.includes("wresult")) return { kind: "wresult", version: c.tokenTypes.includes("saml20") ? "2.0" : "1.1" };
  if (c.deliveries.includes("samlResponse") && c.tokenTypes.includes("saml20")) return { kind: "samlResponse", version: "2.0" };
  return "the consumer takes only bare assertions; the payload needs a container (wresult or SAML Response) to sit outside the signed assertion";
}

async function deliverBounded(t: CaseContext, c: TokenConsumer, d: Delivery, name: string): Promise<ConsumerOutcome | "timeout" | { error: string }> {
  const rec: RecordedExchange = { path: `token-consumer ${d.kind}: ${name}`, request: shorten(d.xml), ms: 0 };
  t.exchanges.push(rec);
  const started = performance.now();
  try {
    const o = await bounded(c.consume(d), XML_BOUND_MS);
    rec.response = o === "timeout" ? undefined : JSON.stringify(o, null, 1);
    rec.contentType = "application/json";
    if (o === "timeout") rec.error = `no answer within ${XML_BOUND_MS} ms`;
    return o;
  } catch (e) {
    rec.error = (e as Error).message;
    return { error: (e as Error).message };
  } finally {
    rec.ms = performance.now() - started;
  }
}

function validDelivery(c: TokenConsumer, kind: Exclude<DeliveryKind, "assertion">, version: SamlVersion): Delivery {
  const s = consumerScenario(c);
  return { kind, xml: envelope(s, kind, version, [idpSigned(s, tokenSpec(s, version))]) } as Delivery;
}

function consumerCase(a: XmlAttack): CaseDefinition {
  const req = a.dtd ? "SAML-NO-DTD" : "ROBUST-LIMITS";
  return {
    id: `security/xml/consumer-${a.name}`,
    title: `Token consumer: ${a.title.replace("the message is refused", "the token is refused")}`,
    requirements: [req],
    needs: [{ kind: "tokenConsumer" }],
    async run(t: CaseContext) {
      const c = t.target.tokenConsumer!;
      const shape = shapeFor(c);
      if (typeof shape === "string") t.skip(shape);
      const { kind, version } = shape;
      const control = await deliverBounded(t, c, validDelivery(c, kind, version), "positive control (valid token)");
      if (control === "timeout" || "error" in control || !control.accepted) {
        throw new TargetError(`the consumer does not accept a valid token (${control === "timeout" ? "timeout" : "error" in control ? control.error : control.reason.slice(0, 200)}), so an attack cannot be judged`);
      }
      const canary = await startCanary();
      try {
        loopbackNote(t, a, canary);
        const s = consumerScenario(c);
        const token = idpSigned(s, tokenSpec(s, version));
        const p = a.payload(canary.url);
        // The probe element goes into the unsigned container: the RSTR wrapper, or samlp:Extensions.
        const base = kind === "wresult" ? applyPayload(wresultEnvelope(s, version, [token]), { probe: p.probe }) : samlResponseEnvelope(s, [token], p.probe);
        const hostile = applyPayload(base, { doctype: p.doctype });
        const started = performance.now();
        const o = await deliverBounded(t, c, { kind, xml: hostile } as Delivery, a.name);
        const ms = Math.round(performance.now() - started);
        const where = `reproduce: npx wsconform run --grep 'security/xml/consumer-${a.name}:'`;
        t.check(o !== "timeout", `no answer within ${XML_BOUND_MS} ms (${a.risk}); ${where}`, req);
        t.check(ms <= XML_BOUND_MS, `the consumer took ${ms} ms, beyond the ${XML_BOUND_MS} ms bound (${a.risk}); ${where}`, req);
        if (a.canary) canaryVerdict(t, canary, "the consumer", req);
        if ("error" in o) t.info(`the consumer failed on delivery (${o.error.slice(0, 160)}) instead of refusing`);
        else {
          t.check(!o.accepted, `the consumer accepted a token in a document carrying ${a.dtd ? "a DTD" : "this payload"} (${a.risk}); ${where}`, req);
          t.info(`refused in ${ms} ms (${o.reason.slice(0, 160)})`);
        }
        const after = await deliverBounded(t, c, validDelivery(c, kind, version), "valid token after the attack");
        t.check(after !== "timeout" && !("error" in after) && after.accepted, `after the attack the consumer no longer accepts a valid token (${after === "timeout" ? "timeout" : "error" in after ? after.error : after.accepted ? "" : after.reason.slice(0, 160)}): crashed or wedged; ${where}`, req);
        // Again: a target may fetch after it answered.
        if (a.canary) canaryVerdict(t, canary, "the consumer", req);
      } finally {
        await canary.close();
      }
    },
  };
}

export const XML_CASES: CaseDefinition[] = [...XML_ATTACKS.map(stsCase), ...XML_ATTACKS.map(consumerCase)];
